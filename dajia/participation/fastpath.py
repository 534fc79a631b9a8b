"""A viewer's support on the ASGI edge (``POST /participation/s/<id>/support``, JSON; ``dajia.live.edge``).

The viewers' supports are the load of a live session: hundreds of phones behind the hall's Wi-Fi pressing
within seconds. The edge reads the request and queues it; its writer thread hands every support waiting to
:func:`write_supports`, which reads the viewers from the browsers' sessions (as ``SessionMiddleware`` and
``views.viewer_of`` do, for the whole batch at once), calls ``services_supports.supports_add`` — the one
implementation of the support rule and its rate limits — once for the batch, and builds each answer with
``views.support_json``, the view's own, in the language of its request, after the commit.

Only ``action=add`` from the page's script (``Accept: application/json``, a form body) that passes Django's own
CSRF check (the real middleware, on a real request object) comes here; a withdrawal, a form post without
script, another session engine or an unknown session goes to Django with the body untouched.
"""

from __future__ import annotations

import re
from io import BytesIO
from urllib.parse import parse_qsl

from django.conf import settings
from django.http import Http404
from django.utils import timezone

from dajia.core.batches import each_speaking, run_batch
from dajia.live import edge
from dajia.participation import services_supports
from dajia.participation.views import SESSION_KEY, support_json

SUPPORT_PATH = re.compile(r"^/participation/s/(?P<session>[0-9]{1,18})/support$")
DB_SESSIONS = "django.contrib.sessions.backends.db"

_decoded: dict[str, dict] = {}  # signed session data → its contents (the same text always decodes the same)


def _browser_sessions(keys: set[str]) -> dict[str, dict]:
    """Browser session key → its data, for the sessions that exist and have not expired (as SessionStore.load,
    for many keys in one query; the signature is verified by ``decode``)."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session as BrowserSession

    store = SessionStore()
    out = {}
    rows = BrowserSession.objects.filter(session_key__in=keys, expire_date__gt=timezone.now()).values_list(
        "session_key", "session_data"
    )
    for key, data in rows:
        decoded = _decoded.get(data)
        if decoded is None:
            decoded = store.decode(data)
            if len(_decoded) >= 200_000:
                _decoded.clear()
            _decoded[data] = decoded
        out[key] = decoded
    return out


def write_supports(items: list[dict]) -> list[tuple | None] | None:
    """The writer's handler: ``items`` are ``{session_id, session_key, entry, ip, language}``; one answer
    ``(status, body, headers)`` per item, or None where Django must answer (no such session)."""

    def read_requests():
        browsers = _browser_sessions({i["session_key"] for i in items})
        requests = []
        for item in items:
            viewer_id = (
                browsers.get(item["session_key"], {}).get(SESSION_KEY, {}).get(str(item["session_id"]))
            )
            requests.append(
                services_supports.SupportRequest(
                    session_id=item["session_id"],
                    viewer_id=viewer_id if isinstance(viewer_id, int) else None,
                    entry=item["entry"],
                    ip=item["ip"],
                    language=item["language"],
                )
            )
        return requests

    # The browsers' sessions are read (and their signatures checked) before the writers' queue: on SQLite
    # the queue is the one write lock of all processes, and this read was an eighth of a batch's time in it.
    # A viewer signed out between this read and the batch is one press that was made while signed in.
    requests = run_batch(read_requests, queued=False)
    if requests is None:
        return None
    outcomes = run_batch(lambda: services_supports.supports_add(requests=requests))
    if outcomes is None:
        return None
    # The answers read no database: they are built after the commit, once the other process's writer may
    # take its turn, and the audience index of a session is put in JSON form once per language, not per phone.
    indexes: dict[tuple[int, str], dict] = {}
    answers = []
    for request, outcome in each_speaking(
        zip(requests, outcomes, strict=True), lambda pair: pair[0].language or settings.LANGUAGE_CODE
    ):
        if isinstance(outcome.error, Http404):
            answers.append(None)
            continue
        index = {}
        if outcome.audience is not None:
            key = (request.session_id, request.language or settings.LANGUAGE_CODE)
            if key not in indexes:
                indexes[key] = outcome.audience.as_data()
            index = indexes[key]
        answers.append(support_json(outcome, index))
    return answers


edge.register("support", write_supports)


def _item(scope, body: bytes, session_id: int) -> dict | None:
    """What the writer needs of a support the edge may serve, or None (Django serves it). The request passes
    Django's own CSRF check (the real middleware, on a request object built as Django's handler builds it),
    and that one request object gives the cookies (parsed once: the session key and the language), and the
    client's address as ``ratelimit.client_ip`` reads it."""
    from django.core.handlers.asgi import ASGIRequest
    from django.middleware.csrf import CsrfViewMiddleware

    from dajia.core import ratelimit
    from dajia.participation import views

    if (
        settings.SESSION_ENGINE != DB_SESSIONS
        or "application/json" not in edge.header(scope, b"accept")
        or not edge.header(scope, b"content-type").startswith("application/x-www-form-urlencoded")
    ):
        return None
    try:
        form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        return None
    if form.get("action", "add") != "add":
        return None
    request = ASGIRequest(scope, BytesIO(body))
    middleware = CsrfViewMiddleware(lambda r: None)
    middleware.process_request(request)
    if middleware.process_view(request, views.support, (), {}) is not None:
        return None
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)  # as SessionMiddleware reads it
    if not session_key:
        return None
    return {
        "session_id": session_id,
        "session_key": session_key,
        "entry": form.get("entry", ""),
        "ip": ratelimit.client_ip(request),
        "language": edge.request_language(scope, request.COOKIES),
    }


async def _support(scope, receive, send, app, match) -> None:
    body, complete, gone = await edge.read_body(receive)
    if gone:
        return
    item = _item(scope, body, int(match["session"])) if complete else None
    result = await edge.writer.submit("support", item) if item is not None else None
    if result is None:
        await app(scope, edge.replaying(body, complete, receive), send)
        return
    await edge.send_answer(send, result)


edge.add_post_route(SUPPORT_PATH, _support)
