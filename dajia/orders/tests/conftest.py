import pytest

from dajia.agreements.tests.fixtures import *  # noqa: F403


@pytest.fixture(autouse=True)
def _private_media_root(settings, tmp_path):
    """Delivery photos go to the private storage; each test gets its own, as MEDIA_ROOT is (dajia/conftest.py)."""
    settings.DAJIA_PRIVATE_MEDIA_ROOT = tmp_path / "private"
