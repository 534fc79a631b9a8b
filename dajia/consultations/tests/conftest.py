"""Fixtures shared by the consultations tests (the draft session itself is ``draft_session`` in dajia/conftest.py)."""

import pytest


@pytest.fixture
def draft(draft_session):
    return draft_session
