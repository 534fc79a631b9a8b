"""Calendars injected by tests (``DAJIA_HOLIDAY_CALENDAR`` or ``base=``), so a test does not depend on which years
the installed ``chinesecalendar`` happens to know."""

from __future__ import annotations

import datetime

from dajia.core.workdays import ChineseCalendar


class UpTo2026(ChineseCalendar):
    """The national calendar as published up to 2026: it knows nothing of 2027 or later."""

    def is_workday(self, day: datetime.date) -> bool | None:
        if day.year >= 2027:
            return None
        return super().is_workday(day)


class WeekdaysOnly:
    """Monday to Friday, every year known (no public holiday)."""

    def is_workday(self, day: datetime.date) -> bool | None:
        return day.weekday() < 5
