"""Writes of the legal health checks, batch-first (the demo and the office hand them lists): the office's
checklist, opening checks, the self-check, the volunteers' review, issuing the report — which opens one follow-up
case on the desk per failed item, through the desk's own ``case_raise`` — and the return visit. Each is one
transaction with one audit call; whom each step tells goes through the one notify service. The return visit
is services_visits.py's.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dajia.accounts.models import Role
from dajia.accounts.permissions import require_office
from dajia.checkups import decide, selectors
from dajia.checkups.models import Area, CheckAnswer, ChecklistItem, ChecklistTemplate, HealthCheck
from dajia.core import audit
from dajia.core.inputs import clean_text
from dajia.core.workdays import workdays
from dajia.desk import services as desk
from dajia.desk.models import Volunteer
from dajia.desk.selectors import volunteer_of
from dajia.notifications.services import Notice, notifications_send


@dataclass(frozen=True)
class SelfInput:
    answer: str  # SelfAnswer
    note: str = ""


@dataclass(frozen=True)
class ReviewInput:
    risk: str  # Risk
    recommendation: str = ""


def _contacts(enterprise_id: int) -> Q:
    return Q(roles__role=Role.ENTERPRISE, roles__enterprise_id=enterprise_id)


def _url(check: HealthCheck) -> str:
    return reverse("checkups:detail", args=[check.pk])


# The checklist ---------------------------------------------------------------------------------------------


def _clean_item(area: str, question: str) -> tuple[str, str]:
    if area not in Area.values:
        raise ValidationError({"area": _("Choose the area of the item.")})
    return area, clean_text(question, field="question", max_length=300, label=_("the question"))


@transaction.atomic
def checklist_item_add(*, actor, federation, area: str, question: str) -> ChecklistItem:
    """Add a question to the federation's checklist (made on the first item), at the end."""
    require_office(actor, federation.pk)
    area, question = _clean_item(area, question)
    template, _created = ChecklistTemplate.objects.get_or_create(
        federation=federation, defaults={"name": f"{federation.name}法治体检清单"}
    )
    last = template.items.order_by("-position").values_list("position", flat=True).first()
    item = ChecklistItem.objects.create(
        template=template, area=area, question=question, position=(last or 0) + 1
    )
    audit.log(
        actor=actor,
        action="checkups.item.add",
        obj=item,
        after=audit.snapshot(item, ["area", "question", "position"]),
        federation_id=federation.pk,
    )
    return item


@transaction.atomic
def checklist_item_update(
    *, actor, item: ChecklistItem, area: str, question: str, position: int, is_active: bool
) -> ChecklistItem:
    """Reword, move or retire an item. Checks already opened keep their own copy of the question."""
    item = ChecklistItem.objects.select_for_update().select_related("template").get(pk=item.pk)
    require_office(actor, item.template.federation_id)
    fields = ["area", "question", "position", "is_active"]
    before = audit.snapshot(item, fields)
    item.area, item.question = _clean_item(area, question)
    item.position = position
    item.is_active = is_active
    item.save(update_fields=fields)
    audit.log(
        actor=actor,
        action="checkups.item.update",
        obj=item,
        before=before,
        after=audit.snapshot(item, fields),
        federation_id=item.template.federation_id,
    )
    return item


# Opening, the self-check, the review ---------------------------------------------------------------------


