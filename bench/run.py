"""`make bench`: build scale 1 and 10, measure every page, goal changes, SIE and a load run.

    python -m bench.run                       # everything (what `make bench` runs)
    python -m bench.run --skip-build          # measure the databases built last time
    python -m bench.run --only pages,goals    # some sections; the others keep their last figures
    python -m bench.run --report              # rewrite docs/benchmarks.md from results.json

Each scale has its own database (styrning_bench_1, styrning_bench_10 on
BENCH_DATABASE_SERVER); measurements on a database run in a child process whose
settings are production's (DEBUG=0, a fresh SECRET_KEY), so one process never
holds two settings. Results go to bench/results.json and docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import report

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
DOCS = ROOT / "docs" / "benchmarks.md"
WORK = ROOT / "var" / "bench"
SECTIONS = ("build", "pages", "goals", "sie", "load")
LOAD_URLS = ["/mal/", "/budget/", "{goal}"]
LOAD_USERS = ["politiker", "ekonomichef", "socialchef"]


# --- the machine ----------------------------------------------------------------------------
def machine(database_url: str) -> dict:
    info = {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["ram_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    try:
        import psycopg

        server = database_url.rsplit("/", 1)[0]
        with psycopg.connect(f"{server}/postgres") as connection:
            version = connection.execute("SHOW server_version").fetchone()[0]
            info["postgresql"] = f"PostgreSQL {version}"
    except Exception as error:  # noqa: BLE001 — the machine line is informative only
        info["postgresql"] = f"unknown ({error.__class__.__name__})"
    return info


def commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return ""


# --- databases and children -----------------------------------------------------------------
def database_url(server: str, prefix: str, scale: str) -> str:
    return f"{server.rstrip('/')}/{prefix}{scale.replace('.', '_')}"


def recreate_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{server.rstrip('/')}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def production_env(url: str, static_root: str, secret_key: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DEBUG="0",
        LOCAL_DEMO="0",
        SECRET_KEY=secret_key,
        ALLOWED_HOSTS="127.0.0.1,testserver",
        STATIC_ROOT=static_root,
        REDIS_URL="",
        PYTHONPATH=str(ROOT),
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def manage(env: dict, *args, capture=False) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        capture_output=capture,
    )


def child(env: dict, task: str, out: Path, **options) -> dict:
    """Run ``task`` in a fresh process on env's database; returns its JSON."""
    args = [sys.executable, "-m", "bench.run", "--child", task, "--child-out", str(out)]
    for key, value in options.items():
        args += [f"--{key.replace('_', '-')}", str(value)]
    subprocess.run(args, cwd=ROOT, env=env, check=True)
    return json.loads(out.read_text(encoding="utf-8"))


