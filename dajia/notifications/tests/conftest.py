"""Fixtures of the notifications tests: a file sender of the test's own, and the agreements' world."""

import pytest


@pytest.fixture
def sms_file(settings, tmp_path):
    """Send through the file sender into this test's own file; returns a reader of what it wrote."""
    from dajia.core import sms

    path = tmp_path / "sms.jsonl"
    settings.DAJIA_SMS_BACKEND = "dajia.core.sms.FileSender"
    settings.DAJIA_SMS_FILE = str(path)
    return lambda: sms.read_file_outbox(path)


from dajia.agreements.tests.fixtures import *  # noqa: E402, F403