@transaction.atomic
def checks_open(
    *, actor, enterprises: Sequence, reviewer: Volunteer | None = None, now: datetime.datetime | None = None
) -> list[HealthCheck]:
    """Open a check for each enterprise with its federation's active checklist; the enterprise is told to fill
    the self-check. A reviewer named here must serve the enterprise's park."""
    now = now or timezone.now()
    if not enterprises:
        return []
    templates: dict[int, ChecklistTemplate] = {}
    items: dict[int, list[ChecklistItem]] = {}
    reviewer_parks = (
        set(reviewer.user.roles.filter(role=Role.EXPERT).values_list("park_id", flat=True))
        if reviewer
        else set()
    )
    busy = set(
        HealthCheck.objects.filter(
            enterprise__in=enterprises, status__in=[HealthCheck.Status.SELF_CHECK, HealthCheck.Status.REVIEW]
        ).values_list("enterprise_id", flat=True)
    )
    checks = []
    for enterprise in enterprises:
        if enterprise.park_id is None:
            raise ValidationError({"enterprise": _("This enterprise is not in a park.")})
        if not selectors.may_open(actor, enterprise):
            raise PermissionDenied
        if enterprise.pk in busy:
            raise ValidationError(
                {"enterprise": _("%(name)s already has a check under way.") % {"name": enterprise.name}}
            )
        if reviewer is not None and enterprise.park_id not in reviewer_parks:
            raise ValidationError({"reviewer": _("The reviewer does not serve this enterprise's park.")})
        federation_id = enterprise.federation_id
        if federation_id not in templates:
            template = selectors.template_of(federation_id)
            active = [i for i in template.items.all() if i.is_active] if template else []
            if not active:
                raise ValidationError(_("The checklist has no items yet: the union office adds them first."))
            templates[federation_id], items[federation_id] = template, active
        checks.append(
            HealthCheck(
                federation_id=federation_id,
                park_id=enterprise.park_id,
                enterprise=enterprise,
                template=templates[federation_id],
                reviewer=reviewer,
                opened_by=actor,
                created_at=now,
            )
        )
        busy.add(enterprise.pk)
    HealthCheck.objects.bulk_create(checks)
    CheckAnswer.objects.bulk_create(
        CheckAnswer(health_check=c, item=i, area=i.area, question=i.question, position=i.position)
        for c in checks
        for i in items[c.federation_id]
    )
    audit.log_many(
        [
            audit.record(
                actor=actor,
                action="checkups.check.open",
                obj=c,
                after={"enterprise_id": c.enterprise_id, "reviewer_id": c.reviewer_id},
                federation_id=c.federation_id,
            )
            for c in checks
        ]
    )
    notifications_send(
        notices=[
            Notice(
                event="checkups.check.opened",
                key=f"checkup-{c.pk}-opened",
                text=gettext_lazy("A legal health check %(check)s is open: please fill in the self-check."),
                params={"check": c.number},
                url=_url(c),
                audience=_contacts(c.enterprise_id),
                exclude_user_id=getattr(actor, "pk", None),
            )
            for c in checks
        ]
    )
    return checks


def _update_grouped(rows: list[CheckAnswer], fields: list[str]) -> None:
    """Write ``fields`` of ``rows`` with one UPDATE per distinct set of values: a self-check or a review is mostly
    the same answer ("yes", "passes") many times, which a row-by-row CASE statement would spell out again."""
    groups: dict[tuple, list[int]] = {}
    for row in rows:
        groups.setdefault(tuple(getattr(row, f) for f in fields), []).append(row.pk)
    for values, ids in groups.items():
        CheckAnswer.objects.filter(pk__in=ids).update(**dict(zip(fields, values, strict=True)))


def _locked(answer_ids) -> tuple[list[CheckAnswer], dict[int, HealthCheck]]:
    rows = list(CheckAnswer.objects.filter(pk__in=list(answer_ids)).only("id", "health_check_id"))
    if len(rows) != len(set(answer_ids)):
        raise ValidationError(_("An item of this check no longer exists; reload the page."))
    check_ids = {r.health_check_id for r in rows}
    checks = {
        c.pk: c
        for c in HealthCheck.objects.select_for_update(of=("self",))
        .select_related("enterprise", "park")
        .filter(pk__in=check_ids)
        .order_by("pk")
    }
    answers = list(
        CheckAnswer.objects.filter(health_check_id__in=check_ids).order_by("health_check_id", "id")
    )
    return answers, checks