def run_child(task: str, out: Path, args) -> None:
    """In the child: Django set up on DATABASE_URL; measure and write JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "styrning.settings")
    import django

    django.setup()
    from django.conf import settings

    from bench import measure

    assert not settings.DEBUG, "the benchmark measures with DEBUG off"
    result: dict
    if task == "measure":
        started = time.perf_counter()
        print(f"scale {args.scale}: pages", flush=True)
        pages = measure.read_pages(Path(args.pages))
        empty: dict = {}
        result = {
            "counts": measure.counts(),
            "targets": measure.targets(),
            "pages": measure.measure_pages(
                pages,
                args.requests,
                args.page_budget,
                log=lambda s: print(s, flush=True),
                empty=empty,
            ),
            "empty": empty,
        }
        print(f"scale {args.scale}: adding and moving goals", flush=True)
        result["goals"] = measure.measure_goal_changes(
            args.requests, args.page_budget, log=lambda s: print(s, flush=True)
        )
        print(f"scale {args.scale}: sammanvägd bedömning, hela trädet", flush=True)
        result["rollup"] = measure.measure_rollup(
            10, args.page_budget, log=lambda s: print(s, flush=True)
        )
        print(f"scale {args.scale}: rapporter", flush=True)
        result["reports"] = measure.measure_reports(
            3, 3 * args.page_budget, log=lambda s: print(s, flush=True)
        )
        result["seconds"] = round(time.perf_counter() - started, 1)
    elif task == "sie":
        result = measure_sie(args.sie_lines, WORK / "sie")
    else:
        raise SystemExit(f"unknown task {task}")
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str), "utf-8")


def measure_sie(lines: int, workdir: Path) -> dict:
    """bench.sie_bench.measure() when that module exists; else "not measured"."""
    try:
        from bench import sie_bench
    except ImportError:
        return {"status": "not measured", "reason": "bench/sie_bench.py is not there yet"}
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        return dict(sie_bench.measure(lines=lines, workdir=workdir))
    except Exception as error:  # noqa: BLE001 — one section failing keeps the others
        return {"status": "failed", "reason": f"{error.__class__.__name__}: {error}"}


# --- the whole run --------------------------------------------------------------------------
def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10")
    parser.add_argument(
        "--server",
        default=os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432"),
    )
    parser.add_argument("--db-prefix", default="styrning_bench_")
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--only", default=",".join(SECTIONS))
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--page-budget", type=float, default=20.0, help="seconds per page")
    parser.add_argument("--pages", default=str(ROOT / "bench" / "pages.txt"))
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--load-seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=0, help="0: 2 × cores + 1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", 8150)))
    parser.add_argument("--sie-lines", type=int, default=1_000_000)
    parser.add_argument("--report", action="store_true", help="only rewrite the docs")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-out", help=argparse.SUPPRESS)
    parser.add_argument("--scale", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        run_child(args.child, Path(args.child_out), args)
        return 0
    results = json.loads(RESULTS.read_text("utf-8")) if RESULTS.exists() else {}
    if args.report:
        return write(results)

    only = set(args.only.split(","))
    scales = args.scales.split(",")
    big = scales[-1]
    urls = {s: database_url(args.server, args.db_prefix, s) for s in scales}
    WORK.mkdir(parents=True, exist_ok=True)
    secret_key = secrets.token_urlsafe(50)
    total_started = time.perf_counter()
    results.update(
        date=dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        commit=commit(),
        machine=machine(urls[big]),
        load_average={"start": loadavg()},
    )
    with tempfile.TemporaryDirectory(prefix="styrning-static-") as static_root:
        if "build" in only and not args.skip_build:
            results["build"] = {}
            for scale in scales:
                results["build"][scale] = build(args, scale, urls[scale], static_root, secret_key)
        needs_site = only & {"pages", "goals", "load"}
        if needs_site:
            print("collectstatic …", flush=True)
            env = production_env(urls[big], static_root, secret_key)
            manage(env, "collectstatic", "--noinput", "-v0")
        if only & {"pages", "goals"}:
            results.setdefault("pages", {})
            results.setdefault("goals", {})
            for scale in scales:
                env = production_env(urls[scale], static_root, secret_key)
                measured = child(
                    env,
                    "measure",
                    WORK / f"measure-{scale}.json",
                    scale=scale,
                    requests=args.requests,
                    page_budget=args.page_budget,
                    pages=args.pages,
                )
                results["pages"][scale] = measured["pages"]
                results.setdefault("empty", {})[scale] = measured.get("empty")
                results["goals"][scale] = measured["goals"]
                results.setdefault("rollup", {})[scale] = measured.get("rollup")
                results.setdefault("reports", {})[scale] = measured.get("reports")
                results.setdefault("build", {}).setdefault(scale, {})["counts"] = measured["counts"]
                results.setdefault("targets", {})[scale] = measured["targets"]
                results["load_average"][f"after pages {scale}"] = loadavg()
                save(results)  # a run stopped later keeps what it measured
        # The SIE import before the load run: for a minute after 20 clients, the database
        # is still busy with their aftermath (the import measured 149 000 lines/s there,
        # 173 000 on the same machine at rest).
        if "sie" in only:
            print("SIE import …", flush=True)
            results["load_average"]["before sie"] = loadavg()
            env = production_env(urls[big], static_root, secret_key)
            results["sie"] = child(env, "sie", WORK / "sie.json", sie_lines=args.sie_lines)
            save(results)
        if "load" in only:
            results["load"] = load(args, urls[big], static_root, secret_key, results)
    results["total_seconds"] = round(time.perf_counter() - total_started, 1)
    results["load_average"]["end"] = loadavg()
    save(results)
    return write(results)


def loadavg() -> list[float]:
    """The machine's 1, 5 and 15 minute load averages: other work shares the cores."""
    return [round(x, 2) for x in os.getloadavg()]


def save(results: dict) -> None:
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", "utf-8")


def build(args, scale: str, url: str, static_root: str, secret_key: str) -> dict:
    name = url.rsplit("/", 1)[1]
    print(f"scale {scale}: (re)creating {name}, migrating, make_scale_data …", flush=True)
    recreate_database(args.server, name)
    env = production_env(url, static_root, secret_key)
    manage(env, "migrate", "--noinput", "-v0")
    started = time.perf_counter()
    manage(env, "make_scale_data", "--scale", scale)
    return {"seconds": round(time.perf_counter() - started, 1)}


def load(args, url: str, static_root: str, secret_key: str, results: dict) -> dict:
    from bench.load import default_workers, gunicorn_env, load_run

    big = args.scales.split(",")[-1]
    goal = results.get("targets", {}).get(big, {}).get("goal")
    urls = [u.replace("{goal}", f"/mal/{goal}/") for u in LOAD_URLS if goal or "{" not in u]
    workers = args.workers or default_workers()
    print(f"load run: gunicorn, {workers} workers, {args.clients} clients, "
          f"{args.load_seconds:g} s …", flush=True)  # fmt: skip
    env = gunicorn_env(production_env(url, static_root, secret_key), url, static_root, secret_key)
    try:
        return load_run(
            env,
            urls,
            LOAD_USERS,
            "styrning-demo",
            args.port,
            workers,
            args.clients,
            args.load_seconds,
            WORK,
        )
    except Exception as error:  # noqa: BLE001 — report it in the table
        return {"error": f"{error.__class__.__name__}: {error}"}


def write(results: dict) -> int:
    text = report.render(results)
    DOCS.parent.mkdir(parents=True, exist_ok=True)
    DOCS.write_text(text, "utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
