"""The evaluator's phone page and its JSON endpoints: the token is the only key, and it opens one door."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from dajia.consultations import services_console, services_sheets
from dajia.consultations.models import Conflict, Sheet
from dajia.consultations.tests.test_services_support import full_scores, make_session
from dajia.live.bus import latest_event_id


@pytest.fixture
def live(office_user, federation, provider, other_provider, make_project):
    return make_session(
        actor=office_user,
        federation=federation,
        providers=[provider, other_provider],
        make_project=make_project,
        weights={"政协委员": "0.4", "基层工会主席": "0.6"},
    )


@pytest.fixture
def other(live, office_user, federation, provider, make_project):
    return make_session(
        actor=office_user,
        federation=federation,
        providers=[provider],
        make_project=make_project,
        title="另一场",
        projects=[live.entries.first().project],
        evaluators=(("外场评委", "政协委员"),),
        weights={"政协委员": "1"},
    )


def _post(client, token, entry_id, scores, submission_id="sub-1"):
    return client.post(
        reverse("consultations:evaluator_sheet", args=[token, entry_id]),
        data=json.dumps({"submission_id": submission_id, "scores": {str(k): v for k, v in scores.items()}}),
        content_type="application/json",
    )


def test_page_shows_agenda_rubric_and_descriptors(client, live):
    ev = live.evaluators.get(name="王芳")
    page = client.get(reverse("consultations:evaluator_page", args=[ev.token])).content.decode()
    for entry in live.entries.all():
        assert entry.project.title in page
    for c in live.criteria.all():
        assert c.name in page
    assert 'inputmode="decimal"' in page
    assert 'data-max="30"' in page and 'data-max="20"' in page
    assert "优秀（25–30）" in page  # level descriptors
    assert "evaluator.js" in page and "<script>" not in page


def test_the_phone_follows_the_session_from_the_newest_event_it_shows(
    client, live, office_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services_console.entry_stage(actor=office_user, entry=live.entries.first())
    ev = live.evaluators.get(name="王芳")
    html = client.get(reverse("consultations:evaluator_page", args=[ev.token])).content.decode()
    assert f'data-live-since="{latest_event_id()}"' in html and latest_event_id() > 0


def test_submit_returns_receipt_and_is_idempotent(client, live):
    ev, entry = live.evaluators.get(name="王芳"), live.entries.first()
    first = _post(client, ev.token, entry.pk, full_scores(live))
    assert first.status_code == 200
    body = first.json()
    assert body["ok"] and body["created"] and len(body["receipt"]) == 9
    for _ in range(3):
        again = _post(client, ev.token, entry.pk, full_scores(live))
        assert again.json()["receipt"] == body["receipt"] and not again.json()["changed"]
    assert Sheet.objects.count() == 1


def test_score_above_max_is_400_with_message_and_changes_nothing(client, live):
    ev, entry = live.evaluators.get(name="王芳"), live.entries.first()
    ok = _post(client, ev.token, entry.pk, full_scores(live)).json()
    response = _post(client, ev.token, entry.pk, full_scores(live, ("35", "16", "20", "21")), "sub-2")
    assert response.status_code == 400
    body = response.json()
    first = str(live.criteria.first().pk)
    assert list(body["errors"]) == [first]
    assert "内容实用有效" in body["errors"][first][0] and "30" in body["errors"][first][0]
    sheet = Sheet.objects.get()
    assert sheet.receipt == ok["receipt"] and sheet.amendments == 0


def test_unreadable_body_is_400(client, live):
    ev, entry = live.evaluators.get(name="王芳"), live.entries.first()
    url = reverse("consultations:evaluator_sheet", args=[ev.token, entry.pk])
    assert client.post(url, data="not json", content_type="application/json").status_code == 400
    assert client.post(url, data="[1, 2]", content_type="application/json").status_code == 400
    assert (
        client.post(
            url, data=json.dumps({"submission_id": "x", "scores": [1]}), content_type="application/json"
        ).status_code
        == 400
    )
    assert not Sheet.objects.exists()


def test_a_nul_character_in_a_sheet_is_a_400_and_stores_nothing(client, live):
    # PostgreSQL cannot store or compare text with a NUL: the submission id reached it as a server error.
    ev, entry = live.evaluators.get(name="王芳"), live.entries.first()
    response = client.post(
        reverse("consultations:evaluator_sheet", args=[ev.token, entry.pk]),
        data=json.dumps(
            {"submission_id": "sub\x00-1", "scores": {str(k): v for k, v in full_scores(live).items()}}
        ),
        content_type="application/json",
        HTTP_ACCEPT="application/json",  # as the phone's page sends it
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "请求中含有无法使用的字符（NUL）。"}
    assert not Sheet.objects.exists()
    assert _post(client, ev.token, entry.pk, full_scores(live), submission_id="sub-1").status_code == 200


def test_submit_after_window_closed_is_409_and_changes_nothing(client, live, office_user):
    ev, entry = live.evaluators.get(name="王芳"), live.entries.first()
    services_console.window_close(actor=office_user, entry=entry)
    response = _post(client, ev.token, entry.pk, full_scores(live))
    assert response.status_code == 409
    assert response.json()["code"] == "closed" and response.json()["message"]
    assert not Sheet.objects.exists()


def test_wrong_token_and_other_session_are_404(client, live, other):
    ev, entry = live.evaluators.get(name="王芳"), live.entries.first()
    stranger = other.evaluators.get()
    assert client.get(reverse("consultations:evaluator_page", args=["nope" * 8])).status_code == 404
    assert _post(client, "nope" * 8, entry.pk, full_scores(live)).status_code == 404
    # A token of another session can neither read nor write this session's entry.
    assert _post(client, stranger.token, entry.pk, full_scores(live)).status_code == 404
    assert (
        client.post(
            reverse("consultations:evaluator_conflict", args=[stranger.token, entry.pk]),
            data="{}",
            content_type="application/json",
        ).status_code
        == 404
    )
    # ...and this session's token cannot reach the other session's entry.
    assert _post(client, ev.token, other.entries.get().pk, full_scores(other)).status_code == 404
    assert not Sheet.objects.exists() and not Conflict.objects.exists()


def test_page_and_state_never_show_other_evaluators_scores(client, live):
    me, someone = live.evaluators.get(name="王芳"), live.evaluators.get(name="李强")
    entry = live.entries.first()
    theirs = services_sheets.sheet_submit(
        evaluator=someone,
        entry=entry,
        scores=full_scores(live, ("29.5", "19.5", "24.5", "23.5")),
        submission_id="x",
    )
    page = client.get(reverse("consultations:evaluator_page", args=[me.token])).content.decode()
    state = client.get(reverse("consultations:evaluator_state", args=[me.token])).content.decode()
    for text in (page, state):
        assert "29.5" not in text and "24.5" not in text and theirs.receipt not in text and "李强" not in text
    # One's own sheet is shown back (to amend it), with its receipt.
    mine = services_sheets.sheet_submit(
        evaluator=me, entry=entry, scores=full_scores(live), submission_id="y"
    )
    page = client.get(reverse("consultations:evaluator_page", args=[me.token])).content.decode()
    assert mine.receipt in page and 'value="25"' in page


def test_state_endpoint(client, live, office_user):
    ev = live.evaluators.get(name="王芳")
    entry = live.entries.first()
    services_console.entry_stage(actor=office_user, entry=entry)
    result = services_sheets.sheet_submit(
        evaluator=ev, entry=entry, scores=full_scores(live), submission_id="s"
    )
    data = client.get(reverse("consultations:evaluator_state", args=[ev.token])).json()
    assert data["session_state"] == "open" and data["on_stage"] == entry.pk and data["results_url"] == ""
    first = data["entries"][0]
    assert first == {
        "id": entry.pk,
        "window": "scoring",
        "conflict": False,
        "receipt": result.receipt,
        "submission_id": "s",
    }


def test_results_link_only_after_reveal(client, live):
    ev = live.evaluators.first()
    url = reverse("consultations:evaluator_page", args=[ev.token])
    assert f"/sessions/{live.pk}/ranking/" not in client.get(url).content.decode()
    type(live).objects.filter(pk=live.pk).update(state="revealed")
    assert f"/sessions/{live.pk}/ranking/" in client.get(url).content.decode()


def test_conflict_endpoint(client, live):
    ev, entry = live.evaluators.get(name="王芳"), live.entries.first()
    url = reverse("consultations:evaluator_conflict", args=[ev.token, entry.pk])
    response = client.post(
        url, data=json.dumps({"reason": "曾在该机构任职"}), content_type="application/json"
    )
    assert response.status_code == 200
    assert Conflict.objects.get().reason == "曾在该机构任职"
    assert _post(client, ev.token, entry.pk, full_scores(live)).status_code == 409
    assert not Sheet.objects.exists()
    # Declared after scoring: refused with a message (the sheet is kept).
    other_entry = live.entries.last()
    assert _post(client, ev.token, other_entry.pk, full_scores(live)).status_code == 200
    response = client.post(
        reverse("consultations:evaluator_conflict", args=[ev.token, other_entry.pk]),
        data="{}",
        content_type="application/json",
    )
    assert response.status_code == 409 and response.json()["message"]


def test_get_is_not_allowed_on_the_sheet_endpoint(client, live):
    ev, entry = live.evaluators.first(), live.entries.first()
    assert client.get(reverse("consultations:evaluator_sheet", args=[ev.token, entry.pk])).status_code == 405
