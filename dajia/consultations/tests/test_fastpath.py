"""The ASGI fast path (``dajia/consultations/fastpath.py``, ``dajia/participation/fastpath.py``): the same result as
the Django views and services, written in groups; anything but the plain case handed to Django unchanged."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from dajia.conftest import run_coroutine
from dajia.consultations import fastpath, fastpath_sheets, services_console, services_sheets
from dajia.consultations.fastpath import with_fast_paths
from dajia.consultations.fastpath_sheets import SheetItem, write_sheets
from dajia.consultations.models import Session, Sheet
from dajia.consultations.tests.test_services_support import full_scores, make_session
from dajia.core.models import AuditLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def panel(office_user, federation, provider, other_provider, make_project) -> Session:
    return make_session(
        actor=office_user,
        federation=federation,
        providers=[provider, other_provider],
        make_project=make_project,
    )


def _audit(sheet: Sheet) -> dict:
    row = AuditLog.objects.get(object_type="consultations.sheet", object_id=str(sheet.pk))
    return {
        "action": row.action,
        "actor": row.actor_id,
        "actor_label": row.actor_label,
        "object_repr_is_receipt": row.object_repr == sheet.receipt,
        "federation": row.federation_id,
        "before": row.before,
        "after": {**row.after, "receipt": "R"},
    }


def _state(sheet: Sheet) -> dict:
    return {
        "complete": sheet.complete,
        "source": sheet.source,
        "amendments": sheet.amendments,
        "scores": sorted((s.criterion_id, s.value) for s in sheet.scores.all()),
    }


def test_a_batch_writes_what_the_service_writes(panel):
    first, second = panel.entries.order_by("position")
    a, b, c = panel.evaluators.order_by("id")
    scores = full_scores(panel, ("25", "16.5", "20", "21"))
    by_service = services_sheets.sheet_submit(
        evaluator=a, entry=first, scores=scores, submission_id="one"
    ).sheet
    answers = write_sheets(
        [
            SheetItem(b.token, first.pk, {str(k): v for k, v in scores.items()}, "two", "zh-hans"),
            SheetItem(c.token, first.pk, {str(k): v for k, v in scores.items()}, "three", "zh-hans"),
            SheetItem(b.token, first.pk, {str(k): v for k, v in scores.items()}, "two", "zh-hans"),  # a retry
        ]
    )
    by_batch = Sheet.objects.get(evaluator=b, entry=first)
    assert _state(by_batch) == _state(by_service)
    assert {**_audit(by_batch), "actor_label": ""} == {**_audit(by_service), "actor_label": ""}
    assert _audit(by_batch)["actor_label"].startswith("评委")
    assert answers[0] == {
        "ok": True,
        "receipt": by_batch.receipt,
        "created": True,
        "changed": True,
        "complete": True,
        "submission_id": "two",
    }
    assert answers[2] == {**answers[0], "created": False, "changed": False}
    assert Sheet.objects.filter(entry=first).count() == 3
    assert AuditLog.objects.filter(action="consultations.sheet.submit").count() == 3
    assert len(by_batch.receipt) == 9 and by_batch.receipt[4] == "-"
    assert set(by_batch.receipt.replace("-", "")) <= set(services_sheets.RECEIPT_ALPHABET)
    assert second.sheets.count() == 0


def test_every_other_case_is_left_to_django(panel, office_user):
    first, second = panel.entries.order_by("position")
    a, b, c = panel.evaluators.order_by("id")
    scores = {str(k): v for k, v in full_scores(panel).items()}
    services_sheets.sheet_submit(evaluator=a, entry=first, scores=full_scores(panel), submission_id="kept")
    services_sheets.conflict_declare(evaluator=c, entry=first, reason="本单位客户")
    services_console.window_close(actor=office_user, entry=second)
    bad = {**scores, next(iter(scores)): "31分"}
    answers = write_sheets(
        [
            SheetItem(a.token, first.pk, scores, "amended", ""),  # an amendment: the service replaces scores
            SheetItem("no-such-token", first.pk, scores, "x", ""),  # 404
            SheetItem(b.token, first.pk, bad, "y", ""),  # invalid: Django says which and why
            SheetItem(b.token, second.pk, scores, "z", ""),  # the window is closed
            SheetItem(c.token, first.pk, scores, "w", ""),  # a declared conflict
            SheetItem(b.token, first.pk, scores, "", ""),  # no submission id
        ]
    )
    assert answers == [None] * 6
    assert Sheet.objects.get(evaluator=a, entry=first).submission_id == "kept"
    assert Sheet.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_asgi_path_answers_as_the_view_and_hands_errors_to_django(panel, settings):
    settings.REDIS_URL = ""
    first = panel.entries.order_by("position").first()
    _a, b, _c = panel.evaluators.order_by("id")
    scores = {str(k): v for k, v in full_scores(panel).items()}
    sent_to_django: list[str] = []

    async def django(scope, receive, send):
        sent_to_django.append(scope["path"])
        message = await receive()
        await send({"type": "http.response.start", "status": 418, "headers": []})
        await send({"type": "http.response.body", "body": message["body"]})

    app = with_fast_paths(django)

    async def post(path: str, body: bytes) -> tuple[int, bytes]:
        sent: list[dict] = []

        async def receive():
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message):
            sent.append(message)

        scope = {
            "type": "http",
            "method": "POST",
            "path": path,
            "root_path": "",
            "query_string": b"",
            "headers": [(b"host", b"testserver"), (b"content-type", b"application/json")],
        }
        await app(scope, receive, send)
        return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])

    async def scenario():
        ok = await post(
            f"/sessions/e/{b.token}/entries/{first.pk}/sheet",
            json.dumps({"scores": scores, "submission_id": "fast"}).encode(),
        )
        broken = await post(f"/sessions/e/{b.token}/entries/{first.pk}/sheet", b"{not json")
        ping = []

        async def send(message):
            ping.append(message)

        await app({"type": "http", "method": "GET", "path": "/live/ping", "headers": []}, None, send)
        return ok, broken, ping

    try:
        ok, broken, ping = run_coroutine(scenario())
    finally:
        fastpath.writer.close_connection()
    assert ok[0] == 200 and json.loads(ok[1])["submission_id"] == "fast"
    assert broken == (418, b"{not json")  # Django got the body untouched
    assert sent_to_django == [f"/sessions/e/{b.token}/entries/{first.pk}/sheet"]
    assert ping[0]["status"] == 200 and ping[1]["body"] == b"ok"
    sheet = Sheet.objects.get(evaluator=b, entry=first)
    # The same request through Django now finds the sheet: the retry answer of the view.
    view = Client().post(
        f"/sessions/e/{b.token}/entries/{first.pk}/sheet",
        json.dumps({"scores": scores, "submission_id": "fast"}),
        content_type="application/json",
    )
    assert view.json() == {**json.loads(ok[1]), "created": False, "changed": False}
    assert view.json()["receipt"] == sheet.receipt
    assert fastpath.writer.items >= 1


@pytest.mark.django_db(transaction=True)
def test_a_failed_batch_is_handed_to_django_whole(panel, monkeypatch):
    first = panel.entries.order_by("position").first()
    b = panel.evaluators.order_by("id")[1]
    scores = {str(k): v for k, v in full_scores(panel).items()}

    def broken(items):
        raise fastpath.DatabaseError("the database went away")

    monkeypatch.setitem(fastpath._handlers, "broken", broken)
    job_results = []

    async def scenario():
        return await fastpath.writer.submit("broken", SheetItem(b.token, first.pk, scores, "s", ""))

    job_results.append(run_coroutine(scenario()))
    assert job_results == [None]
    assert not Sheet.objects.exists()


def test_the_summary_has_the_counts_of_the_big_screen(panel):
    first, second = panel.entries.order_by("position")
    a = panel.evaluators.order_by("id").first()
    services_sheets.sheet_submit(evaluator=a, entry=first, scores=full_scores(panel), submission_id="s")
    data = fastpath_sheets.session_summary(panel.pk)
    progress = {row["entry_id"]: (row["submitted"], row["expected"]) for row in data["progress"]}
    assert progress == {first.pk: (1, 3), second.pk: (0, 3)}
    assert data["audience"]["total_supports"] == 0
    assert fastpath_sheets.session_summary(10**9) is None
