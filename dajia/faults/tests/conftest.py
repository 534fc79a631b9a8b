"""Fixtures of the fault tests: a database shared with server subprocesses, and a running session."""

from __future__ import annotations

import pytest

# A test database that server subprocesses can open too (copied to a file on SQLite; as is on PostgreSQL).
from dajia.live.tests.conftest import shared_db  # noqa: F401 - a fixture

PANEL = [(f"政协委员{i + 1:02d}", "政协委员") for i in range(4)] + [
    (f"工会主席{i + 1:02d}", "基层工会主席") for i in range(8)
]


@pytest.fixture
def open_session(office_user, federation, provider, other_provider, make_project):
    """A session in progress: 12 evaluators, 4 projects, every scoring window open (48 sheets to send)."""
    from dajia.consultations.tests.test_services_support import make_session

    return make_session(
        actor=office_user,
        federation=federation,
        providers=[provider, other_provider],
        make_project=make_project,
        evaluators=PANEL,
        weights={"政协委员": "0.4", "基层工会主席": "0.6"},
        n_projects=4,
    )
