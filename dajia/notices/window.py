"""The 公示 window: the one place that says when objections to a published session may be filed.

It runs ``objection_days`` working days (``dajia.core.workdays``: public holidays and 调休 counted), from the
day after publication; an objection is accepted until the end of its last day (Asia/Shanghai). The notice page,
the objection form, the code request and the job that closes due windows all ask :func:`notice_window`, so they
agree on every date. Imports only the session models and the core calendar, so any app may call it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from dajia.consultations.models import PublishedResult, Session
from dajia.core.workdays import HolidayCalendar, Workdays, workdays


@dataclass(frozen=True)
class NoticeWindow:
    published_at: datetime.datetime
    start: datetime.date  # first working day after publication
    end: datetime.date  # last day on which an objection is accepted (inclusive)
    unsure_years: tuple[int, ...] = ()  # years in the window whose holidays nobody has entered yet

    def is_open(self, now: datetime.datetime | None = None) -> bool:
        return timezone.localdate(now or timezone.now()) <= self.end

    def has_closed(self, now: datetime.datetime | None = None) -> bool:
        return not self.is_open(now)


def window_for(published_at: datetime.datetime, days: int, calendar: Workdays) -> NoticeWindow:
    day = timezone.localdate(published_at)
    end = calendar.add_working_days(day, days)
    return NoticeWindow(
        published_at=published_at,
        start=calendar.add_working_days(day, 1),
        end=end,
        unsure_years=tuple(calendar.unsure_years(day, end)),
    )


def notice_window(
    session: Session, *, calendar: Workdays | None = None, base: HolidayCalendar | None = None
) -> NoticeWindow | None:
    """The window of a published session (None before publication). ``calendar`` lets a caller that checks many
    sessions build the calendar once; ``base`` swaps the national calendar (tests)."""
    if session.state != Session.State.PUBLISHED:
        return None
    at = session.published_at
    if at is None:  # sessions published before the session kept its own time
        at = PublishedResult.objects.filter(session=session).values_list("published_at", flat=True).first()
        if at is None:
            return None
    return window_for(at, session.objection_days, calendar or workdays(base))


def require_open(session: Session, now: datetime.datetime | None = None) -> NoticeWindow:
    """The open window, or a ValidationError saying why objections are not accepted."""
    window = notice_window(session)
    if window is None:
        raise ValidationError(_("Objections can be filed once the results are published."))
    if not window.is_open(now):
        raise ValidationError(
            _("The objection period ended on %(date)s; objections are no longer accepted.")
            % {"date": window.end.isoformat()}
        )
    return window
