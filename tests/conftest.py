import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.factories import FIVE_LEVELS, THREE_LEVELS, make_world

# The tests' data are written for 2026 (the budget year, the goals' years, the periods);
# what a page shows depends on today's year (the chain shows the goals in force this year
# or later). So the suite runs on one day of 2026, the clock ticking from there, and means
# the same next year: run under `faketime 2027-01-15` before this, 17 goal tests failed.
TEST_DAY = dt.datetime(2026, 12, 7, 9, 0, tzinfo=ZoneInfo("Europe/Stockholm"))


_traveller = time_machine.travel(TEST_DAY, tick=True)


def pytest_configure(config):
    # Started before collection: the live server's threads and the test modules' own
    # module-level dates see the same day. Monotonic clocks (timeouts, Playwright) are
    # not moved. A Celery worker is another process, on the real clock: its tests take
    # ``real_clock``.
    _traveller.start()


@pytest.fixture
def real_clock():
    """The real clock for a test whose jobs a Celery worker runs: the worker, another
    process, compares a job's times with its own (a job queued "hours ago" by the fixed
    day's clock is swept as never started)."""
    _traveller.stop()
    yield
    _traveller.start()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # MD5 for speed; Argon2 still checks the demo users the browser session loaded.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


@pytest.fixture(autouse=True)
def _no_kept_rollups_from_another_test():
    """Each test starts without the roll-ups a process keeps (followup.finals)."""
    from followup import finals

    finals.forget()


@pytest.fixture
def world(db):
    """A five-level municipality with people in every role (see make_world)."""
    return make_world(FIVE_LEVELS)


@pytest.fixture
def three_level_world(db):
    return make_world(THREE_LEVELS)


def pytest_collection_modifyitems(items):
    """Browser tests last: their session loads the demo into the test database."""
    items.sort(key=lambda item: "/browser/" in str(item.path))
