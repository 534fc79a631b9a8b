"""Service targets: first response and resolution within so many working hours, per urgency.

Hours are counted by the one working-day module (the office's hours, holidays and make-up days), so a case raised
before a holiday does not fall overdue during it.
"""

from __future__ import annotations

import datetime

from django.conf import settings

from dajia.core.workdays import Workdays


def target_hours(urgency: str) -> tuple[int, int]:
    return tuple(settings.DAJIA_DESK_TARGETS[urgency])


def overdue(
    *,
    urgency: str,
    created_at: datetime.datetime,
    responded_at: datetime.datetime | None,
    finished_at: datetime.datetime | None,
    now: datetime.datetime,
    calendar: Workdays,
) -> tuple[bool, bool]:
    """(response overdue, resolution overdue) at ``now``: more working hours have passed than the target."""
    response, resolution = (datetime.timedelta(hours=h) for h in target_hours(urgency))
    return (
        calendar.working_hours_between(created_at, responded_at or now) > response,
        calendar.working_hours_between(created_at, finished_at or now) > resolution,
    )
