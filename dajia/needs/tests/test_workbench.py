"""Needs on the workbench (the office's waiting needs, a worker's own needs and answers, a chair's open
surveys — nobody else's) and the "need answered" notification (a paper need without author tells no one)."""

import pytest
from django.utils import timezone

from dajia.needs import services, workbench
from dajia.needs.models import Need, Survey, SurveyInvite
from dajia.notifications.models import Message


def _titles(groups):
    return {g.key: sorted(i.title for i in g.items) for g in groups}


@pytest.fixture
def needs(raise_need, worker, union, wuyi_union, other_federation):
    from dajia.conftest import make_user

    other_worker = make_user("otherworker", role="worker")
    return {
        "mine": raise_need(worker, "希望开设职工子女暑期托管班", union),
        "theirs": raise_need(other_worker, "希望增加心理健康讲座的场次", union),
        "elsewhere": raise_need(other_worker, "希望在园区开设夜间食堂窗口", wuyi_union),
        "other_worker": other_worker,
    }


def test_the_office_sees_waiting_needs_of_its_federation_only(needs, office_user, other_office_user, worker):
    assert _titles(workbench.office(office_user))["needs_waiting"] == sorted(
        [needs["mine"].text, needs["theirs"].text]
    )
    assert _titles(workbench.office(other_office_user))["needs_waiting"] == [needs["elsewhere"].text]
    services.need_update_status(
        actor=office_user, need=needs["mine"], status="handling", message="已转交相关部门"
    )
    assert _titles(workbench.office(office_user))["needs_waiting"] == [needs["theirs"].text]


def test_a_worker_sees_their_own_needs_and_the_answers(needs, office_user, worker):
    assert _titles(workbench.worker(worker)) == {"needs_answered": [], "needs_open": [needs["mine"].text]}
    services.need_update_status(actor=office_user, need=needs["mine"], status="answered", message="暑期开班")
    assert _titles(workbench.worker(worker)) == {"needs_answered": [needs["mine"].text], "needs_open": []}
    assert _titles(workbench.worker(needs["other_worker"]))["needs_answered"] == []


def test_an_answer_tells_the_author_once_and_no_one_else(needs, office_user, worker):
    services.need_update_status(actor=office_user, need=needs["mine"], status="handling", message="正在协调")
    assert not Message.objects.exists()  # being handled is not an answer
    services.need_update_status(actor=office_user, need=needs["mine"], status="answered", message="暑期开班")
    message = Message.objects.get()
    assert message.recipient == worker and message.event == "need_answered"
    assert message.url == f"/needs/{needs['mine'].pk}/" and "已答复" in message.text


def test_a_paper_need_without_author_tells_no_one(needs, office_user):
    paper = needs["mine"]
    Need.objects.filter(pk=paper.pk).update(author=None, source="paper")
    services.need_update_status(actor=office_user, need=paper, status="declined", message="不属于工会职责")
    assert not Message.objects.exists()


def test_a_chair_sees_open_surveys_sent_to_their_union_only(
    federation, union, other_union, chair_user, other_chair
):
    survey = Survey.objects.create(
        federation=federation, title="2026年职工需求调查", state="open", opened_at=timezone.now()
    )
    closed = Survey.objects.create(federation=federation, title="去年的调查", state="closed")
    SurveyInvite.objects.create(survey=survey, union=union, token="t1")
    SurveyInvite.objects.create(survey=closed, union=union, token="t2")
    other = Survey.objects.create(federation=federation, title="物业企业专项调查", state="open")
    SurveyInvite.objects.create(survey=other, union=other_union, token="t3")
    assert _titles(workbench.chair(chair_user))["surveys_to_answer"] == ["2026年职工需求调查"]
    assert _titles(workbench.chair(other_chair))["surveys_to_answer"] == ["物业企业专项调查"]
