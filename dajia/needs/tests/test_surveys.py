"""Needs surveys: build, send to unions by link, answers count for the link's union only, closed surveys
refuse answers, chairs act only for their own union's link, results and export."""

import io
from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from dajia.needs import selectors
from dajia.needs import services_surveys as services
from dajia.needs.models import Question, Response, Survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(office_user, federation, union, other_union, categories):
    s = services.survey_create(actor=office_user, federation=federation, title="2020年职工需求调研")
    services.question_add(
        actor=office_user, survey=s, kind="ranking", text="最需要哪3类服务？", categories=None, rank_limit=3
    )
    services.question_add(
        actor=office_user,
        survey=s,
        kind="single",
        text="方便的时段",
        options="工作日午休\n工作日下班后\n周末",
    )
    services.question_add(
        actor=office_user, survey=s, kind="multiple", text="服务形式", options=["线下", "线上", "上门"]
    )
    services.question_add(actor=office_user, survey=s, kind="rating", text="满意度")
    services.question_add(actor=office_user, survey=s, kind="text", text="心里话", required=False)
    services.survey_send(actor=office_user, survey=s, unions=[union, other_union], expected={union.pk: "10"})
    services.survey_open(actor=office_user, survey=s)
    return s


def answers(survey, **override):
    q = {x.kind: x for x in survey.questions.all()}
    base = {
        q["ranking"].pk: ["safety", "children", ""],
        q["single"].pk: "1",
        q["multiple"].pk: ["0", "2"],
        q["rating"].pk: "4",
        q["text"].pk: "希望多办进车间的服务",
    }
    base.update({q[k].pk: v for k, v in override.items()})
    return base


def test_answers_from_a_unions_link_count_for_that_union_only(client, survey, union, other_union):
    invite = survey.invites.get(union=union)
    url = reverse("needs:answer", args=[invite.token])
    q = {x.kind: x for x in survey.questions.all()}
    data = {
        "submission_id": "s1",
        f"q{q['ranking'].pk}_1": "safety",
        f"q{q['ranking'].pk}_2": "legal",
        f"q{q['single'].pk}": "0",
        f"q{q['multiple'].pk}": ["1"],
        f"q{q['rating'].pk}": "5",
        "union": other_union.pk,  # ignored: the union is the link's
    }
    response = client.post(url, data)
    assert response.status_code == 302
    response_obj = Response.objects.get()
    assert response_obj.invite.union == union
    rates = {r.invite.union_id: r.responses for r in selectors.invite_rates(survey)}
    assert rates == {union.pk: 1, other_union.pk: 0}
    assert selectors.survey_points({survey.federation_id}, union_id=other_union.pk) == {}
    points = selectors.survey_points({survey.federation_id}, union_id=union.pk)
    assert sorted(points.values()) == [Fraction(2, 3), Fraction(1)]  # place 1 of 3 → 3/3, place 2 → 2/3


def test_a_retried_submission_counts_once(survey, union):
    invite = survey.invites.get(union=union)
    first, created = services.response_submit(invite=invite, answers=answers(survey), submission_id="abc")
    again, created_again = services.response_submit(
        invite=invite, answers=answers(survey), submission_id="abc"
    )
    assert created and not created_again and first.pk == again.pk
    assert Response.objects.count() == 1


def test_an_account_answers_once(survey, union, worker):
    invite = survey.invites.get(union=union)
    services.response_submit(invite=invite, answers=answers(survey), submission_id="a", respondent=worker)
    with pytest.raises(ValidationError) as e:
        services.response_submit(invite=invite, answers=answers(survey), submission_id="b", respondent=worker)
    assert "已经填写过" in e.value.messages[0]


def test_a_closed_survey_refuses_answers(client, office_user, survey, union):
    invite = survey.invites.get(union=union)
    services.survey_close(actor=office_user, survey=survey)
    with pytest.raises(ValidationError) as e:
        services.response_submit(invite=invite, answers=answers(survey), submission_id="late")
    assert e.value.code == "closed"
    response = client.post(reverse("needs:answer", args=[invite.token]), {"submission_id": "late"})
    assert response.status_code == 410 and "已结束" in response.content.decode()
    assert client.get(reverse("needs:answer", args=[invite.token])).status_code == 200
    assert not Response.objects.exists()


def test_a_survey_past_its_closing_time_refuses_answers(survey, union):
    from django.utils import timezone

    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now())
    with pytest.raises(ValidationError):
        services.response_submit(
            invite=survey.invites.get(union=union), answers=answers(survey), submission_id="x"
        )


def test_a_draft_survey_link_is_not_open(client, office_user, federation, union, categories):
    s = services.survey_create(actor=office_user, federation=federation, title="草稿")
    services.question_add(actor=office_user, survey=s, kind="rating", text="满意度")
    invite = services.survey_send(actor=office_user, survey=s, unions=[union])[0]
    assert client.get(reverse("needs:answer", args=[invite.token])).status_code == 403


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"ranking": ["safety", "safety"]}, "只能排一个位置"),
        ({"ranking": ["", "safety"]}, "从第 1 位开始"),
        ({"ranking": ["nope"]}, "给出的类别"),
        ({"single": "7"}, "给出的选项"),
        ({"rating": "6"}, "1 到 5 分"),
        ({"rating": ""}, "请回答这道题"),
    ],
)
def test_bad_answers_are_refused_with_the_reason(client, survey, union, override, message):
    invite = survey.invites.get(union=union)
    with pytest.raises(ValidationError) as e:
        services.response_submit(invite=invite, answers=answers(survey, **override), submission_id="x")
    assert message in " ".join(e.value.messages)
    assert not Response.objects.exists()


