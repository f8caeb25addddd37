import pytest

from tests.budget.conftest import budget  # noqa: F401  (the test world's budget 2026)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
