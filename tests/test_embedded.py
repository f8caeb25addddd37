"""`make run`'s embedded set-up: SQLite under var/, the demo loaded, a page served."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PAGE_CHECK = """
from django.test import Client
from django.contrib.auth import get_user_model
client = Client()
login = client.post("/logga-in/", {"username": "politiker", "password": "styrning-demo"})
assert login.status_code == 302, login.status_code
response = client.get("/mal/")
assert response.status_code == 200, response.status_code
html = response.content.decode()
assert "Vision" in html and "Inriktningsmål" in html, html[:500]
print("OK", html.count('class="goal-row"'))
"""


def test_sqlite_migrate_load_demo_and_get_a_page(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'styrning.sqlite3'}"
    env.pop("REDIS_URL", None)
    for args in (["migrate", "--noinput", "-v0"], ["load_demo"], ["shell", "-c", PAGE_CHECK]):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    ok_line = result.stdout.strip().splitlines()[-1]
    assert ok_line.startswith("OK") and int(ok_line.split()[1]) > 50
