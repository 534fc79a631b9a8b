"""Writes of the return visit (回访), the last step of a health check: the office plans it (the report schedules it
on the working-day calendar, ``services.reports_issue``; the park office or the union office may move it), the
reviewer records it, and a daily job tells each reviewer of the visits that fall due. Batch-first, one
transaction and one audit call each, told through the one notify service."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dajia.checkups import selectors
from dajia.checkups.models import HealthCheck
from dajia.core import audit
from dajia.core.inputs import clean_text
from dajia.notifications.services import Notice, notifications_send


def _reported(check: HealthCheck) -> HealthCheck:
    check = HealthCheck.objects.select_for_update().filter(pk=check.pk).first()
    if check is None:
        raise PermissionDenied
    if check.status != HealthCheck.Status.REPORTED:
        raise ValidationError(_("The return visit can be planned and recorded once the report is issued."))
    return check


@transaction.atomic
def visit_move(*, actor, check: HealthCheck, due: datetime.date) -> HealthCheck:
    """The park office or the union office moves the return visit (not before the report)."""
    check = _reported(check)
    if not selectors.may_manage(actor, check):
        raise PermissionDenied
    if due < timezone.localtime(check.reported_at).date():
        raise ValidationError({"due": _("The return visit cannot be before the report.")})
    before = {"visit_due": check.visit_due}
    check.visit_due = due
    check.save(update_fields=["visit_due"])
    audit.log(
        actor=actor,
        action="checkups.visit.move",
        obj=check,
        before=before,
        after={"visit_due": due},
        federation_id=check.federation_id,
    )
    return check


@dataclass(frozen=True)
class VisitInput:
    check: HealthCheck
    visited_on: datetime.date
    note: str


@transaction.atomic
def visits_record(
    *, actor, visits: Sequence[VisitInput], today: datetime.date | None = None
) -> list[HealthCheck]:
    """The reviewer (or the park office, the union office) records return visits: when, what was found."""
    today = today or timezone.localdate()
    checks = {
        c.pk: c
        for c in HealthCheck.objects.select_for_update()
        .filter(pk__in=[v.check.pk for v in visits])
        .order_by("pk")
    }
    groups: dict[tuple[datetime.date, str], list[int]] = {}
    for v in visits:
        check = checks.get(v.check.pk)
        if check is None or not selectors.may_record_visit(actor, check):
            raise PermissionDenied
        if check.status != HealthCheck.Status.REPORTED:
            raise ValidationError(
                _("The return visit can be planned and recorded once the report is issued.")
            )
        if not timezone.localtime(check.reported_at).date() <= v.visited_on <= today:
            raise ValidationError({"visited_on": _("The visit date lies between the report and today.")})
        note = clean_text(v.note, field="note", max_length=500, label=_("what the visit found"))
        check.status, check.visited_on, check.visit_note, check.visited_by = (
            "visited",
            v.visited_on,
            note,
            actor,
        )
        groups.setdefault((v.visited_on, note), []).append(check.pk)
    for (visited_on, note), ids in groups.items():
        HealthCheck.objects.filter(pk__in=ids).update(
            status=HealthCheck.Status.VISITED, visited_on=visited_on, visit_note=note, visited_by=actor
        )
    audit.log_many(
        [
            audit.record(
                actor=actor,
                action="checkups.visit.record",
                obj=c,
                after={"status": c.status, "visited_on": c.visited_on, "note": c.visit_note},
                federation_id=c.federation_id,
            )
            for c in checks.values()
        ]
    )
    return list(checks.values())


def visit_record(
    *, actor, check: HealthCheck, visited_on: datetime.date, note: str, today: datetime.date | None = None
) -> HealthCheck:
    """One return visit (the page's): a batch of one."""
    return visits_record(actor=actor, visits=[VisitInput(check, visited_on, note)], today=today)[0]


@transaction.atomic
def visits_remind(*, today: datetime.date | None = None) -> int:
    """Tell each reviewer of the return visits that are due (a daily job). The notice's key names the due
    date, so a repeated run tells nobody twice and a moved visit is told again."""
    today = today or timezone.localdate()
    due = list(selectors.due_visits(today=today).filter(reviewer__isnull=False))
    notifications_send(
        notices=[
            Notice(
                event="checkups.visit.due",
                key=f"checkup-{c.pk}-visit-{c.visit_due.isoformat()}",
                text=gettext_lazy("The return visit of %(check)s (%(enterprise)s) is due on %(due)s."),
                params={"check": c.number, "enterprise": c.enterprise.name, "due": c.visit_due.isoformat()},
                url=reverse("checkups:detail", args=[c.pk]),
                audience=Q(volunteer__pk=c.reviewer_id),
            )
            for c in due
        ]
    )
    return len(due)
