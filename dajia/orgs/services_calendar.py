"""Writes of the office's working-day calendar (``dajia.core.workdays``): extra holidays and working days for
years or changes the national calendar does not know, and the office hours. Office staff only; audited.

The tables and the reading of them stay in ``core`` (every app counts working days); the writes live here,
above ``accounts``, because they ask who is office staff, and ``core`` imports no domain app.

The calendar is one for the whole installation (public holidays are national), so every office user may keep
it; the audit entry is filed under the editor's own federation so it shows in that office's log.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dajia.accounts.permissions import office_scope
from dajia.core import audit
from dajia.core.models import CalendarDay, OfficeHoursSetting


def _editor_federation_id(actor) -> int | None:
    """The federation the audit entry is filed under (any office user may keep the one calendar)."""
    ids = office_scope(actor)
    return min(ids) if ids else None


@transaction.atomic
def calendar_day_set(*, actor, day: datetime.date, kind: str, note: str = "") -> CalendarDay:
    """Declare ``day`` a holiday or a working day (replacing what the office said of that day before)."""
    federation_id = _editor_federation_id(actor)
    if kind not in CalendarDay.Kind.values:
        raise ValidationError({"kind": _("Choose holiday or working day.")})
    if not 2000 <= day.year <= 2100:
        raise ValidationError({"day": _("Give a date between 2000 and 2100.")})
    row = CalendarDay.objects.select_for_update().filter(day=day).first()
    return _save(
        row or CalendarDay(day=day),
        {"kind": kind, "note": note.strip()[:100]},
        existed=row is not None,
        actor=actor,
        action="core.calendar.set",
        federation_id=federation_id,
    )


def _save(row, values: dict, *, existed: bool, actor, action: str, federation_id: int | None):
    """Write ``values`` onto ``row`` (locked by the caller) with one audit entry of what changed."""
    fields = [f.name for f in row._meta.concrete_fields if f.name != "id"]
    before = audit.snapshot(row, fields) if existed else None
    for name, value in values.items():
        setattr(row, name, value)
    row.save()
    audit.log(
        actor=actor,
        action=action,
        obj=row,
        before=before,
        after=audit.snapshot(row, fields),
        federation_id=federation_id,
    )
    return row


@transaction.atomic
def calendar_day_remove(*, actor, day: CalendarDay) -> None:
    """Take the office's word about a day back: the national calendar (or Monday–Friday) applies again."""
    federation_id = _editor_federation_id(actor)
    before = audit.snapshot(day, ["day", "kind", "note"])
    audit.log(actor=actor, action="core.calendar.remove", obj=day, before=before, federation_id=federation_id)
    day.delete()


@transaction.atomic
def office_hours_set(
    *,
    actor,
    morning_opens: datetime.time,
    morning_closes: datetime.time,
    afternoon_opens: datetime.time,
    afternoon_closes: datetime.time,
) -> OfficeHoursSetting:
    federation_id = _editor_federation_id(actor)
    if not morning_opens < morning_closes <= afternoon_opens < afternoon_closes:
        raise ValidationError(_("Opening times must be in order: morning, then afternoon."))
    row = OfficeHoursSetting.objects.select_for_update().filter(pk=1).first()
    values = {
        "morning_opens": morning_opens,
        "morning_closes": morning_closes,
        "afternoon_opens": afternoon_opens,
        "afternoon_closes": afternoon_closes,
    }
    return _save(
        row or OfficeHoursSetting(pk=1),
        values,
        existed=row is not None,
        actor=actor,
        action="core.office_hours.set",
        federation_id=federation_id,
    )
