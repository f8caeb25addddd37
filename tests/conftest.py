import pytest

from tests.factories import FIVE_LEVELS, THREE_LEVELS, make_world


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # MD5 for speed; PBKDF2 still checks the demo users the browser session loaded.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
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
