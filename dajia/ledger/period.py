"""The year a ledger covers: the twelve calendar months up to and including the current one (the default, so
the ledger always shows "the past year" by whole months), or a calendar year the reader asks for (``?year=``).

A record belongs to the month of its own date (a case's finish, a consultation's logging, a loan's decision) in
Asia/Shanghai, so the monthly rows add up to the year's figure (``dajia/core/months.py``).
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from dajia.core.months import Period, month_start

YEAR_MIN, YEAR_MAX = 2000, 2100


def past_year(today: datetime.date | None = None) -> Period:
    """The twelve months ending with this one."""
    today = today or timezone.localdate()
    return Period(start=month_start(today, 11), end=month_start(today, -1))


def calendar_year(year: int) -> Period:
    return Period(start=datetime.date(year, 1, 1), end=datetime.date(year + 1, 1, 1))