@transaction.atomic
def selfchecks_submit(
    *, actor, answers: Mapping[int, SelfInput], now: datetime.datetime | None = None
) -> list[HealthCheck]:
    """Hand in self-checks: every item of each check answered (yes / no / does not apply, with a note). The
    check goes to review; its reviewer, if one was named, is told."""
    now = now or timezone.now()
    rows, checks = _locked(answers)
    for check in checks.values():
        if not selectors.may_self_check(actor, check):
            raise PermissionDenied
        if check.status != HealthCheck.Status.SELF_CHECK:
            raise ValidationError(
                _("The self-check of %(check)s was already handed in.") % {"check": check.number}
            )
    changed = []
    for row in rows:
        given = answers.get(row.pk)
        error = decide.self_answer_error(given.answer if given else "")
        if error:
            raise ValidationError({f"answer_{row.pk}": error})
        row.answer = given.answer
        row.answer_note = clean_text(
            given.note, field=f"note_{row.pk}", max_length=300, label=_("the note"), required=False
        )
        changed.append(row)
    _update_grouped(changed, ["answer", "answer_note"])
    for check in checks.values():
        check.status = HealthCheck.Status.REVIEW
        check.self_checked_at = now
    HealthCheck.objects.filter(pk__in=list(checks)).update(
        status=HealthCheck.Status.REVIEW, self_checked_at=now
    )
    audit.log_many(
        [
            audit.record(
                actor=actor,
                action="checkups.check.self_check",
                obj=c,
                after={"status": c.status, "answers": sum(1 for r in changed if r.health_check_id == c.pk)},
                federation_id=c.federation_id,
            )
            for c in checks.values()
        ]
    )
    notifications_send(
        notices=[
            Notice(
                event="checkups.check.to_review",
                key=f"checkup-{c.pk}-to-review",
                text=gettext_lazy("The self-check of %(check)s (%(enterprise)s) waits for your review."),
                params={"check": c.number, "enterprise": c.enterprise.name},
                url=_url(c),
                audience=Q(volunteer__pk=c.reviewer_id),
            )
            for c in checks.values()
            if c.reviewer_id
        ]
    )
    return list(checks.values())


@transaction.atomic
def reviews_save(*, actor, reviews: Mapping[int, ReviewInput]) -> list[HealthCheck]:
    """Record the review of items (some or all; the report needs all): passes, or a risk with its
    recommendation. The first volunteer to review a check becomes its reviewer."""
    rows, checks = _locked(reviews)
    volunteer = volunteer_of(actor)
    for check in checks.values():
        if not selectors.may_review(actor, check):
            raise PermissionDenied
        if check.status != HealthCheck.Status.REVIEW:
            raise ValidationError(_("%(check)s is not awaiting review.") % {"check": check.number})
    changed = []
    for row in rows:
        given = reviews.get(row.pk)
        if given is None:
            continue
        recommendation = clean_text(
            given.recommendation,
            field=f"recommendation_{row.pk}",
            max_length=500,
            label=_("the recommendation"),
            required=False,
        )
        error = decide.review_error(given.risk, recommendation)
        if error:
            raise ValidationError({f"risk_{row.pk}": error})
        row.risk, row.recommendation = given.risk, recommendation
        changed.append(row)
    _update_grouped(changed, ["risk", "recommendation"])
    newly = [c for c in checks.values() if c.reviewer_id is None]
    for check in newly:
        check.reviewer = volunteer
    HealthCheck.objects.filter(pk__in=[c.pk for c in newly]).update(reviewer=volunteer)
    audit.log_many(
        [
            audit.record(
                actor=actor,
                action="checkups.check.review",
                obj=c,
                after={
                    "reviewer_id": c.reviewer_id,
                    "reviewed": {r.pk: r.risk for r in changed if r.health_check_id == c.pk},
                },
                federation_id=c.federation_id,
            )
            for c in checks.values()
        ]
    )
    return list(checks.values())


# The report, the follow-ups, the return visit ----------------------------------------------------------------


