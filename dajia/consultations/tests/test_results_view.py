"""The office's results page renders from the stored tally while its records are unchanged, and from a new
tally as soon as one of them changes (``consultations.results_view``)."""

from __future__ import annotations

import difflib
import re
from decimal import Decimal

import pytest
from django.template.defaultfilters import floatformat
from django.urls import reverse

from dajia.consultations.models import Criterion, Evaluator, Session, SessionProject, Sheet, StoredTally
from dajia.consultations.results import session_tally
from dajia.consultations.results_view import _two_places, results_view, stored_results_view, tally_fingerprint
from dajia.consultations.services_sheets import sheet_submit
from dajia.consultations.tests.test_results_support import PROJECTS, add_sheet, make_grouped_session
from dajia.menu.models import ServiceProject
from dajia.orgs.models import Provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def grouped_session(federation, make_project):
    return make_grouped_session(federation, make_project)


def _fresh(session: Session) -> dict:
    _, context = session_tally(Session.objects.get(pk=session.pk), diagnostics=True)
    return results_view(context)


def _page(client, session: Session) -> str:
    response = client.get(reverse("consultations:results", args=[session.pk]))
    assert response.status_code == 200
    return re.sub(r'"[A-Za-z0-9]{64}"', '"csrf"', response.content.decode())  # the page's CSRF tokens


def test_the_page_prints_the_same_from_the_stored_tally_as_from_a_new_one(
    client, office_user, grouped_session
):
    client.force_login(office_user)
    first = _page(client, grouped_session)  # computes the tally and stores it
    stored = StoredTally.objects.get(session=grouped_session)
    assert stored.fingerprint == tally_fingerprint(grouped_session)
    assert stored.data == _fresh(grouped_session)
    again = _page(client, grouped_session)  # from the stored row
    assert again == first, "\n".join(
        line for line in difflib.unified_diff(first.splitlines(), again.splitlines(), lineterm="")
    )
    assert "孙主席" in first and "肯德尔和谐系数（W）" in first


def test_an_amended_sheet_shows_on_the_next_view(client, office_user, grouped_session):
    """The office enters a corrected paper sheet through the sheet service: the stored tally no longer
    matches the records, so the page shows the engine's new figures, not the stored ones."""
    client.force_login(office_user)
    _page(client, grouped_session)
    before = StoredTally.objects.get(session=grouped_session).data
    evaluator = grouped_session.panel["孙主席"]
    entry = grouped_session.entries_by_title[PROJECTS[0][0]]
    criteria = list(grouped_session.criteria.order_by("position"))
    sheet_submit(
        evaluator=evaluator,
        entry=entry,
        scores={c.pk: str(c.max_points) for c in criteria},
        submission_id="paper-correction-1",
        source=Sheet.Source.PAPER,
        actor=office_user,
    )
    _page(client, grouped_session)
    after = StoredTally.objects.get(session=grouped_session).data
    assert after == _fresh(grouped_session)
    assert after["table"] != before["table"]
    assert after["digest"] != before["digest"]


def _change_budget(session):
    Session.objects.filter(pk=session.pk).update(budget=Decimal("50000"))


def _change_minimum(session):
    Session.objects.filter(pk=session.pk).update(minimum_score=Decimal("85"))


def _change_method(session):
    Session.objects.filter(pk=session.pk).update(method=Session.Method.MEDIAN)


def _change_weights(session):
    Session.objects.filter(pk=session.pk).update(group_weights={"政协委员": "0.5", "基层工会主席": "0.5"})


def _change_criterion(session):
    Criterion.objects.filter(session=session, position=1).update(max_points=Decimal("35"))


def _change_amount(session):
    SessionProject.objects.filter(session=session, position=1).update(amount=Decimal("1"))


def _change_tie_break_reason(session):
    SessionProject.objects.filter(session=session, position=1).update(tie_break_reason="现场抽签")


def _change_project_title(session):
    entry = SessionProject.objects.get(session=session, position=1)
    ServiceProject.objects.filter(pk=entry.project_id).update(title="改名后的项目")


