"""The demand ranking (rule shown on the page) and the coverage of the top needs by a session's projects."""

import datetime
from fractions import Fraction

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from dajia.conftest import make_user
from dajia.needs import selectors, services
from dajia.needs import services_surveys as surveys
from dajia.needs.models import Support

pytestmark = pytest.mark.django_db


@pytest.fixture
def voices(union, other_union, categories):
    """safety: 2 needs + 3 supports; children: 1 need + 1 support (+ one declined, one merged duplicate)."""
    people = [make_user(f"p{i}", role="worker") for i in range(8)]
    safety1 = services.need_create(actor=people[0], text="希望组织消防安全培训", union=union)
    safety2 = services.need_create(actor=people[1], text="车间想请人来排查安全隐患", union=other_union)
    kids = services.need_create(actor=people[2], text="孩子暑假没人照看，希望办小候鸟班", union=union)
    declined = services.need_create(actor=people[3], text="希望每天发一次暑期托管补贴", union=union)
    for p in people[3:6]:
        services.need_support(actor=p, need=safety1)
    services.need_support(actor=people[6], need=kids)
    services.need_support(actor=people[7], need=declined)
    return {"people": people, "safety1": safety1, "safety2": safety2, "kids": kids, "declined": declined}


def row(rows, code):
    return next(r for r in rows if r.category.code == code)


def test_demand_is_needs_plus_supporters_plus_survey_points(office_user, federation, union, voices):
    services.need_update_status(actor=office_user, need=voices["declined"], status="declined", message="重复")
    rows = selectors.demand_ranking({federation.pk})
    safety, children = row(rows, "safety"), row(rows, "children")
    assert (safety.needs, safety.supports, safety.score) == (2, 3, 5)
    # The declined need counts nothing, nor does its supporter.
    assert (children.needs, children.supports, children.score) == (1, 1, 2)
    assert [r.category.code for r in rows[:2]] == ["safety", "children"] and rows[0].rank == 1

    s = surveys.survey_create(actor=office_user, federation=federation, title="调研")
    q = surveys.question_add(actor=office_user, survey=s, kind="ranking", text="排序", rank_limit=3)
    surveys.survey_send(actor=office_user, survey=s, unions=[union])
    surveys.survey_open(actor=office_user, survey=s)
    invite = s.invites.get()
    for i in range(3):
        surveys.response_submit(
            invite=invite, answers={q.pk: ["children", "legal", "safety"]}, submission_id=f"r{i}"
        )
    rows = selectors.demand_ranking({federation.pk})
    assert row(rows, "children").survey == 3 and row(rows, "children").score == 5
    assert row(rows, "legal").survey == 2
    assert row(rows, "safety").survey == 1 and row(rows, "safety").score == 6
    # (k − i + 1)/k with k = 3: a first choice weighs one need.
    assert row(rows, "legal").survey == Fraction(2, 3) * 3


def test_equal_demand_shares_a_rank(federation, union, categories):
    a, b = make_user("a", role="worker"), make_user("b", role="worker")
    services.need_create(actor=a, text="希望组织消防安全培训", union=union)
    services.need_create(actor=b, text="想考个叉车证", union=union)
    rows = selectors.demand_ranking({federation.pk})
    assert [r.rank for r in rows[:3]] == [1, 1, 3]


def test_a_merged_duplicate_keeps_the_voice_without_counting_twice(office_user, federation, voices):
    before = row(selectors.demand_ranking({federation.pk}), "safety").score
    services.need_merge(actor=office_user, source=voices["safety2"], target=voices["safety1"])
    safety = row(selectors.demand_ranking({federation.pk}), "safety")
    assert (safety.needs, safety.supports) == (1, 4)  # the duplicate's author became a supporter
    assert safety.score == before


def test_per_union_ranking(federation, union, other_union, voices):
    mine = selectors.demand_ranking({federation.pk}, union_id=union.pk)
    theirs = selectors.demand_ranking({federation.pk}, union_id=other_union.pk)
    assert row(mine, "safety").needs == 1 and row(theirs, "safety").needs == 1
    assert row(mine, "children").needs == 2 and row(theirs, "children").needs == 0


