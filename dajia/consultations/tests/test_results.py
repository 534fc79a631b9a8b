"""The results selector: database rows → engine inputs → the engine's figures, and the office's page."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction

import pytest
from django.urls import reverse

from dajia.conftest import make_provider
from dajia.consultations.models import Session
from dajia.consultations.results import result_data, session_tally
from dajia.consultations.tests.test_results_support import (
    GROUPED_PANEL,
    PROJECTS,
    WEIGHTS,
    add_sheet,
    build_session,
    grouped_sheets,
    make_grouped_session,
)
from dajia.scoring import engine

pytestmark = pytest.mark.django_db


@pytest.fixture
def grouped_session(federation, make_project):
    return make_grouped_session(federation, make_project)


def _engine_by_hand(sheets: dict, *, group_weights=None, method="trimmed", trim_min=5):
    """The same session fed to the engine directly, without the database."""
    criteria = [
        engine.Criterion("内容实用有效", Fraction(30)),
        engine.Criterion("方式方法新颖", Fraction(20)),
        engine.Criterion("成熟度吸引力", Fraction(25)),
        engine.Criterion("受众接纳参与", Fraction(25)),
    ]
    groups = dict(GROUPED_PANEL)
    names = [c.name for c in criteria]
    rows = [
        engine.Sheet(
            e,
            groups[e],
            p,
            {n: None if v is None else Decimal(str(v)) for n, v in zip(names, s, strict=True)},
        )
        for (e, p), s in sheets.items()
    ]
    return engine.tally(criteria, rows, method=method, trim_min=trim_min, group_weights=group_weights)


def test_session_tally_equals_the_engine_on_the_same_sheets(grouped_session):
    result, context = session_tally(grouped_session)
    expected = _engine_by_hand(
        grouped_sheets(), group_weights={"政协委员": Fraction(2, 5), "基层工会主席": Fraction(3, 5)}
    )
    assert engine.result_payload(result) == engine.result_payload(expected)
    assert [r.project for r in result.projects] == [r.project for r in expected.projects]
    # The weights stored as strings are read exactly: 0.4 is 2/5.
    assert result.group_weights == {"基层工会主席": Fraction(3, 5), "政协委员": Fraction(2, 5)}
    assert context.groups == ["基层工会主席", "政协委员"]


def test_incomplete_sheets_are_reported_not_counted(grouped_session):
    result, context = session_tally(grouped_session)
    assert len(result.counted) == 23
    [incomplete] = context.incomplete_sheets
    assert (incomplete.evaluator.name, incomplete.entry.project.title) == ("王委员", "退休职工智能手机课堂")
    assert result.project("退休职工智能手机课堂").evaluators == 7
    assert incomplete.receipt not in context.counted_receipts
    assert len(context.counted_receipts) == 23
    assert context.counted_receipts == sorted(context.counted_receipts)


def test_group_scores_are_weighted_exactly(federation, make_project):
    # 政协委员 scores 80, 基层工会主席 scores 90: 0.4 × 80 + 0.6 × 90 = 86 exactly.
    session = build_session(
        federation,
        make_project,
        projects=[("职工心理减压工作坊", "1000")],
        evaluators=[("王委员", "政协委员"), ("陈主席", "基层工会主席")],
        sheets={
            ("王委员", "职工心理减压工作坊"): [20, 20, 20, 20],
            ("陈主席", "职工心理减压工作坊"): [30, 20, 20, 20],
        },
        group_weights=WEIGHTS,
    )
    result, _ = session_tally(session)
    p = result.project("职工心理减压工作坊")
    assert p.score == Decimal("86.00")
    assert p.groups == {"基层工会主席": Decimal("90.00"), "政协委员": Decimal("80.00")}


def test_selection_follows_budget_minimum_and_amounts(grouped_session):
    _, context = session_tally(grouped_session)
    order = [row.title for row in context.rows]
    assert order == ["职工心理减压工作坊", "企业消防安全与应急疏散演练", "退休职工智能手机课堂"]
    # Budget 70 000: 30 000 + 40 000 fill it; the third is over budget (or below the minimum).
    assert list(context.selection.selected) == ["职工心理减压工作坊", "企业消防安全与应急疏散演练"]
    third = context.rows[2].selection
    assert not third.selected
    assert third.reason in {"over_budget", "below_minimum"}
    assert context.selection.spent == Decimal("70000.00")


def test_changing_the_budget_changes_only_the_selection(grouped_session):
    _, before = session_tally(grouped_session)
    Session.objects.filter(pk=grouped_session.pk).update(budget=Decimal("50000"))
    grouped_session.refresh_from_db()
    _, after = session_tally(grouped_session)
    assert [r.result for r in before.rows] == [r.result for r in after.rows]
    # 30 000 is selected; 40 000 no longer fits; the cheaper third (20 000) still does: it is selected.
    assert list(after.selection.selected) == ["职工心理减压工作坊", "退休职工智能手机课堂"]
    assert after.rows[1].selection.reason == "over_budget"
    assert after.rows[2].result.score >= Decimal("60")


def test_two_projects_with_the_same_title_are_told_apart_by_provider(federation, make_project, provider):
    other = make_provider(federation, "下城区暖心帮困服务社", 3001)
    session = build_session(
        federation,
        make_project,
        projects=[("职工心理减压工作坊", "1000", provider), ("职工心理减压工作坊", "1000", other)],
        evaluators=[("王委员", "")],
        sheets={},
    )
    _, context = session_tally(session)
    assert sorted(context.names.values()) == [
        "职工心理减压工作坊(下城区心桥心理咨询服务中心)",
        "职工心理减压工作坊(下城区暖心帮困服务社)",
    ]


def test_names_are_read_as_the_sheet_file_reads_them(federation, make_project):
    # Full-width letters and digits and stray spaces: NFKC, trimmed — the same strings `dajia tally` prints.
    session = build_session(
        federation,
        make_project,
        projects=[("ＡＥＤ急救培训 ", "1000")],
        evaluators=[(" 王委员", "")],
        sheets={(" 王委员", "ＡＥＤ急救培训 "): [20, 15, 20, 20]},
    )
    result, context = session_tally(session)
    assert [p.project for p in result.projects] == ["AED急救培训"]
    assert result.counted[0].evaluator == "王委员"
    assert "AED急救培训" in context.canonical_sheet_file


def test_projects_without_counted_sheets_are_unranked(federation, make_project):
    session = build_session(
        federation,
        make_project,
        projects=[("甲项目", "1000"), ("乙项目", "1000")],
        evaluators=[("王委员", "")],
        sheets={("王委员", "甲项目"): [20, 15, 20, 20], ("王委员", "乙项目"): [20, None, 1, 1]},
    )
    result, context = session_tally(session)
    assert [p.project for p in result.projects] == ["甲项目"]
    assert [e.project.title for e in context.unranked] == ["乙项目"]
    assert result_data(context)["unranked"][0]["title"] == "乙项目"


def test_result_data_has_figures_as_two_decimal_strings_and_no_names_of_evaluators(grouped_session):
    _, context = session_tally(grouped_session)
    data = result_data(context)
    text = json.dumps(data, ensure_ascii=False)
    for name, _ in GROUPED_PANEL:
        assert name not in text
    first = data["projects"][0]
    assert first["score"] == str(context.rows[0].result.score)
    assert len(first["score"].split(".")[1]) == 2
    assert set(first["criteria"]) == {"内容实用有效", "方式方法新颖", "成熟度吸引力", "受众接纳参与"}
    assert data["group_weights"] == {"基层工会主席": "0.6", "政协委员": "0.4"}
    assert data["budget"] == "70000.00"


def test_a_group_without_weight_is_refused_with_the_reason(grouped_session):
    Session.objects.filter(pk=grouped_session.pk).update(group_weights={"政协委员": "0.4"})
    grouped_session.refresh_from_db()
    with pytest.raises(engine.ScoringError) as caught:
        session_tally(grouped_session)
    assert caught.value.code == "missing_weight"


def test_session_tally_queries_do_not_grow_with_sheets(federation, make_project, django_assert_num_queries):
    def sized(n_evaluators, n_projects, title):
        panel = [(f"评委{i}", "") for i in range(n_evaluators)]
        projects = [(f"{title}项目{j}", "1000") for j in range(n_projects)]
        sheets = {(e, p): [20, 15, 20, 20] for e, _ in panel for p, _ in projects}
        return build_session(
            federation, make_project, projects=projects, evaluators=panel, sheets=sheets, title=title
        )

    small = sized(2, 2, "小")
    large = sized(9, 6, "大")
    with django_assert_num_queries(5):
        session_tally(small, diagnostics=True)
    with django_assert_num_queries(5):
        session_tally(large, diagnostics=True)


# ---- the office's page ---------------------------------------------------------------------------------


def test_results_page_shows_ranking_selection_and_diagnostics(client, office_user, grouped_session):
    client.force_login(office_user)
    response = client.get(reverse("consultations:results", args=[grouped_session.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    _, context = session_tally(grouped_session)
    for row in context.rows:
        assert str(row.result.score) in html
        assert row.title in html
    assert "results-chart-data" in html
    chart = json.loads(
        html.split('id="results-chart-data" type="application/json">')[1].split("</script>")[0]
    )
    assert chart["scores"] == [str(r.result.score) for r in context.rows]
    # Diagnostics name the evaluators (office only) and flag the harsh sheet.
    assert "孙主席" in html
    # Kendall's W in plain words; its name and meaning behind a 说明 disclosure.
    after = html[html.index("<h3>评委打分一致程度</h3>") :]
    explain = after[after.index("<details") : after.index("</details>")]
    assert "<summary>说明</summary>" in explain and "肯德尔和谐系数（W）" in explain
    bias = html[html.index("<h3>各评委打分与评审团整体的差别</h3>") :]
    bias = bias[: bias.index("</thead>")]
    assert "波动大小（分）" in bias and "离散度" not in bias
    assert response.context["view"]["diagnostics"]["outliers"]


def test_results_page_explains_a_result_that_cannot_be_computed(client, office_user, grouped_session):
    Session.objects.filter(pk=grouped_session.pk).update(group_weights={"政协委员": "0.4"})
    client.force_login(office_user)
    response = client.get(reverse("consultations:results", args=[grouped_session.pk]))
    assert response.status_code == 200
    assert "基层工会主席" in response.content.decode()
    assert response.context["error"]


def test_results_page_queries_do_not_grow(
    client, office_user, federation, make_project, django_assert_max_num_queries
):
    client.force_login(office_user)

    def sized(n, title):
        panel = [(f"评委{i}", "") for i in range(n)]
        projects = [(f"{title}项目{j}", "1000") for j in range(n)]
        sheets = {(e, p): [20, 15, 20, 20] for e, _ in panel for p, _ in projects}
        return build_session(
            federation, make_project, projects=projects, evaluators=panel, sheets=sheets, title=title
        )

    small, large = sized(2, "小"), sized(8, "大")
    client.get(reverse("consultations:results", args=[sized(1, "暖").pk]))  # warm caches (sessions, roles)
    # A first view computes the tally and stores it; later views read the stored one. Neither grows.
    with django_assert_max_num_queries(30) as computing:
        client.get(reverse("consultations:results", args=[small.pk]))
    with django_assert_max_num_queries(len(computing.captured_queries)):
        client.get(reverse("consultations:results", args=[large.pk]))
    with django_assert_max_num_queries(17) as stored:
        client.get(reverse("consultations:results", args=[small.pk]))
    with django_assert_max_num_queries(len(stored.captured_queries)):
        client.get(reverse("consultations:results", args=[large.pk]))


def test_an_incomplete_sheet_added_later_changes_nothing(grouped_session):
    result, _ = session_tally(grouped_session)
    evaluator = grouped_session.panel["王委员"]
    entry = grouped_session.entries_by_title[PROJECTS[0][0]]
    entry.sheets.filter(evaluator=evaluator).delete()
    add_sheet(grouped_session, evaluator, entry, [None, None, None, None])
    after, _ = session_tally(grouped_session)
    assert after.project(PROJECTS[0][0]).evaluators == result.project(PROJECTS[0][0]).evaluators - 1
