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
# The tree opens at the top; a filter (recursive SQL, also on SQLite) shows more rows.
response = client.get("/mal/?year=2026")
assert response.status_code == 200, response.status_code
html = response.content.decode()
# The rows every request reads on a plain cursor are the ORM's, converted alike (SQLite
# returns datetimes as naive text, booleans as integers): styrning/request_rows.py.
from styrning import request_rows
from styrning.models import Membership, Municipality
User = get_user_model()
for user in User.objects.all():
    raw = request_rows.user_row(User, "default", user.pk)
    for field in User._meta.concrete_fields:
        a, b = getattr(raw, field.attname), getattr(user, field.attname)
        assert a == b and type(a) is type(b), (field.name, a, b)
    assert raw.last_login is None or raw.last_login.tzinfo is not None
    mine = sorted(request_rows.memberships(user), key=lambda m: m.pk)
    orm = Membership.objects.filter(user=user).select_related("unit__parent")
    orm = sorted(orm, key=lambda m: m.pk)
    assert [(m.pk, m.role, m.unit.name, m.unit.parent_id) for m in mine] == [
        (m.pk, m.role, m.unit.name, m.unit.parent_id) for m in orm
    ]
first = request_rows.first_row(Municipality)
orm = Municipality.objects.order_by("pk").first()
for field in Municipality._meta.concrete_fields:
    a, b = getattr(first, field.attname), getattr(orm, field.attname)
    assert a == b and type(a) is type(b), (field.name, a, b)
# A goal's change log, read on a plain cursor too, has aware times and its page answers.
from goals.history import change_log
from goals.models import Goal
goal = Goal.objects.get(pk=Goal.history.filter(history_type="~").values_list("id", flat=True)[0])
entries = change_log(goal)
assert entries and all(entry.when.tzinfo is not None for entry in entries), entries
assert client.get(f"/mal/{goal.pk}/").status_code == 200
# Each role's start page and the follow-up lists answer on SQLite too: on PostgreSQL their
# queries are compiled once (followup.worklist, followup.fulfilment_queries); here the ORM
# runs them (the review list once failed here: SQLite passes dates as text).
from django.urls import reverse
pages = ["/", *(reverse(name) for name in (
    "followup:mine", "followup:calendar", "followup:fulfilment", "followup:midterm",
    "reports:index", "reports:my_texts", "personnel:index",
))]
for username in ("ekonomichef", "socialchef", "enhetschef", "politiker", "hr"):
    c = Client()
    login = c.post("/logga-in/", {"username": username, "password": "styrning-demo"})
    assert login.status_code == 302, (username, login.status_code)
    for path in pages:
        response = c.get(path, follow=True)
        assert response.status_code == 200, (username, path, response.status_code)
    response = c.get(reverse("followup:mine") + "?sida=2", follow=True)
    assert response.status_code == 200, (username, "page 2", response.status_code)
# A goal's pages read the goal and the goals around it by statements compiled once
# (styrning.request_rows, per reader's visibility): the same on SQLite, drafts or not.
adopted = Goal.objects.filter(status="adopted", parent__isnull=False, children__isnull=False)
adopted = adopted.order_by("level__order", "pk").first()
for username in ("politiker", "socialchef", "ekonomichef"):
    c = Client()
    c.post("/logga-in/", {"username": username, "password": "styrning-demo"})
    for path in (
        reverse("goals:detail", args=[adopted.pk]),
        reverse("goals:children", args=[adopted.pk]),
        reverse("followup:rollup", args=[adopted.pk]),
    ):
        response = c.get(path)
        assert response.status_code == 200, (username, path, response.status_code)
    assert c.get(reverse("goals:detail", args=[999999])).status_code == 404
print("OK", html.count('class="goal-row'))
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


def _run(args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


LOCAL_PAGE_CHECK = """
from django.conf import settings
from django.test import Client
from django.templatetags.static import static
assert not settings.DEBUG
client = Client()
css = client.get(static("css/styrning.css"))
assert css.status_code == 200 and b"@media print" in b"".join(css.streaming_content)
icon = client.get("/favicon.ico", follow=True)
assert icon.status_code == 200, icon.status_code
missing = client.get("/finns-inte/")
assert missing.status_code == 404 and "Sidan hittades inte" in missing.content.decode()
print("OK")
"""


def test_make_run_serves_with_debug_off_and_static_files_through_whitenoise(tmp_path):
    env = {
        "LOCAL_DEMO": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'styrning.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    for args in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        result = _run(args, **env)
        assert result.returncode == 0, result.stdout + result.stderr
        assert not result.stderr, result.stderr  # no warnings on the way
    result = _run(["shell", "-c", LOCAL_PAGE_CHECK], **env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("OK")


def test_the_local_demo_key_is_refused_beyond_this_machine():
    result = _run(["check"], LOCAL_DEMO="1", ALLOWED_HOSTS="styrning.example.se")
    assert result.returncode != 0 and "ALLOWED_HOSTS" in result.stderr
    result = _run(["check"], DEBUG="0", ALLOWED_HOSTS="styrning.example.se")
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_make_run_port_reaches_the_server_and_the_printed_address():
    make = subprocess.run(
        ["make", "-n", "run", "PORT=8001"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    lines = make.stdout.splitlines()
    assert any("demo_logins --port 8001" in line for line in lines), make.stdout
    assert any("runserver 127.0.0.1:8001" in line for line in lines), make.stdout
    assert any("LOCAL_DEMO=1" in line and "runserver" in line for line in lines)


def test_demo_logins_prints_the_address_of_the_port(db, capsys):
    from django.core.management import call_command

    call_command("demo_logins", port=8001)
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8001/" in out and ":8000" not in out