def test_the_ranking_page_explains_its_rule(client, federation, union, voices):
    response = client.get(reverse("needs:ranking"), {"federation": federation.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert "需求热度 = 需求条数 + 附议人数 + 问卷得分" in html and "(k − i + 1) / k" in html
    assert 'id="chart-ranking-data"' in html and "echarts.min.js" in html
    response = client.get(reverse("needs:ranking"), {"federation": federation.pk, "union": union.pk})
    assert response.context["union"] == union


def _session(federation, office_user, projects):
    from dajia.consultations.models import Session, SessionProject

    session = Session.objects.create(
        federation=federation,
        title="协商会",
        starts_at=timezone.now() + datetime.timedelta(days=7),
        created_by=office_user,
    )
    for i, p in enumerate(projects, start=1):
        SessionProject.objects.create(session=session, project=p, position=i, amount=p.price)
    return session


def test_coverage_lists_which_top_need_each_project_covers(
    office_user, federation, provider, make_project, voices, categories
):
    fire = make_project(provider, "企业消防安全演练", category=categories["safety"])
    stress = make_project(provider, "职工心理减压工作坊", category=categories["mental"])
    session = _session(federation, office_user, [fire, stress])
    coverage = selectors.coverage_for_session(session, top_n=2)
    assert [t.category.code for t in coverage.top] == ["safety", "children"]
    assert [e.project.title for e in coverage.top[0].covered_by] == ["企业消防安全演练"]
    assert [t.category.code for t in coverage.uncovered] == ["children"]
    assert [
        (ec.entry.project.title, ec.top_need and ec.top_need.category.code) for ec in coverage.entries
    ] == [
        ("企业消防安全演练", "safety"),
        ("职工心理减压工作坊", None),
    ]
    assert coverage.top[0].examples[0] == voices["safety1"]
    html = render_to_string("needs/_coverage.html", {"coverage": coverage})
    assert "未覆盖" in html and "企业消防安全演练" in html and "亲子关爱" in html


def test_categories_without_demand_are_never_top(office_user, federation, provider, make_project, categories):
    session = _session(federation, office_user, [make_project(provider, "职工心理减压工作坊")])
    coverage = selectors.coverage_for_session(session)
    assert coverage.top == [] and coverage.uncovered == []


@pytest.fixture
def demo(db):
    call_command("load_demo")
    from dajia.consultations.models import Session
    from dajia.orgs.models import Federation

    xiacheng = Federation.objects.get(name="下城区总工会")
    sessions = list(Session.objects.filter(federation=xiacheng).prefetch_related("entries"))
    return xiacheng, sessions


def test_the_demo_sessions_show_the_coverage_of_the_top_needs(client, demo):
    from dajia.accounts.models import User

    xiacheng, sessions = demo
    assert sessions and all(s.entries.count() == 9 for s in sessions)
    ranking = [r for r in selectors.demand_ranking(xiacheng.descendant_ids()) if r.score > 0]
    for session in sessions:
        coverage = selectors.coverage_for_session(session)
        assert [t.category for t in coverage.top] == [r.category for r in ranking[:5]]
        invited = {e.project.category_id for e in session.entries.select_related("project")}
        for t in coverage.top:
            assert t.covered == (t.category.pk in invited)
            assert all(e.project.category_id == t.category.pk for e in t.covered_by)
        assert {t.category.pk for t in coverage.uncovered} == {t.category.pk for t in coverage.top} - invited
        assert len(coverage.entries) == 9

    session = sessions[0]
    client.force_login(User.objects.get(username="office"))
    response = client.get(reverse("needs:coverage", args=[session.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert session.title in html and "主要需求" in html
    for t in response.context["coverage"].top:
        assert t.category.name_zh in html
    assert (
        client.get(reverse("needs:coverage", args=[session.pk]), {"top": "9"}).context["coverage"].top_n == 9
    )

    client.force_login(User.objects.get(username="wuyi_office"))
    assert (
        client.get(reverse("needs:coverage", args=[session.pk])).status_code == 404
    )  # another federation's session
    client.force_login(User.objects.get(username="chair01"))
    assert client.get(reverse("needs:coverage", args=[session.pk])).status_code == 403


def test_the_demo_has_realistic_needs_supports_statuses_and_a_finished_survey(demo):
    from dajia.needs.models import Need, NeedUpdate, Response, Survey

    xiacheng, _sessions = demo
    needs = Need.objects.filter(federation=xiacheng)
    assert needs.count() >= 250
    assert needs.values("category").distinct().count() == 12
    assert set(needs.values_list("status", flat=True)) == {
        "received",
        "handling",
        "answered",
        "resolved",
        "declined",
    }
    assert Support.objects.count() >= needs.count()
    assert NeedUpdate.objects.filter(status="declined").exclude(message="").exists()
    assert Need.objects.exclude(merged_into=None).exists()
    finished = Survey.objects.get(federation=xiacheng, state="closed")
    assert finished.invites.count() == 20
    assert all(i.responses.exists() for i in finished.invites.all())
    assert Response.objects.filter(survey=finished).count() >= 200


def test_the_ranking_exports_to_excel_with_its_rule(client, federation, voices):
    import io

    from openpyxl import load_workbook

    response = client.get(reverse("needs:ranking_export"), {"federation": federation.pk})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("排名", "服务类别", "需求条数", "附议人数", "问卷得分", "需求热度")
    assert rows[1] == (1, "安全技能培训", 2, 3, 0, 5)
    assert any(r[0] and str(r[0]).startswith("规则：需求热度 = 需求条数 + 附议人数 + 问卷得分") for r in rows)