def _open_follow_up(actor, check: HealthCheck, row: CheckAnswer, now: datetime.datetime):
    """The failed item's case on the desk, raised through the desk's own service (its routing, conflict check
    and notices); the check's reviewer takes it when the desk allows — otherwise the desk routes it."""
    case = desk.case_raise(
        actor=actor,
        enterprise=check.enterprise,
        park=check.park,
        specialty=check.reviewer.specialty,
        description=decide.follow_up_description(
            number=check.number,
            area=str(Area(row.area).label),
            question=row.question,
            recommendation=row.recommendation,
        ),
        urgency=decide.follow_up_urgency(row.risk),
        now=now,
    )
    try:
        desk.case_assign(actor=actor, case=case, volunteer=check.reviewer, now=now)
    except (ValidationError, PermissionDenied):
        # A conflict of interest or another specialty: the case waits for the desk's routing like any other.
        case.refresh_from_db()
    return case


@transaction.atomic
def reports_issue(
    *, actor, checks: Sequence[HealthCheck], now: datetime.datetime | None = None
) -> list[HealthCheck]:
    """Issue the 《法律风险评估报告》 of reviewed checks: each failed item opens exactly one follow-up case on the
    desk (a red alert an urgent one), the return visit is scheduled on the working-day calendar and the enterprise
    is told. A check whose report was already issued is left as it is: re-issuing never opens a second case."""
    now = now or timezone.now()
    locked = list(
        HealthCheck.objects.select_for_update(of=("self",))
        .select_related("enterprise", "park", "reviewer")
        .filter(pk__in=[c.pk for c in checks])
        .order_by("pk")
    )
    pending = [c for c in locked if c.reported_at is None]
    if not pending:
        return locked
    volunteer = volunteer_of(actor)
    for check in pending:
        if not (
            (volunteer is not None and check.reviewer_id == volunteer.pk)
            or selectors.may_manage(actor, check)
        ):
            raise PermissionDenied
        if check.status != HealthCheck.Status.REVIEW or check.reviewer_id is None:
            raise ValidationError(_("%(check)s is not reviewed yet.") % {"check": check.number})
    rows = list(
        CheckAnswer.objects.filter(health_check__in=pending).order_by("health_check_id", "position", "id")
    )
    by_check: dict[int, list[CheckAnswer]] = {}
    for row in rows:
        by_check.setdefault(row.health_check_id, []).append(row)
    for check in pending:
        if any(not r.risk for r in by_check.get(check.pk, [])):
            raise ValidationError(
                _("Review every item of %(check)s before issuing its report.") % {"check": check.number}
            )
    calendar = workdays()
    reported = timezone.localtime(now).date()
    due = decide.visit_due(
        reported, calendar=calendar, working_days=settings.DAJIA_CHECKUPS_VISIT_WORKING_DAYS
    )
    opened = []
    for check in pending:
        for row in by_check.get(check.pk, []):
            if row.failed and row.follow_up_id is None:
                row.follow_up = _open_follow_up(actor, check, row, now)
                opened.append(row)
        check.status = HealthCheck.Status.REPORTED
        check.reported_at = now
        check.visit_due = due
    CheckAnswer.objects.bulk_update(opened, ["follow_up"])
    HealthCheck.objects.filter(pk__in=[c.pk for c in pending]).update(
        status=HealthCheck.Status.REPORTED, reported_at=now, visit_due=due
    )
    audit.log_many(
        [
            audit.record(
                actor=actor,
                action="checkups.check.report",
                obj=c,
                after={
                    "status": c.status,
                    "visit_due": c.visit_due,
                    "follow_ups": [r.follow_up_id for r in opened if r.health_check_id == c.pk],
                },
                federation_id=c.federation_id,
            )
            for c in pending
        ]
    )
    notifications_send(
        notices=[
            Notice(
                event="checkups.check.reported",
                key=f"checkup-{c.pk}-reported",
                text=gettext_lazy(
                    "The legal risk assessment report of %(check)s is issued; the return visit is due on %(due)s."
                ),
                params={"check": c.number, "due": c.visit_due.isoformat()},
                url=_url(c),
                audience=_contacts(c.enterprise_id),
            )
            for c in pending
        ]
    )
    return locked
