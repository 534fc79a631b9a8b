"""Whole local months: a span of them (:class:`Period`), the month a moment falls in, and the query expression
that tells which of a period's months a record's date falls in (:class:`MonthIndex`). The outcome ledger's
periods and the desk's monthly tallies read their months here, so that a record is in the same month for both:
the month of its own date in the project's time zone (Asia/Shanghai).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import DateTimeField, Expression, F, IntegerField
from django.utils import timezone


@dataclass(frozen=True)
class Period:
    """Whole months, from ``start`` (a month's first day) to ``end`` (the first day after the last)."""

    start: datetime.date  # the first day
    end: datetime.date  # the day after the last

    @property
    def last(self) -> datetime.date:
        return self.end - datetime.timedelta(days=1)

    def moments(self) -> tuple[datetime.datetime, datetime.datetime]:
        """The period's bounds as aware datetimes (local midnight), for records dated to the second."""
        return tuple(midnight(day) for day in (self.start, self.end))

    def months(self) -> list[Period]:
        """The period's calendar months, in order, each a period of its own."""
        firsts = []
        day = self.start
        while day < self.end:
            firsts.append(day)
            day = month_start(day, -1)
        return [
            Period(start=a, end=min(b, self.end))
            for a, b in zip(firsts, [*firsts[1:], self.end], strict=True)
        ]

    @property
    def label(self) -> str:
        return f"{self.start:%Y-%m} – {self.last:%Y-%m}"


def midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def month_start(day: datetime.date, back: int) -> datetime.date:
    """The first day of the month ``back`` months before ``day``'s (after it, for a negative ``back``)."""
    months = day.year * 12 + day.month - 1 - back
    return datetime.date(months // 12, months % 12 + 1, 1)


def month_of(moment: datetime.datetime) -> datetime.date:
    """The first day of the local month a moment falls in."""
    return timezone.localtime(moment).date().replace(day=1)


def month_period(first: datetime.date) -> Period:
    """The month that starts on ``first``, as a period."""
    return Period(start=first, end=month_start(first, -1))


def covering(firsts: set[datetime.date] | list[datetime.date]) -> Period:
    """The months from the earliest of ``firsts`` to the latest, as one period."""
    return Period(start=min(firsts), end=month_start(max(firsts), -1))


class MonthIndex(Expression):
    """``CASE WHEN field < <end of the period's first month> THEN 0 WHEN … THEN 1 … END``: which month of
    ``period`` a date or a moment (compared with local midnights) falls in, NULL outside it.

    A query groups by it to count each month in one pass: truncating to the month instead would call a Python
    function for every row on SQLite (``django_datetime_trunc``), and one filtered aggregate per month costs
    the ORM a dozen filters to build for every query."""

    output_field = IntegerField()

    def __init__(self, field: str, period: Period):
        super().__init__()
        self.source = F(field)
        self.period = period

    def get_source_expressions(self):
        return [self.source]

    def set_source_expressions(self, exprs):
        (self.source,) = exprs

    def as_sql(self, compiler, connection):
        column, column_params = compiler.compile(self.source)
        field = self.source.output_field
        dated = not isinstance(field, DateTimeField)
        bounds = [self.period.start] + [m.end for m in self.period.months()]
        values = [field.get_db_prep_value(b if dated else midnight(b), connection) for b in bounds]
        sql = [f"CASE WHEN {column} < %s THEN NULL"]
        params = [*column_params, values[0]]
        for n, value in enumerate(values[1:]):
            sql.append(f"WHEN {column} < %s THEN {n}")
            params += [*column_params, value]
        return " ".join(sql) + " END", params
