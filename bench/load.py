"""The load run: gunicorn with production settings on 127.0.0.1, concurrent logged-in clients.

Standard library only. The server runs as production does behind its TLS proxy
(DEBUG=0, a fresh SECRET_KEY, ALLOWED_HOSTS=127.0.0.1, BEHIND_PROXY=1); each request
carries the proxy's X-Forwarded-Proto: https, so secure cookies and the HTTPS
redirect behave as in production. Clients log in through the login form.
"""

from __future__ import annotations

import http.client
import itertools
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.measure import percentile

ROOT = Path(__file__).resolve().parent.parent
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1"}


class Session:
    """One logged-in user: cookies kept by hand (the Secure flag is the proxy's business)."""

    def __init__(self, port: int, username: str, password: str):
        self.port, self.username = port, username
        self.cookies: dict[str, str] = {}
        self.login(password)

    def headers(self, extra=None) -> dict:
        headers = dict(PROXY_HEADERS)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers.update(extra or {})
        return headers

    def _keep(self, response):
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]

    def request(self, method, path, body=None, extra=None, connection=None):
        own = connection is None
        connection = connection or http.client.HTTPConnection("127.0.0.1", self.port, timeout=180)
        try:
            connection.request(method, path, body=body, headers=self.headers(extra))
            response = connection.getresponse()
            data = response.read()
            self._keep(response)
            return response.status, data
        finally:
            if own:
                connection.close()

    def login(self, password):
        status, page = self.request("GET", "/logga-in/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise RuntimeError(f"login page answered {status}")
        origin = f"https://127.0.0.1:{self.port}"
        body = (
            f"csrfmiddlewaretoken={token.group(1).decode()}&username={self.username}"
            f"&password={password}"
        )
        status, _ = self.request(
            "POST",
            "/logga-in/",
            body=body,
            extra={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": origin,
                "Referer": f"{origin}/logga-in/",
            },
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"{self.username} could not log in ({status})")


def start_gunicorn(env: dict, port: int, workers: int, log_path: Path) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [
        str(gunicorn),
        "styrning.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "120",
    ]
    log = open(log_path, "w")  # noqa: SIM115 — closed with the process
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    deadline = time.time() + 60
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: see {log_path}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/logga-in/", headers=PROXY_HEADERS)
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.3)
    stop(process)
    raise RuntimeError("gunicorn did not answer within 60 s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_load(sessions: list[Session], urls: list[str], clients: int, seconds: float) -> dict:
    """``clients`` threads, each with its own keep-alive connection, for ``seconds``."""
    work = itertools.cycle([(s, u) for s in sessions for u in urls])
    lock = threading.Lock()
    # url, user, seconds, status (0: error), finished within the window
    samples: list[tuple[str, str, float, int, bool]] = []
    stop_at = time.perf_counter() + seconds

    def client():
        connection = None
        while time.perf_counter() < stop_at:
            with lock:
                session, url = next(work)
            if connection is None:
                connection = http.client.HTTPConnection("127.0.0.1", session.port, timeout=180)
            t0 = time.perf_counter()
            try:
                connection.request("GET", url, headers=session.headers())
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                status = 0
                connection.close()
                connection = None
            done = time.perf_counter()
            with lock:
                samples.append((url, session.username, done - t0, status, done <= stop_at))
        if connection is not None:
            connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ok = [s for s in samples if s[3] == 200]
    # Throughput over the window itself: requests still running at its end finish after it
    # (their times count below) but not as requests per second.
    in_window = [s for s in ok if s[4]]
    per_url = {}
    for url in urls:
        times = [s[2] * 1000 for s in samples if s[0] == url and s[3] == 200]
        per_url[url] = {
            "requests": len([s for s in samples if s[0] == url]),
            "p50_ms": round(percentile(times, 50), 1) if times else None,
            "p95_ms": round(percentile(times, 95), 1) if times else None,
        }
    times = [s[2] * 1000 for s in ok]
    return {
        "clients": clients,
        "seconds": round(seconds, 1),
        "drain_seconds": round(elapsed - seconds, 1),
        "requests": len(samples),
        "errors": len(samples) - len(ok),
        "error_statuses": sorted({s[3] for s in samples if s[3] != 200}),
        "requests_per_s": round(len(in_window) / seconds, 2),
        "p50_ms": round(percentile(times, 50), 1) if times else None,
        "p95_ms": round(percentile(times, 95), 1) if times else None,
        "users": sorted({s.username for s in sessions}),
        "per_url": per_url,
    }


def load_run(
    env: dict,
    urls: list[str],
    usernames: list[str],
    password: str,
    port: int,
    workers: int,
    clients: int,
    seconds: float,
    log_dir: Path,
) -> dict:
    process = start_gunicorn(env, port, workers, log_dir / "gunicorn.log")
    try:
        sessions = [Session(port, name, password) for name in usernames]
        for session in sessions:  # warm every worker's caches a little
            for url in urls:
                session.request("GET", url)
        result = run_load(sessions, urls, clients, seconds)
    finally:
        stop(process)
    result["workers"] = workers
    result["urls"] = urls
    return result


def gunicorn_env(base_env: dict, database_url: str, static_root: str, secret_key: str) -> dict:
    env = dict(base_env)
    env.update(
        DATABASE_URL=database_url,
        DEBUG="0",
        LOCAL_DEMO="0",
        SECRET_KEY=secret_key,
        ALLOWED_HOSTS="127.0.0.1",
        BEHIND_PROXY="1",
        STATIC_ROOT=static_root,
        REDIS_URL="",
        # Many logins from one address in one minute are the benchmark, not an attack.
        AXES_FAILURE_LIMIT="1000",
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def default_workers() -> int:
    return 2 * (os.cpu_count() or 1) + 1