def test_a_bad_answer_on_the_page_keeps_what_was_typed(client, survey, union):
    invite = survey.invites.get(union=union)
    q = {x.kind: x for x in survey.questions.all()}
    response = client.post(
        reverse("needs:answer", args=[invite.token]),
        {"submission_id": "s", f"q{q['text'].pk}": "我的心里话", f"q{q['single'].pk}": "2"},
    )
    html = response.content.decode()
    assert response.status_code == 400 and "请回答这道题" in html and "我的心里话" in html


def test_not_yours_a_chair_acts_only_for_their_own_unions_link(
    client, survey, union, other_union, chair_user
):
    mine, theirs = survey.invites.get(union=union), survey.invites.get(union=other_union)
    client.force_login(chair_user)
    assert client.get(reverse("needs:invite", args=[mine.pk])).status_code == 200
    assert client.get(reverse("needs:invite", args=[theirs.pk])).status_code == 403
    assert client.get(reverse("needs:invite_paper", args=[theirs.pk])).status_code == 403
    assert (
        client.post(reverse("needs:invite_paper", args=[theirs.pk]), {"submission_id": "p"}).status_code
        == 403
    )
    with pytest.raises(PermissionDenied):
        services.response_submit(
            invite=theirs, answers=answers(survey), submission_id="p", source="paper", actor=chair_user
        )
    services.response_submit(
        invite=mine, answers=answers(survey), submission_id="p", source="paper", actor=chair_user
    )
    assert list(Response.objects.values_list("invite__union", "source")) == [(union.pk, "paper")]
    assert client.get(reverse("needs:survey_results", args=[survey.pk])).status_code == 403


def test_not_yours_another_office_cannot_see_or_run_the_survey(client, survey, other_office_user, union):
    client.force_login(other_office_user)
    for name in ("needs:survey_detail", "needs:survey_results", "needs:survey_export"):
        assert client.get(reverse(name, args=[survey.pk])).status_code == 404
    assert client.post(reverse("needs:survey_state", args=[survey.pk, "close"])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.survey_send(actor=other_office_user, survey=survey, unions=[union])
    survey.refresh_from_db()
    assert survey.state == "open"


def test_a_survey_cannot_be_sent_to_another_federations_union(office_user, survey, wuyi_union):
    with pytest.raises(PermissionDenied):
        services.survey_send(actor=office_user, survey=survey, unions=[wuyi_union])


def test_the_response_rate_uses_the_expected_count_or_the_membership(survey, union, other_union):
    for i in range(3):
        services.response_submit(
            invite=survey.invites.get(union=union), answers=answers(survey), submission_id=f"u{i}"
        )
    services.response_submit(
        invite=survey.invites.get(union=other_union), answers=answers(survey), submission_id="o"
    )
    rates = {r.invite.union_id: r for r in selectors.invite_rates(survey)}
    assert rates[union.pk].rate == 3 / 10 and rates[union.pk].rate_display == "30.0%"
    assert rates[other_union.pk].denominator == 80 and rates[other_union.pk].rate_display == "1.2%"


def test_results_page_has_chart_data_and_the_export_has_every_response(client, office_user, survey, union):
    for i in range(2):
        services.response_submit(
            invite=survey.invites.get(union=union), answers=answers(survey), submission_id=f"u{i}"
        )
    client.force_login(office_user)
    response = client.get(reverse("needs:survey_results", args=[survey.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="survey-charts"' in html and "<script>" not in html
    charts = response.context["charts"]
    ranking = next(c for c in charts if c["kind"] == "ranking")
    assert ranking["labels"][:2] == ["安全技能培训", "亲子关爱"] and ranking["values"][:2] == [2.0, 1.33]
    export = client.get(reverse("needs:survey_export", args=[survey.pk]))
    wb = load_workbook(io.BytesIO(export.content))
    assert wb.sheetnames == ["回收情况", "汇总", "原始答卷"]
    rows = list(wb["原始答卷"].iter_rows(values_only=True))
    assert len(rows) == 3 and rows[1][1] == union.name and rows[1][4] == "安全技能培训 > 亲子关爱"


def test_the_office_builds_sends_and_opens_a_survey_through_the_pages(
    client, office_user, federation, union, categories
):
    client.force_login(office_user)
    response = client.post(reverse("needs:survey_create"), {"federation": federation.pk, "title": "新问卷"})
    survey = Survey.objects.get(title="新问卷")
    assert response.status_code == 302
    bad = client.post(
        reverse("needs:question_add", args=[survey.pk]),
        {"kind": "single", "text": "时段", "options": "只有一个"},
    )
    assert bad.status_code == 400 and "至少需要两个选项" in bad.content.decode()
    client.post(
        reverse("needs:question_add", args=[survey.pk]),
        {"kind": "ranking", "text": "排序", "rank_limit": "3"},
    )
    assert survey.questions.get().categories.count() == 12
    client.post(
        reverse("needs:survey_send", args=[survey.pk]), {"unions": [union.pk], f"expected_{union.pk}": "30"}
    )
    assert survey.invites.get().expected == 30
    client.post(reverse("needs:survey_state", args=[survey.pk, "open"]))
    survey.refresh_from_db()
    assert survey.state == "open"
    page = client.get(reverse("needs:invite", args=[survey.invites.get().pk])).content.decode()
    assert 'src="data:image/svg+xml' in page and survey.invites.get().token in page


def test_questions_are_frozen_once_open(office_user, survey):
    with pytest.raises(ValidationError):
        services.question_add(actor=office_user, survey=survey, kind="rating", text="再加一题")
    with pytest.raises(ValidationError):
        services.question_remove(actor=office_user, question=survey.questions.first())
    assert survey.questions.count() == 5 and Question.objects.filter(survey=survey).count() == 5
