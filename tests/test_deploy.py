"""Production set-up: compose parses with its services, and `check --deploy` is clean."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_compose_has_every_service_with_its_command():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"db", "redis", "web", "worker", "beat"} <= set(services)
    assert services["db"]["image"].startswith("postgres")
    assert services["redis"]["image"].startswith("redis")
    assert "gunicorn styrning.wsgi:application" in services["web"]["command"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "styrning", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "styrning", "beat"]
    for name in ("web", "worker", "beat"):
        assert services[name]["environment"]["REDIS_URL"].startswith("redis://redis")
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgres://")
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "gunicorn" in dockerfile and "collectstatic" in dockerfile


def _manage(*args, **env):
    hidden = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in hidden}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing_in_production_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="k" * 20 + "-production-secret-0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b",
        ALLOWED_HOSTS="styrning.example.se",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_refuses_to_start_in_production_with_the_default_secret():
    result = _manage("check", DEBUG="0", ALLOWED_HOSTS="styrning.example.se")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_postgresql_compiles_no_query_just_in_time():
    """The roll-up's indicator query (estimated costly at Stockholm's size) spent 20–40 ms
    of its 60 in JIT compilation: the connections turn JIT off (settings.DATABASES)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
