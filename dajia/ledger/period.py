"""The year a ledger covers: the twelve calendar months up to and including the current one (the default, so
the ledger always shows "the past year" by whole months), or a calendar year the reader asks for (``?year=``).

A record belongs to the month of its own date (a case's finish, a consultation's logging, a loan's decision) in
Asia/Shanghai, so the monthly rows add up to the year's figure.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

YEAR_MIN, YEAR_MAX = 2000, 2100


@dataclass(frozen=True)
class Period:
    start: datetime.date  # the first day
    end: datetime.date  # the day after the last

    @property
    def last(self) -> datetime.date:
        return self.end - datetime.timedelta(days=1)

    def moments(self) -> tuple[datetime.datetime, datetime.datetime]:
        """The period's bounds as aware datetimes (local midnight), for records dated to the second."""
        return tuple(
            timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
            for day in (self.start, self.end)
        )

    def months(self) -> list[Period]:
        """The period's calendar months, in order, each a period of its own."""
        firsts = []
        day = self.start
        while day < self.end:
            firsts.append(day)
            day = _month_start(day, -1)
        return [
            Period(start=a, end=min(b, self.end))
            for a, b in zip(firsts, [*firsts[1:], self.end], strict=True)
        ]

    @property
    def label(self) -> str:
        return f"{self.start:%Y-%m} – {self.last:%Y-%m}"


def _month_start(day: datetime.date, back: int) -> datetime.date:
    months = day.year * 12 + day.month - 1 - back
    return datetime.date(months // 12, months % 12 + 1, 1)


def past_year(today: datetime.date | None = None) -> Period:
    """The twelve months ending with this one."""
    today = today or timezone.localdate()
    return Period(start=_month_start(today, 11), end=_month_start(today, -1))


def calendar_year(year: int) -> Period:
    return Period(start=datetime.date(year, 1, 1), end=datetime.date(year + 1, 1, 1))
