"""Whole local months: a period's months, and MonthIndex telling which month a moment or a date falls in, in
Shanghai, on both databases (the turn of a month is 16:00 UTC)."""

from __future__ import annotations

import datetime
import itertools
import zoneinfo

import pytest
from django.db.models import Count

from dajia.core.models import AuditLog, CalendarDay
from dajia.core.months import MonthIndex, Period, covering, month_of, month_period, month_start

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
FIRST_QUARTER = Period(start=datetime.date(2026, 1, 1), end=datetime.date(2026, 4, 1))


def test_a_period_has_its_calendar_months():
    year = Period(start=datetime.date(2026, 1, 1), end=datetime.date(2027, 1, 1))
    months = year.months()
    assert [m.start.month for m in months] == list(range(1, 13))
    assert months[0].start == year.start and months[-1].end == year.end
    assert all(a.end == b.start for a, b in itertools.pairwise(months))
    assert month_period(datetime.date(2026, 12, 1)) == Period(
        datetime.date(2026, 12, 1), datetime.date(2027, 1, 1)
    )
    assert covering({datetime.date(2026, 3, 1), datetime.date(2025, 11, 1)}) == Period(
        datetime.date(2025, 11, 1), datetime.date(2026, 4, 1)
    )
    assert month_start(datetime.date(2026, 1, 15), 1) == datetime.date(2025, 12, 1)


def test_a_moment_is_in_its_month_in_shanghai():
    assert month_of(datetime.datetime(2026, 1, 31, 15, 59, tzinfo=datetime.UTC)) == datetime.date(2026, 1, 1)
    assert month_of(datetime.datetime(2026, 1, 31, 16, 0, tzinfo=datetime.UTC)) == datetime.date(2026, 2, 1)


@pytest.mark.django_db
def test_month_index_groups_moments_by_their_local_month():
    moments = [
        datetime.datetime(2025, 12, 31, 23, 59, tzinfo=SHANGHAI),  # before the period
        datetime.datetime(2026, 1, 1, 0, 0, tzinfo=SHANGHAI),
        datetime.datetime(2026, 1, 31, 23, 30, tzinfo=SHANGHAI),
        datetime.datetime(2026, 2, 1, 0, 10, tzinfo=SHANGHAI),
        datetime.datetime(2026, 3, 31, 23, 59, tzinfo=SHANGHAI),
        datetime.datetime(2026, 4, 1, 0, 0, tzinfo=SHANGHAI),  # after it
    ]
    AuditLog.objects.bulk_create(
        AuditLog(at=at, action="test.month", object_type="t", object_id="1", object_repr="t")
        for at in moments
    )
    rows = AuditLog.objects.values(k=MonthIndex("at", FIRST_QUARTER)).annotate(n=Count("id")).order_by("k")
    assert sorted((r["k"], r["n"]) for r in rows if r["k"] is not None) == [(0, 2), (1, 1), (2, 1)]
    assert [r["n"] for r in rows if r["k"] is None] == [2]


@pytest.mark.django_db
def test_month_index_reads_a_date_as_its_day():
    days = [datetime.date(2026, 1, 31), datetime.date(2026, 2, 1), datetime.date(2026, 3, 31)]
    CalendarDay.objects.bulk_create(CalendarDay(day=d, kind="workday") for d in days)
    rows = (
        CalendarDay.objects.values(k=MonthIndex("day", FIRST_QUARTER)).annotate(n=Count("id")).order_by("k")
    )
    assert [(r["k"], r["n"]) for r in rows] == [(0, 1), (1, 1), (2, 1)]
