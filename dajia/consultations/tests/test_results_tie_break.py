"""Tie-breaks are decisions: recorded with a reason, only among projects tied on the rounded score, ranks
shared, used for selection; a decision that no longer describes a tie is not applied."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from dajia.consultations import services_results
from dajia.consultations.models import Session, SessionProject
from dajia.consultations.results import session_tally
from dajia.consultations.tests.test_results_support import add_sheet, build_session
from dajia.core.models import AuditLog

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_messages")]


PANEL = [("王委员", ""), ("李委员", ""), ("赵委员", "")]


@pytest.fixture
def tied(federation, make_project):
    """甲 and 乙 tie at 81.00, 丙 and 丁 tie at 62.00, 戊 is alone at 50.00. Budget for one 30 000 project
    plus 丙 or 丁."""
    top, mid, low = [25, 16, 20, 20], [20, 12, 15, 15], [15, 10, 12.5, 12.5]
    sheets = {}
    for name, _ in PANEL:
        for title in ("甲项目", "乙项目"):
            sheets[(name, title)] = top
        for title in ("丙项目", "丁项目"):
            sheets[(name, title)] = mid
        sheets[(name, "戊项目")] = low
    return build_session(
        federation,
        make_project,
        projects=[
            ("甲项目", "30000"),
            ("乙项目", "30000"),
            ("丙项目", "10000"),
            ("丁项目", "10000"),
            ("戊项目", "1"),
        ],
        evaluators=PANEL,
        sheets=sheets,
        budget="40000",
    )


def _ids(session, *titles):
    return [session.entries_by_title[t].pk for t in titles]


def test_ties_are_flagged_and_need_a_decision(tied):
    _, context = session_tally(tied)
    assert [(r.title, r.result.rank, r.result.tied) for r in context.rows] == [
        ("乙项目", 1, True),
        ("甲项目", 1, True),
        ("丁项目", 3, True),
        ("丙项目", 3, True),
        ("戊项目", 5, False),
    ]
    assert context.selection.tie_break_needed
    assert [t.broken for t in context.tie_groups] == [False, False]


def test_a_recorded_order_decides_the_selection_and_ranks_stay_shared(tied, office_user):
    services_results.tie_break_record(
        actor=office_user, session=tied, order=_ids(tied, "乙项目", "甲项目"), reason="现场抽签，由监督员见证"
    )
    _, context = session_tally(tied)
    rows = [(r.title, r.result.rank, r.selection.selected) for r in context.rows]
    assert rows[:2] == [("乙项目", 1, True), ("甲项目", 1, False)]
    assert context.tie_groups[0].broken and context.tie_groups[0].reason == "现场抽签，由监督员见证"
    # The second tie (丙/丁) still needs a decision: taken in name order meanwhile, and flagged.
    assert context.selection.tie_break_needed
    assert not context.tie_groups[1].broken
    entry = SessionProject.objects.get(pk=tied.entries_by_title["乙项目"].pk)
    assert (entry.tie_break_order, entry.tie_break_reason) == (1, "现场抽签，由监督员见证")
    assert AuditLog.objects.filter(action="consultations.tie_break.record").count() == 2


def test_the_order_can_be_changed_before_publication(tied, office_user):
    services_results.tie_break_record(
        actor=office_user, session=tied, order=_ids(tied, "乙项目", "甲项目"), reason="抽签"
    )
    services_results.tie_break_record(
        actor=office_user, session=tied, order=_ids(tied, "甲项目", "乙项目"), reason="重新抽签"
    )
    _, context = session_tally(tied)
    assert [r.title for r in context.rows[:2]] == ["甲项目", "乙项目"]
    assert context.rows[0].selection.selected


@pytest.mark.parametrize(
    ("titles", "message"),
    [
        (("甲项目", "丙项目"), "not tied"),
        (("甲项目",), "at least two"),
        (("甲项目", "甲项目"), "at least two"),
    ],
)
def test_only_projects_actually_tied_can_be_ordered(tied, office_user, titles, message):
    with pytest.raises(ValidationError) as caught:
        services_results.tie_break_record(
            actor=office_user, session=tied, order=_ids(tied, *titles), reason="抽签"
        )
    assert message in " ".join(caught.value.messages)
    assert not SessionProject.objects.filter(session=tied, tie_break_order__isnull=False).exists()


def test_every_project_of_the_tie_must_be_ordered(federation, make_project, office_user):
    sheets = {(n, t): [20, 12, 15, 15] for n, _ in PANEL for t in ("甲项目", "乙项目", "丙项目")}
    session = build_session(
        federation,
        make_project,
        projects=[("甲项目", "1"), ("乙项目", "1"), ("丙项目", "1")],
        evaluators=PANEL,
        sheets=sheets,
    )
    with pytest.raises(ValidationError) as caught:
        services_results.tie_break_record(
            actor=office_user, session=session, order=_ids(session, "甲项目", "乙项目"), reason="抽签"
        )
    assert "丙项目" in " ".join(caught.value.messages)


def test_a_reason_is_required(tied, office_user):
    with pytest.raises(ValidationError) as caught:
        services_results.tie_break_record(
            actor=office_user, session=tied, order=_ids(tied, "甲项目", "乙项目"), reason="  "
        )
    assert "reason" in caught.value.message_dict


def test_a_project_of_another_session_cannot_be_ordered(tied, office_user, federation, make_project):
    other = build_session(
        federation,
        make_project,
        projects=[("外场项目", "1")],
        evaluators=[("外场评委", "")],
        sheets={},
        title="另一场",
    )
    with pytest.raises(ValidationError):
        services_results.tie_break_record(
            actor=office_user,
            session=tied,
            order=[*_ids(tied, "甲项目"), other.entries_by_title["外场项目"].pk],
            reason="抽签",
        )


@pytest.mark.parametrize("state", ["draft", "open", "published"])
def test_tie_breaks_only_between_close_and_publication(tied, office_user, state):
    Session.objects.filter(pk=tied.pk).update(state=state)
    with pytest.raises(ValidationError):
        services_results.tie_break_record(
            actor=office_user, session=tied, order=_ids(tied, "甲项目", "乙项目"), reason="抽签"
        )


def test_another_federation_cannot_record_a_tie_break(tied, other_office_user, provider_user):
    for actor in (other_office_user, provider_user):
        with pytest.raises(PermissionDenied):
            services_results.tie_break_record(
                actor=actor, session=tied, order=_ids(tied, "甲项目", "乙项目"), reason="抽签"
            )


def test_a_decision_that_no_longer_describes_the_tie_is_not_applied(tied, office_user):
    services_results.tie_break_record(
        actor=office_user, session=tied, order=_ids(tied, "乙项目", "甲项目"), reason="抽签"
    )
    # A late paper sheet lifts 甲 out of the tie: the old decision must not order anything any more.
    Session.objects.filter(pk=tied.pk).update(state="open")
    add_sheet(
        tied,
        tied.panel.setdefault("钱委员", tied.evaluators.create(name="钱委员", token="t-qian")),
        tied.entries_by_title["甲项目"],
        [30, 20, 25, 25],
    )
    _, context = session_tally(tied)
    assert not context.rows[0].result.tied
    assert context.rows[0].title == "甲项目"
    assert context.tie_break == {}


def test_the_tie_break_form(client, tied, office_user):
    client.force_login(office_user)
    page = client.get(reverse("consultations:results", args=[tied.pk])).content.decode()
    assert 'name="place_1"' in page and 'name="reason"' in page
    a, b = _ids(tied, "甲项目", "乙项目")
    url = reverse("consultations:results_tie_break", args=[tied.pk])
    response = client.post(url, {"place_1": b, "place_2": a, "reason": ""})
    assert response.status_code == 400
    response = client.post(url, {"place_1": b, "place_2": a, "reason": "抽签"})
    assert response.status_code == 302
    assert SessionProject.objects.get(pk=b).tie_break_order == 1
