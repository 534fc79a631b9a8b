"""The one answer to "is this a working day", "add N working days" and "working hours between two times".

Every deadline in Dajia counts with this module (公示 windows now; expert-desk targets and bargaining deadlines
later), so they all agree. A day is a working day by, in this order:

1. the office's own table (:class:`dajia.core.models.CalendarDay`: an extra holiday or an extra working day),
   for years or changes the published calendar does not know yet;
2. the national calendar of public holidays and 调休 make-up working days (``chinesecalendar``, which knows only
   the years the State Council has announced);
3. Monday to Friday, for a year neither knows — such a day is *unsure*, and :meth:`Workdays.unsure_years`
   names its year so a page can warn that a deadline may be wrong until the office enters that year's days.

The national calendar is injectable (:class:`HolidayCalendar`): pass ``base=`` to :func:`workdays`, or name a
class in the setting ``DAJIA_HOLIDAY_CALENDAR``, so a test can use a calendar that lacks a year. ``core`` imports
no domain app, so every app can call this without an import circle.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class HolidayCalendar(Protocol):
    def is_workday(self, day: datetime.date) -> bool | None:
        """True/False when the calendar knows ``day``; None when it does not know that year."""


class ChineseCalendar:
    """The national calendar from ``chinesecalendar`` (public holidays and 调休 make-up working days)."""

    def is_workday(self, day: datetime.date) -> bool | None:
        import chinese_calendar

        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:  # a year the library was not released with
            return None


def default_calendar() -> HolidayCalendar:
    path = settings.DAJIA_HOLIDAY_CALENDAR
    return import_string(path)()


@dataclass(frozen=True)
class OfficeHours:
    """Opening periods of a working day, e.g. 8:30–12:00 and 13:30–17:30."""

    periods: tuple[tuple[datetime.time, datetime.time], ...]


DEFAULT_HOURS = OfficeHours(
    periods=((datetime.time(8, 30), datetime.time(12, 0)), (datetime.time(13, 30), datetime.time(17, 30)))
)


@dataclass
class Workdays:
    """A calendar: the national one plus the office's table. Build it with :func:`workdays`."""

    base: HolidayCalendar
    overrides: dict[datetime.date, bool] = field(default_factory=dict)  # day → is a working day
    office_years: frozenset[int] = frozenset()  # years the office has entered days for
    hours: OfficeHours = DEFAULT_HOURS

    def _answer(self, day: datetime.date) -> tuple[bool, bool]:
        """(is a working day, is that answer sure)."""
        if day in self.overrides:
            return self.overrides[day], True
        national = self.base.is_workday(day)
        if national is not None:
            return national, True
        return day.weekday() < 5, day.year in self.office_years

    def is_working_day(self, day: datetime.date) -> bool:
        return self._answer(day)[0]

    def is_sure(self, day: datetime.date) -> bool:
        return self._answer(day)[1]

    def add_working_days(self, day: datetime.date, n: int) -> datetime.date:
        """The n-th working day after ``day`` (``day`` itself not counted); ``n == 0`` gives ``day``."""
        if n < 0:
            raise ValueError("n must not be negative")
        current = day
        while n > 0:
            current += datetime.timedelta(days=1)
            if self.is_working_day(current):
                n -= 1
        return current

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when ``end <= start``)."""
        return sum(1 for day in _days(start, end) if self.is_working_day(day))

    def unsure_years(self, start: datetime.date, end: datetime.date) -> list[int]:
        """Years of the days after ``start`` up to ``end`` that neither calendar knows (warn about them)."""
        return sorted({day.year for day in _days(start, end) if not self.is_sure(day)})

    def working_hours_between(self, start: datetime.datetime, end: datetime.datetime) -> datetime.timedelta:
        """Office hours on working days between two aware times (Asia/Shanghai office hours)."""
        total = datetime.timedelta()
        if end <= start:
            return total
        start, end = timezone.localtime(start), timezone.localtime(end)
        zone = start.tzinfo
        day = start.date()
        while day <= end.date():
            if self.is_working_day(day):
                for opens, closes in self.hours.periods:
                    a = max(start, datetime.datetime.combine(day, opens, zone))
                    b = min(end, datetime.datetime.combine(day, closes, zone))
                    if b > a:
                        total += b - a
            day += datetime.timedelta(days=1)
        return total


def _days(start: datetime.date, end: datetime.date) -> Iterable[datetime.date]:
    current = start
    while current < end:
        current += datetime.timedelta(days=1)
        yield current


def workdays(base: HolidayCalendar | None = None) -> Workdays:
    """The calendar in force: ``base`` (default: the configured national calendar) plus the office's table and
    office hours from the database (two small queries)."""
    from dajia.core.models import CalendarDay, OfficeHoursSetting

    overrides = {}
    for day, kind in CalendarDay.objects.values_list("day", "kind"):
        overrides[day] = kind == CalendarDay.Kind.WORKDAY
    setting = OfficeHoursSetting.objects.first()
    return Workdays(
        base=base or default_calendar(),
        overrides=overrides,
        office_years=frozenset(day.year for day in overrides),
        hours=setting.as_hours() if setting else DEFAULT_HOURS,
    )


def is_working_day(day: datetime.date, *, base: HolidayCalendar | None = None) -> bool:
    return workdays(base).is_working_day(day)


def add_working_days(day: datetime.date, n: int, *, base: HolidayCalendar | None = None) -> datetime.date:
    return workdays(base).add_working_days(day, n)


def working_hours_between(
    start: datetime.datetime, end: datetime.datetime, *, base: HolidayCalendar | None = None
) -> datetime.timedelta:
    return workdays(base).working_hours_between(start, end)


def year_coverage(years, *, base: HolidayCalendar | None = None) -> list[dict]:
    """For the calendar page: per year, whether the national calendar knows it and how many days the office has
    entered (a year known to neither is counted Monday to Friday, with a warning on every deadline in it)."""
    from dajia.core.models import CalendarDay

    base = base or default_calendar()
    entered: dict[int, int] = {}
    for day in CalendarDay.objects.values_list("day", flat=True):
        entered[day.year] = entered.get(day.year, 0) + 1
    return [
        {
            "year": year,
            "national": base.is_workday(datetime.date(year, 1, 1)) is not None,
            "entered": entered.get(year, 0),
        }
        for year in years
    ]
