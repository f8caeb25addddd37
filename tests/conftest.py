import pytest

from tests.factories import FIVE_LEVELS, THREE_LEVELS, make_world


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    """A five-level municipality with people in every role (see make_world)."""
    return make_world(FIVE_LEVELS)


@pytest.fixture
def three_level_world(db):
    return make_world(THREE_LEVELS)
