"""The sheets on the ASGI edge (``dajia/live/edge.py``, ``dajia/consultations/fastpath_sheets.py``): the same
service and the same answer as the Django view, written in groups, refusals answered in the request's language;
an unreadable body or a token that is not found handed to Django unchanged."""

from __future__ import annotations

import asyncio
import json

import pytest
from django.test import Client

from dajia.conftest import run_coroutine
from dajia.consultations import fastpath_sheets, services_console, services_sheets, services_sheets_facts
from dajia.consultations.fastpath_sheets import write_sheets
from dajia.consultations.models import Session, Sheet
from dajia.consultations.services_sheets import SheetRequest
from dajia.consultations.tests.test_services_support import full_scores, make_session
from dajia.core import batches
from dajia.core.models import AuditLog
from dajia.live import edge
from dajia.live.edge import with_fast_paths
from dajia.live.tests.test_edge import Behind

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


def _request(evaluator, entry, scores, submission_id, language="") -> SheetRequest:
    return SheetRequest(
        entry_id=entry.pk,
        scores={str(k): v for k, v in scores.items()},
        submission_id=submission_id,
        token=evaluator.token if hasattr(evaluator, "token") else evaluator,
        language=language,
    )


def test_a_batch_writes_what_the_service_writes(panel):
    first, second = panel.entries.order_by("position")
    a, b, c = panel.evaluators.order_by("id")
    scores = full_scores(panel, ("25", "16.5", "20", "21"))
    by_service = services_sheets.sheet_submit(
        evaluator=a, entry=first, scores=scores, submission_id="one"
    ).sheet
    answers = [
        body
        for _status, body, _headers in write_sheets(
            [
                _request(b, first, scores, "two", "zh-hans"),
                _request(c, first, scores, "three", "zh-hans"),
                _request(b, first, scores, "two", "zh-hans"),  # a retry
            ]
        )
    ]
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
    assert set(by_batch.receipt.replace("-", "")) <= set(services_sheets_facts.RECEIPT_ALPHABET)
    assert second.sheets.count() == 0


def test_refusals_are_answered_as_the_view_answers_them(panel, office_user):
    first, second = panel.entries.order_by("position")
    a, b, c = panel.evaluators.order_by("id")
    scores = full_scores(panel)
    services_sheets.sheet_submit(evaluator=a, entry=first, scores=scores, submission_id="kept")
    services_sheets.conflict_declare(evaluator=c, entry=first, reason="本单位客户")
    services_console.window_close(actor=office_user, entry=second)
    bad = {**scores, next(iter(scores)): "31分"}
    requests = [
        _request(a, first, scores, "amended", "en"),  # an amendment: a new receipt
        _request("no-such-token", first, scores, "x"),  # 404: Django's
        _request(b, first, bad, "y", "en"),  # invalid: which score and why
        _request(b, second, scores, "z", "en"),  # the window is closed
        _request(c, first, scores, "w", "zh-hans"),  # a declared conflict, in Chinese
        _request(b, first, scores, "", "en"),  # no submission id
    ]
    amended, missing, invalid, closed, conflict, no_id = write_sheets(requests)
    # Each as the view answers the same request.
    for (status, body, _headers), request in zip(
        (amended, invalid, closed, conflict, no_id), [requests[i] for i in (0, 2, 3, 4, 5)], strict=True
    ):
        view = Client(headers={"accept-language": request.language}).post(
            f"/sessions/e/{request.token}/entries/{request.entry_id}/sheet",
            json.dumps({"scores": request.scores, "submission_id": request.submission_id}),
            content_type="application/json",
        )
        assert view.status_code == status
        if status == 200:  # the view's copy is a retry of the edge's amendment
            assert view.json() == {**body, "created": False, "changed": False}
        else:
            assert view.json() == body
    assert missing is None
    assert amended[1]["changed"] is True and amended[1]["created"] is False
    assert invalid[0] == 400 and invalid[1]["code"] == "invalid"
    assert closed[0] == 409 and closed[1]["message"].startswith("The scoring window")
    assert conflict[0] == 409 and conflict[1]["code"] == "conflict" and "利益" in conflict[1]["message"]
    assert no_id[0] == 400
    assert Sheet.objects.get(evaluator=a, entry=first).submission_id == "amended"
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
        nul = json.dumps({"scores": scores, "submission_id": "a\x00b"}).encode()
        with_nul = await post(f"/sessions/e/{b.token}/entries/{first.pk}/sheet", nul)
        ping = []

        async def send(message):
            ping.append(message)

        await app({"type": "http", "method": "GET", "path": "/live/ping", "headers": []}, None, send)
        return ok, broken, with_nul, nul, ping

    try:
        ok, broken, with_nul, nul, ping = run_coroutine(scenario())
    finally:
        edge.writer.run_in_writer(batches.close_connection)
    assert ok[0] == 200 and json.loads(ok[1])["submission_id"] == "fast"
    assert broken == (418, b"{not json")  # Django got the body untouched
    assert with_nul == (418, nul)  # a NUL character is Django's to refuse (core.inputs.BadInputMiddleware)
    assert sent_to_django == [f"/sessions/e/{b.token}/entries/{first.pk}/sheet"] * 2
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
    assert edge.writer.items >= 1


