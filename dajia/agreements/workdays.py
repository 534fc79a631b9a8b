"""Working days (Mon–Fri). Public holidays and 调休 make-up days are not modelled yet: a holiday counts as a
working day, which can only make the 公示 window shorter than the law's, so the office checks dates around
holidays (a calendar table is the next step)."""

from __future__ import annotations

import datetime


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5


def add_working_days(day: datetime.date, n: int) -> datetime.date:
    """The n-th working day after ``day`` (``day`` itself not counted); ``n == 0`` gives ``day``."""
    current = day
    left = n
    while left > 0:
        current += datetime.timedelta(days=1)
        if is_working_day(current):
            left -= 1
    return current


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end <= start``)."""
    count = 0
    current = start
    while current < end:
        current += datetime.timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count
