"""Who sees what (acceptance): nobody but the office sees results before the reveal; a provider never sees an
individual score; an evaluator link reaches only its own session and its own sheets."""

from __future__ import annotations

import hashlib
import json
import secrets

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from dajia.accounts.models import ApiToken
from dajia.consultations import services_sheets
from dajia.consultations.models import Session, Sheet
from dajia.consultations.tests.test_results_support import (
    GROUPED_PANEL,
    build_session,
    make_grouped_session,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def grouped_session(federation, make_project):
    return make_grouped_session(federation, make_project)


OFFICE_ONLY = ["results", "results_xlsx", "paper_entry", "sheets_import"]
PUBLIC_AFTER_REVEAL = ["ranking", "ranking_partial", "results_report_pdf"]


def _score_strings(session) -> list[str]:
    from dajia.consultations.results import session_tally

    _, context = session_tally(session)
    return [str(row.result.score) for row in context.rows]


@pytest.fixture
def evaluator_client(client, grouped_session):
    """A phone that has opened its evaluator link (the token in the URL is its only credential)."""
    evaluator = grouped_session.panel["王委员"]
    client.get(f"/sessions/e/{evaluator.token}/")
    return client


@pytest.mark.parametrize("name", OFFICE_ONLY)
@pytest.mark.parametrize(
    "who", ["anonymous", "provider_user", "chair_user", "other_office_user", "evaluator"]
)
def test_office_pages_are_closed_to_everyone_else(request, client, grouped_session, name, who):
    if who == "evaluator":
        client = request.getfixturevalue("evaluator_client")
    elif who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    response = client.get(reverse(f"consultations:{name}", args=[grouped_session.pk]))
    assert response.status_code in (403, 404)
    # Even after the reveal: individual scores and diagnostics stay with the office.
    Session.objects.filter(pk=grouped_session.pk).update(state="revealed")
    response = client.get(reverse(f"consultations:{name}", args=[grouped_session.pk]))
    assert response.status_code in (403, 404)


@pytest.mark.parametrize("name", OFFICE_ONLY)
def test_the_office_of_the_session_sees_its_pages_before_the_reveal(
    client, office_user, grouped_session, name
):
    client.force_login(office_user)
    response = client.get(reverse(f"consultations:{name}", args=[grouped_session.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("name", PUBLIC_AFTER_REVEAL)
@pytest.mark.parametrize(
    "who", ["anonymous", "provider_user", "chair_user", "other_office_user", "evaluator"]
)
def test_nobody_but_the_office_sees_results_before_the_reveal(request, client, grouped_session, name, who):
    scores = _score_strings(grouped_session)
    if who == "evaluator":
        client = request.getfixturevalue("evaluator_client")
    elif who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    url = reverse(f"consultations:{name}", args=[grouped_session.pk])
    for state in ["draft", "open", "closed"]:
        Session.objects.filter(pk=grouped_session.pk).update(state=state)
        response = client.get(url)
        if name == "results_report_pdf":
            assert response.status_code == 404
            continue
        assert response.status_code == 200
        html = response.content.decode()
        assert 'class="ranking-table"' not in html
        for score in scores:
            assert score not in html


@pytest.mark.parametrize("name", PUBLIC_AFTER_REVEAL)
def test_everyone_sees_the_ranking_after_the_reveal(client, grouped_session, name):
    Session.objects.filter(pk=grouped_session.pk).update(state="revealed")
    response = client.get(reverse(f"consultations:{name}", args=[grouped_session.pk]))
    assert response.status_code == 200
    if name != "results_report_pdf":
        html = response.content.decode()
        for score in _score_strings(grouped_session):
            assert score in html


def test_the_public_ranking_names_no_evaluator_and_shows_no_individual_score(
    client, grouped_session, provider_user
):
    Session.objects.filter(pk=grouped_session.pk).update(state="revealed")
    client.force_login(provider_user)
    html = client.get(reverse("consultations:ranking", args=[grouped_session.pk])).content.decode()
    html += client.get(reverse("consultations:ranking_partial", args=[grouped_session.pk])).content.decode()
    for name, _ in GROUPED_PANEL:
        assert name not in html
    # An individual sheet's total (the harsh 32.5 of one evaluator) appears nowhere.
    assert "32.5" not in html


def test_the_office_sees_the_public_ranking_as_the_public_does_before_the_reveal(
    client, office_user, grouped_session
):
    client.force_login(office_user)
    html = client.get(reverse("consultations:ranking", args=[grouped_session.pk])).content.decode()
    assert 'class="ranking-table"' not in html
    assert reverse("consultations:results", args=[grouped_session.pk]) in html


# ---- the API -------------------------------------------------------------------------------------------


def _token(user) -> str:
    key = secrets.token_urlsafe(24)
    ApiToken.objects.create(user=user, name="test", key_hash=hashlib.sha256(key.encode()).hexdigest())
    return key


def _api(session) -> str:
    return f"/api/sessions/{session.pk}/results"


def test_api_before_the_reveal_only_for_the_office(
    client, grouped_session, office_user, provider_user, other_office_user
):
    assert client.get(_api(grouped_session)).status_code == 403
    for user in (provider_user, other_office_user):
        response = client.get(_api(grouped_session), headers={"Authorization": f"Bearer {_token(user)}"})
        assert response.status_code == 403
        assert "尚未揭晓" in response.json()["detail"]
    response = client.get(_api(grouped_session), headers={"Authorization": f"Bearer {_token(office_user)}"})
    assert response.status_code == 200
    client.force_login(office_user)
    assert client.get(_api(grouped_session)).status_code == 200


def test_api_after_the_reveal_for_anyone_without_individual_scores(client, grouped_session):
    Session.objects.filter(pk=grouped_session.pk).update(state="revealed")
    response = client.get(_api(grouped_session))
    assert response.status_code == 200
    text = json.dumps(response.json(), ensure_ascii=False)
    for name, _ in GROUPED_PANEL:
        assert name not in text
    assert [p["score"] for p in response.json()["projects"]] == _score_strings(grouped_session)


def test_api_for_a_missing_session_is_404(client):
    assert client.get("/api/sessions/999999/results").status_code == 404


# ---- evaluator links ------------------------------------------------------------------------------------


def test_an_evaluator_cannot_write_a_sheet_in_another_session(grouped_session, federation, make_project):
    other = build_session(
        federation,
        make_project,
        projects=[("另一场的项目", "1000")],
        evaluators=[("外场评委", "")],
        sheets={},
        state="open",
        title="另一场协商会",
    )
    Session.objects.filter(pk=grouped_session.pk).update(state="open")
    evaluator = grouped_session.panel["王委员"]
    entry = other.entries_by_title["另一场的项目"]
    with pytest.raises(PermissionDenied):
        services_sheets.sheet_submit(evaluator=evaluator, entry=entry, scores={}, submission_id="x1")
    assert not Sheet.objects.filter(entry=entry).exists()


def test_an_evaluator_link_reaches_no_other_session_or_sheet(
    client, grouped_session, federation, make_project
):
    other = build_session(
        federation,
        make_project,
        projects=[("另一场的项目", "1000")],
        evaluators=[("外场评委", "")],
        sheets={("外场评委", "另一场的项目"): [20, 15, 20, 20]},
        state="open",
        title="另一场协商会",
    )
    mine = grouped_session.panel["王委员"]
    foreign_entry = other.entries_by_title["另一场的项目"]
    sheets_before = Sheet.objects.count()
    # Posting a sheet for another session's project through my link: refused, nothing written.
    url = f"/sessions/e/{mine.token}/entries/{foreign_entry.pk}/sheet"
    response = client.post(
        url, data=json.dumps({"scores": {}, "submission_id": "abc"}), content_type="application/json"
    )
    assert response.status_code in (403, 404)
    assert Sheet.objects.count() == sheets_before
    # My link's state lists no other evaluator's sheet and no score of theirs.
    state = client.get(f"/sessions/e/{mine.token}/state")
    if state.status_code == 200:
        text = state.content.decode()
        others = Sheet.objects.filter(entry__session=grouped_session).exclude(evaluator=mine)
        for sheet in others:
            assert sheet.receipt not in text
        assert "外场评委" not in text
    # And it opens none of the results pages.
    for name in OFFICE_ONLY:
        assert client.get(reverse(f"consultations:{name}", args=[other.pk])).status_code in (403, 404)
