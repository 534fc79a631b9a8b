"""What the bench's tests share: a tiny live session as ``bench_generate --live`` describes it."""

from __future__ import annotations

import pytest

from dajia.bench import ingestion


@pytest.fixture
def tiny_plan() -> ingestion.Plan:
    """Two client threads, half sheets, over a session of 3 projects, 5 evaluators and 4 viewers (K = 2)."""
    live = {
        "session": 7,
        "entries": [11, 12, 13],
        "criteria": [{"id": 1, "max": 30}, {"id": 2, "max": 20}],
        "evaluators": 5,
        "viewers": 4,
        "csrf": "c" * 32,
        "support_limit": 2,
    }
    return ingestion.Plan.from_fixture(live, threads=2, sheet_share=50, votes=True)
