"""The health checks' services: who may do each step, what each step refuses, and the report's follow-ups —
exactly one desk case per failed item, however often the report is issued."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from dajia.checkups import services
from dajia.checkups.models import CheckAnswer, HealthCheck
from dajia.checkups.tests.conftest import NOW, review_all
from dajia.core.audit import AuditLog
from dajia.core.workdays import workdays
from dajia.desk.models import Case
from dajia.notifications.models import Message

pytestmark = pytest.mark.django_db


# The checklist


def test_the_office_adds_and_rewords_items_and_open_checks_keep_their_wording(
    checklist, office_user, open_check, enterprise
):
    check = open_check(enterprise)
    services.checklist_item_update(
        actor=office_user,
        item=checklist[0],
        area="contracts",
        question="新的问法？",
        position=9,
        is_active=True,
    )
    assert (
        check.answers.order_by("position").values_list("question", flat=True).first().startswith("是否自用工")
    )
    assert AuditLog.objects.filter(action="checkups.item.update").count() == 1


def test_a_retired_item_is_left_out_of_new_checks(checklist, office_user, open_check, other_enterprise):
    services.checklist_item_update(
        actor=office_user, item=checklist[2], area="women_minors", question="x？", position=3, is_active=False
    )
    assert open_check(other_enterprise).answers.count() == 2


def test_only_the_office_edits_the_checklist(federation, other_office_user, park_office_user, lawyer):
    for actor in (other_office_user, park_office_user, lawyer.user):
        with pytest.raises(PermissionDenied):
            services.checklist_item_add(actor=actor, federation=federation, area="wages", question="工资？")


def test_an_item_needs_an_area_and_a_question(federation, office_user):
    with pytest.raises(ValidationError) as e:
        services.checklist_item_add(actor=office_user, federation=federation, area="tax", question="？")
    assert e.value.message_dict == {"area": ["Choose the area of the item."]}
    with pytest.raises(ValidationError) as e:
        services.checklist_item_add(actor=office_user, federation=federation, area="wages", question="  ")
    assert list(e.value.message_dict) == ["question"]


# Opening


def test_a_check_copies_the_active_items_and_tells_the_enterprise(open_check, enterprise, contact_user):
    check = open_check(enterprise)
    assert (check.status, check.park_id, check.federation_id) == (
        "self_check",
        enterprise.park_id,
        enterprise.federation_id,
    )
    assert check.answers.count() == 3
    assert Message.objects.filter(recipient=contact_user, event="checkups.check.opened").count() == 1


def test_one_check_under_way_per_enterprise(open_check, enterprise):
    open_check(enterprise)
    with pytest.raises(ValidationError):
        open_check(enterprise)


def test_who_opens_a_check(open_check, enterprise, far_enterprise, contact_user, park_office_user, lawyer):
    assert open_check(enterprise, actor=contact_user).enterprise == enterprise
    with pytest.raises(PermissionDenied):  # not their enterprise, not their park
        open_check(far_enterprise, actor=contact_user)
    with pytest.raises(PermissionDenied):
        open_check(far_enterprise, actor=park_office_user)
    with pytest.raises(PermissionDenied):
        open_check(far_enterprise, actor=lawyer.user)


def test_the_named_reviewer_serves_the_park(open_check, far_enterprise, lawyer):
    with pytest.raises(ValidationError) as e:
        open_check(far_enterprise, reviewer=lawyer)
    assert e.value.message_dict == {"reviewer": ["The reviewer does not serve this enterprise's park."]}


def test_no_check_without_a_checklist(federation, office_user, enterprise):
    with pytest.raises(ValidationError):
        services.checks_open(actor=office_user, enterprises=[enterprise])


# The self-check


def _self(check, answer="yes"):
    return {a.pk: services.SelfInput(answer=answer, note="") for a in check.answers.all()}


def test_the_contact_hands_in_the_self_check_and_the_reviewer_hears(
    open_check, enterprise, contact_user, lawyer
):
    check = open_check(enterprise, reviewer=lawyer)
    services.selfchecks_submit(actor=contact_user, answers=_self(check, "no"), now=NOW)
    check.refresh_from_db()
    assert (check.status, check.self_checked_at) == ("review", NOW)
    assert Message.objects.filter(recipient=lawyer.user, event="checkups.check.to_review").count() == 1
    with pytest.raises(ValidationError):  # handed in once
        services.selfchecks_submit(actor=contact_user, answers=_self(check), now=NOW)


def test_not_yours_self_check(open_check, enterprise, other_contact_user, lawyer, far_lawyer):
    check = open_check(enterprise)
    for actor in (other_contact_user, lawyer.user, far_lawyer.user):
        with pytest.raises(PermissionDenied):
            services.selfchecks_submit(actor=actor, answers=_self(check))


def test_every_item_is_answered(open_check, enterprise, contact_user):
    check = open_check(enterprise)
    given = _self(check)
    given.pop(next(iter(given)))
    with pytest.raises(ValidationError):
        services.selfchecks_submit(actor=contact_user, answers=given)
    assert HealthCheck.objects.get(pk=check.pk).status == "self_check"


# The review


def test_the_first_volunteer_to_review_becomes_the_reviewer(in_review, lawyer, other_lawyer):
    rows = list(in_review.answers.order_by("position"))
    services.reviews_save(actor=lawyer.user, reviews={rows[0].pk: services.ReviewInput(risk="pass")})
    in_review.refresh_from_db()
    assert in_review.reviewer == lawyer
    with pytest.raises(PermissionDenied):
        services.reviews_save(
            actor=other_lawyer.user, reviews={rows[1].pk: services.ReviewInput(risk="pass")}
        )


def test_not_yours_review(in_review, far_lawyer, park_office_user, contact_user):
    row = in_review.answers.first()
    for actor in (far_lawyer.user, park_office_user, contact_user):
        with pytest.raises(PermissionDenied):
            services.reviews_save(actor=actor, reviews={row.pk: services.ReviewInput(risk="pass")})


def test_a_risk_needs_a_recommendation(in_review, lawyer):
    row = in_review.answers.first()
    with pytest.raises(ValidationError) as e:
        services.reviews_save(actor=lawyer.user, reviews={row.pk: services.ReviewInput(risk="high")})
    assert e.value.message_dict == {f"risk_{row.pk}": ["A risk needs a recommendation."]}


def test_the_database_keeps_a_risk_with_its_recommendation(in_review):
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckAnswer.objects.filter(pk=in_review.answers.first().pk).update(risk="red", recommendation="")


# The report


def test_issuing_opens_one_follow_up_per_failed_item(in_review, lawyer, contact_user):
    review_all(in_review, lawyer.user, ["red", "low", "pass"])
    services.reports_issue(actor=lawyer.user, checks=[in_review], now=NOW)
    check = HealthCheck.objects.get(pk=in_review.pk)
    assert check.status == "reported" and check.reported_at == NOW
    rows = list(check.answers.order_by("position").select_related("follow_up"))
    assert [r.follow_up is not None for r in rows] == [True, True, False]
    red, low = rows[0].follow_up, rows[1].follow_up
    assert (red.urgency, low.urgency) == ("urgent", "low")
    assert red.enterprise_id == check.enterprise_id and red.specialty == "lawyer"
    assert "【labour contracts】" in red.description and "立即补签书面劳动合同。" in red.description
    # The reviewer took the follow-ups on the desk.
    assert red.status == "assigned" and list(red.assignments.values_list("volunteer", flat=True)) == [
        lawyer.pk
    ]
    assert Message.objects.filter(recipient=contact_user, event="checkups.check.reported").count() == 1


def test_reissuing_never_opens_a_second_case(reported, lawyer, office_user):
    cases = Case.objects.count()
    services.reports_issue(actor=lawyer.user, checks=[reported], now=NOW + datetime.timedelta(days=1))
    services.reports_issue(actor=office_user, checks=[reported])
    assert Case.objects.count() == cases == 1
    assert HealthCheck.objects.get(pk=reported.pk).reported_at == NOW


def test_the_database_keeps_one_answer_per_follow_up(reported, enterprise, office_user, open_check):
    case = reported.answers.get(follow_up__isnull=False).follow_up
    other = reported.answers.filter(follow_up__isnull=True).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckAnswer.objects.filter(pk=other.pk).update(risk="low", recommendation="x", follow_up=case)


def test_a_report_needs_every_item_reviewed(in_review, lawyer):
    review_all(in_review, lawyer.user, ["pass", "pass", "pass"])
    in_review.answers.filter(position=3).update(risk="")
    with pytest.raises(ValidationError):
        services.reports_issue(actor=lawyer.user, checks=[in_review])
    assert not Case.objects.exists()


def test_not_yours_report(in_review, lawyer, other_lawyer, contact_user, other_park_office_user):
    review_all(in_review, lawyer.user, ["pass", "pass", "pass"])
    for actor in (other_lawyer.user, contact_user, other_park_office_user):
        with pytest.raises(PermissionDenied):
            services.reports_issue(actor=actor, checks=[in_review])


def test_a_reviewer_kept_off_by_the_conflict_check_leaves_the_case_to_the_desk(
    in_review, lawyer, raise_case, office_user
):
    from dajia.desk.services import PartyInput, case_assign

    # The lawyer advised a worker against this enterprise: the desk's conflict check keeps them off its case.
    worker = raise_case(
        office_user,
        kind="worker",
        enterprise=in_review.enterprise,
        worker=PartyInput(kind="worker", name="张三", mobile="13800000009"),
    )
    case_assign(actor=office_user, case=worker, volunteer=lawyer, now=NOW)
    review_all(in_review, lawyer.user, ["high", "pass", "pass"])
    services.reports_issue(actor=lawyer.user, checks=[in_review], now=NOW)
    follow_up = in_review.answers.get(follow_up__isnull=False).follow_up
    assert follow_up.status == "new" and not follow_up.assignments.exists()


def test_the_return_visit_is_twenty_working_days_after_the_report(reported):
    assert reported.visit_due == workdays().add_working_days(NOW.date(), 20)