def _change_provider_name(session):
    entry = SessionProject.objects.select_related("project").get(session=session, position=1)
    Provider.objects.filter(pk=entry.project.provider_id).update(name="改名后的社会组织")


def _change_evaluator_group(session):
    Evaluator.objects.filter(session=session, name="孙主席").update(group="政协委员")


def _add_sheet(session):
    evaluator = Evaluator.objects.create(
        session=session, name="新评委", group="政协委员", token="new-token-xyz"
    )
    add_sheet(session, evaluator, session.entries_by_title[PROJECTS[0][0]], [20, 15, 20, 20])


def _remove_evaluator(session):
    Evaluator.objects.filter(session=session, name="孙主席").delete()  # and their sheets with them


def _count_an_amendment(session):
    sheet = Sheet.objects.filter(entry__session=session).order_by("id").first()
    Sheet.objects.filter(pk=sheet.pk).update(amendments=sheet.amendments + 1)


@pytest.mark.parametrize(
    "change",
    [
        _change_budget,
        _change_minimum,
        _change_method,
        _change_weights,
        _change_criterion,
        _change_amount,
        _change_tie_break_reason,
        _change_project_title,
        _change_provider_name,
        _change_evaluator_group,
        _add_sheet,
        _remove_evaluator,
        _count_an_amendment,
    ],
)
def test_every_record_the_tally_reads_is_in_its_fingerprint(grouped_session, change):
    before = tally_fingerprint(grouped_session)
    change(grouped_session)
    session = Session.objects.get(pk=grouped_session.pk)
    assert tally_fingerprint(session) != before
    session.entries_by_title = grouped_session.entries_by_title
    # and the view is then computed again, equal to a new tally of the changed records
    assert stored_results_view(session) == _fresh(session)


def test_the_view_is_computed_once_while_nothing_changes(grouped_session, django_assert_num_queries):
    stored_results_view(grouped_session)
    with django_assert_num_queries(6):  # the fingerprint's five queries and the stored row
        stored_results_view(grouped_session)


def test_the_fingerprint_counts_the_sheets_from_an_index(grouped_session):
    """20,000 sheets of a large session are counted and their amendments summed without visiting a row."""
    from dajia.conftest import assert_read_from_index_alone

    assert_read_from_index_alone(
        lambda: tally_fingerprint(grouped_session),
        "sheet_entry_amendments",
        tables=("consultations_sheet",),
    )


def test_a_view_stored_in_another_format_is_computed_again(grouped_session, monkeypatch):
    """After an upgrade that changes the view's shape (``VIEW_FORMAT``), a row stored before is not rendered."""
    from dajia.consultations import results_view as module

    session = Session.objects.get(pk=grouped_session.pk)  # as the page reads it
    stored_results_view(session)
    StoredTally.objects.filter(session=session).update(data={"concordance_by_group": {"旧": 1}})
    assert stored_results_view(session) == {"concordance_by_group": {"旧": 1}}  # same format: kept
    monkeypatch.setattr(module, "VIEW_FORMAT", module.VIEW_FORMAT + 1)
    assert stored_results_view(session) == _fresh(session)


def test_a_session_that_cannot_be_tallied_stores_nothing(client, office_user, grouped_session):
    Session.objects.filter(pk=grouped_session.pk).update(group_weights={"政协委员": "0.4"})
    client.force_login(office_user)
    response = client.get(reverse("consultations:results", args=[grouped_session.pk]))
    assert response.status_code == 200 and response.context["error"]
    assert not StoredTally.objects.filter(session=grouped_session).exists()


def test_another_federations_office_sees_no_stored_tally(client, other_office_user, grouped_session):
    client.force_login(other_office_user)
    response = client.get(reverse("consultations:results", args=[grouped_session.pk]))
    assert response.status_code == 404
    assert not StoredTally.objects.filter(session=grouped_session).exists()


@pytest.mark.parametrize(
    "value", [-15.0609, 3.0992, 0.125, 2.675, -0.001, 0.0, 12.5, Decimal("4.4478"), Decimal("1.005")]
)
def test_a_diagnostic_figure_is_stored_as_floatformat_printed_it(value):
    assert _two_places(value) == floatformat(value, 2)