@pytest.mark.django_db(transaction=True)
def test_a_failed_batch_is_handed_to_django_whole(panel, monkeypatch):
    first = panel.entries.order_by("position").first()
    b = panel.evaluators.order_by("id")[1]

    def broken(items):
        raise RuntimeError("a handler failed")

    monkeypatch.setitem(edge._handlers, "broken", broken)
    request = _request(b, first, full_scores(panel), "s")

    async def scenario():
        return await edge.writer.submit("broken", request)

    try:
        assert run_coroutine(scenario()) is None
    finally:
        edge.writer.run_in_writer(batches.close_connection)
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


@pytest.mark.django_db(transaction=True)
def test_the_big_screen_reads_the_summary_from_the_cache_until_its_session_changes(panel, settings):
    settings.REDIS_URL = ""
    settings.SITE_URL = "https://dajia.example.cn"
    first = panel.entries.order_by("position").first()
    a = panel.evaluators.order_by("id").first()
    scores = full_scores(panel)
    app = with_fast_paths(django_stub := Behind())

    async def get(path: str, *headers: tuple[bytes, bytes]) -> tuple[int, dict, bytes]:
        sent: list[dict] = []

        async def send(message):
            sent.append(message)

        scope = {"type": "http", "method": "GET", "path": path, "root_path": "", "query_string": b""}
        await app({**scope, "headers": [(b"host", b"testserver"), *headers]}, None, send)
        return sent[0]["status"], dict(sent[0]["headers"]), b"".join(m.get("body", b"") for m in sent[1:])

    path = f"/live/session-{panel.pk}/summary"

    async def scenario():
        before = await get(path)
        kept = edge._ready[path].messages[1]["body"]  # the next read is the wrapper's, before any route
        again = await get(path)
        cross = await get(path, (b"origin", b"https://dajia.example.cn"))
        await asyncio.to_thread(
            services_sheets.sheet_submit,
            evaluator=a,
            entry=first,
            scores=scores,
            submission_id="s",
        )
        await asyncio.sleep(0.2)  # the progress event reaches this loop's hub, which marks the body stale
        after = await get(path)
        missing = await get("/live/session-999999/summary")
        return before, kept, again, cross, after, missing

    before, kept, again, cross, after, missing = run_coroutine(scenario())
    status, headers, body = before
    assert status == 200 and headers[b"content-type"] == b"application/json"
    assert headers[b"content-length"] == str(len(body)).encode() and headers[b"vary"] == b"Origin"
    assert b"access-control-allow-origin" not in headers
    assert {row["submitted"] for row in json.loads(body)["progress"]} == {0}
    assert again == before and kept == body  # served from the cache: the same answer
    assert cross[1][b"access-control-allow-origin"] == b"https://dajia.example.cn" and cross[2] == body
    progress = {row["entry_id"]: row["submitted"] for row in json.loads(after[2])["progress"]}
    assert after[0] == 200 and progress[first.pk] == 1  # the sheet's event made the cached body stale
    assert json.loads(after[2]) == json.loads(json.dumps(fastpath_sheets.session_summary(panel.pk)))
    assert missing == (418, {}, b"behind") and django_stub.paths == ["/live/session-999999/summary"]
