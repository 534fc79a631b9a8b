"""Who sees and does what in the health checks, and the reads the pages, the export and the report share.

Scope: an enterprise contact its enterprise's checks; an expert volunteer and a park office their parks'; the
office its federations'. Reviewing is for an expert volunteer of the check's park (the check's reviewer once one
has taken it); the self-check for the enterprise's contact, or the park office or union office entering a paper
自查表; moving the return visit for the park office and the union office.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Prefetch, Q, QuerySet

from dajia.accounts.permissions import (
    can_manage_federation,
    enterprise_contact_ids,
    expert_park_ids,
    is_office,
    office_federation_ids,
    park_office_ids,
)
from dajia.checkups.models import FAILED, CheckAnswer, ChecklistItem, ChecklistTemplate, HealthCheck
from dajia.desk.selectors import volunteer_of


def visible_filter(user) -> Q | None:
    """The checks ``user`` may see, or None for a user with no role here (their pages answer 403)."""
    contact = enterprise_contact_ids(user)
    parks = expert_park_ids(user) | park_office_ids(user)
    federations = office_federation_ids(user) if is_office(user) else set()
    if not (contact or parks or federations):
        return None
    return Q(enterprise_id__in=contact) | Q(park_id__in=parks) | Q(federation_id__in=federations)


def visible_checks(user) -> QuerySet[HealthCheck]:
    where = visible_filter(user)
    checks = HealthCheck.objects.select_related("enterprise", "park", "reviewer__user")
    return checks.none() if where is None else checks.filter(where)


def may_manage(user, check: HealthCheck) -> bool:
    """The park office of the check's park or the union office: they open checks and move return visits."""
    return check.park_id in park_office_ids(user) or can_manage_federation(user, check.federation_id)


def may_open(user, enterprise) -> bool:
    return (
        enterprise.pk in enterprise_contact_ids(user)
        or enterprise.park_id in park_office_ids(user)
        or enterprise.park_id in expert_park_ids(user)
        or can_manage_federation(user, enterprise.federation_id)
    )


def may_self_check(user, check: HealthCheck) -> bool:
    return check.enterprise_id in enterprise_contact_ids(user) or may_manage(user, check)


def may_review(user, check: HealthCheck) -> bool:
    volunteer = volunteer_of(user)
    return (
        volunteer is not None
        and check.park_id in expert_park_ids(user)
        and check.reviewer_id in (None, volunteer.pk)
    )


def may_record_visit(user, check: HealthCheck) -> bool:
    volunteer = volunteer_of(user)
    return (volunteer is not None and check.reviewer_id == volunteer.pk) or may_manage(user, check)


def answers(check: HealthCheck) -> list[CheckAnswer]:
    """The check's rows in the checklist's order, with their follow-up cases (for the page and the report)."""
    return list(check.answers.select_related("follow_up").order_by("position", "id"))


def office_list(
    checks: QuerySet[HealthCheck], *, park_id=None, status=None, risk=None, since=None, until=None
):
    """The list page's and the export's checks, filtered, with the count of failed and red-alert items."""
    if park_id:
        checks = checks.filter(park_id=park_id)
    if status:
        checks = checks.filter(status=status)
    if risk:
        checks = checks.filter(answers__risk=risk).distinct()
    if since:
        checks = checks.filter(created_at__date__gte=since)
    if until:
        checks = checks.filter(created_at__date__lte=until)
    return checks.annotate(
        failed_count=Count("answers", filter=Q(answers__risk__in=FAILED), distinct=True),
        red_count=Count("answers", filter=Q(answers__risk="red"), distinct=True),
    ).order_by("-created_at", "-id")


def visits_due(user, *, today: datetime.date) -> QuerySet[HealthCheck]:
    """The reviewer's return visits that are due (the workbench and the reminder job)."""
    volunteer = volunteer_of(user)
    if volunteer is None:
        return HealthCheck.objects.none()
    return due_visits(today=today).filter(reviewer=volunteer)


def due_visits(*, today: datetime.date) -> QuerySet[HealthCheck]:
    return HealthCheck.objects.filter(
        status=HealthCheck.Status.REPORTED, visit_due__lte=today
    ).select_related("enterprise", "park")


def to_review(user) -> QuerySet[HealthCheck]:
    volunteer = volunteer_of(user)
    if volunteer is None:
        return HealthCheck.objects.none()
    return (
        HealthCheck.objects.filter(status=HealthCheck.Status.REVIEW, park_id__in=expert_park_ids(user))
        .filter(Q(reviewer__isnull=True) | Q(reviewer=volunteer))
        .select_related("enterprise", "park")
    )


def template_of(federation_id: int) -> ChecklistTemplate | None:
    return (
        ChecklistTemplate.objects.filter(federation_id=federation_id)
        .prefetch_related(Prefetch("items", queryset=ChecklistItem.objects.order_by("position", "id")))
        .first()
    )
