"""Browser tests: a live server on the PostgreSQL test database with the demo loaded once.

Chromium is Debian's (/usr/bin/chromium), driven by Playwright; nothing is downloaded.
A failing test leaves a screenshot and the page's HTML in test-artifacts/.
"""

import datetime as dt
import os
import re
import shutil
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management import call_command
from django.db import connection
from django.test.testcases import LiveServerThread

from tests.browser.harness import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, Browser

# Playwright's sync API runs an event loop in this thread; the ORM calls here are ours.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# The journeys run on a day between the delårsrapport's deadline and KF's meeting on it
# (24 November in the demo): the delårsrapport is in, not yet adopted, so a journey can
# open it again and send it; from the meeting on, the demo has it adopted and locked.
BROWSER_DAY = dt.datetime(2026, 11, 20, 9, 0, tzinfo=ZoneInfo("Europe/Stockholm"))


@pytest.fixture(scope="session")
def browser_day():
    """The clock on BROWSER_DAY (ticking) for the browser tests, which run last."""
    with time_machine.travel(BROWSER_DAY, tick=True):
        yield


@pytest.fixture(scope="session")
def demo_server(browser_day, django_db_setup, django_db_blocker):
    """Load the Hedemora demo once and serve it; flush it at the end of the session."""
    with django_db_blocker.unblock():
        call_command("load_demo", verbosity=0)
    thread = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)
        if connection.vendor == "postgresql":
            # Request threads may leave sessions behind; the test database must drop.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(
            "Debian's Chromium is missing: make test installs it (apt-get install chromium)"
        )
    shutil.rmtree(ARTIFACTS / "failures", ignore_errors=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def pytest_collection_modifyitems(items):
    """Browser tests need the test database set up (they read it through the server), and
    run after the others (they move the clock to BROWSER_DAY until the session ends)."""
    browser = [item for item in items if "/browser/" in str(item.path)]
    for item in browser:
        item.add_marker(pytest.mark.django_db)
    items[:] = [item for item in items if "/browser/" not in str(item.path)] + browser


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def _new_browser(chromium, demo_server, request, width=1280):
    # bypass_csp lets the test inject axe-core; the CSP itself is tested on the headers.
    context = chromium.new_context(
        viewport={"width": width, "height": 900}, locale="sv-SE", bypass_csp=True
    )
    page = context.new_page()
    b = Browser(page, demo_server)
    # Confirmations (data-confirm) are accepted, and kept for the tests to read.
    b.dialogs = []
    page.on("dialog", lambda dialog: (b.dialogs.append(dialog.message), dialog.accept()))
    yield b
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-150:]
        b.save_artifacts(f"failures/{name}")
    context.close()


@pytest.fixture
def browser(demo_server, chromium, request):
    """A fresh browser tab at 1280 px on the demo site."""
    yield from _new_browser(chromium, demo_server, request)


@pytest.fixture
def narrow_browser(demo_server, chromium, request):
    """A fresh browser tab at 320 px (WCAG reflow)."""
    yield from _new_browser(chromium, demo_server, request, width=320)


@pytest.fixture(scope="session")
def delar_submission(demo_server, django_db_blocker):
    """Socialförvaltningen's delårsrapport of this year, open and back to a draft with its
    economic comment and its goals' analyses left empty and no enhet's part marked done
    (whatever today's date is)."""
    from django.utils import timezone

    from followup.calendar import open_period
    from followup.models import Assessment, PartDone, ReportingPeriod, Submission

    with django_db_blocker.unblock():
        period = ReportingPeriod.objects.get(year=timezone.localdate().year, month=8)
        if period.state != "open":
            period = open_period(period)
        submission = Submission.objects.get(period=period, unit__name="Socialförvaltningen")
        Submission.objects.filter(pk=submission.pk).update(
            state="draft", sent_at=None, return_reason="", economic_comment=""
        )
        Assessment.objects.filter(submission=submission).update(analysis="")
        PartDone.objects.filter(submission=submission).delete()  # no enhet has reviewed it
        submission.refresh_from_db()
        return submission
