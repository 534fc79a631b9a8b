"""Leave on the rota: a volunteer records their own, the team lead or the office records it for a volunteer of
their team. Routing reads leave (dajia/desk/decide.py), so a volunteer on leave is never suggested."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dajia.accounts.permissions import can_manage_federation, expert_park_ids
from dajia.core import audit
from dajia.desk import selectors
from dajia.desk.models import Leave, Volunteer


def may_record_leave(user, volunteer: Volunteer) -> bool:
    if selectors.volunteer_of(user) == volunteer or can_manage_federation(user, volunteer.federation_id):
        return True
    return bool(selectors.led_park_ids(user) & expert_park_ids(volunteer.user))


@transaction.atomic
def leave_record(
    *, actor, volunteer: Volunteer, starts: datetime.date, ends: datetime.date, reason: str = ""
) -> Leave:
    if not may_record_leave(actor, volunteer):
        raise PermissionDenied
    if ends < starts:
        raise ValidationError({"ends": _("The last day cannot be before the first.")})
    leave = Leave.objects.create(
        volunteer=volunteer, starts=starts, ends=ends, reason=(reason or "").strip()[:120]
    )
    audit.log(
        actor=actor,
        action="desk.leave.record",
        obj=leave,
        after=audit.snapshot(leave, ["volunteer_id", "starts", "ends", "reason"]),
        federation_id=volunteer.federation_id,
    )
    return leave
