"""The ASGI fast path for a viewer's support (``POST /participation/s/<id>/support``, JSON), group-committed
by ``dajia.consultations.fastpath``'s writer (see its docstring for the why and the rules).

It serves what ``views.support`` answers with ``Accept: application/json`` and ``action=add``, with the same
checks in the same order: Django's CSRF check (the real middleware, on a real request object), the viewer
from the browser session, the rate limits (``vote_ip``, ``vote_viewer``: counted as
``services_limits.rate_limit_hit`` counts them, refused with the same 429), then ``services.support_add`` —
the viewer's row locked, the session open, the project part of it, at most ``support_limit`` projects, a repeat
changing nothing — with the support row, the maintained counter, the audit entry and the ``audience`` event
(coalesced per session). Anything else — an unverified or erased viewer, a bad project, a viewer already at
K, a withdrawal, a form post without script, a database error — goes to Django untouched, and is counted by
Django's rate limiter only then (so every request is counted once).
"""

from __future__ import annotations

import datetime
import json
import logging
import re
import time
from dataclasses import dataclass, field
from io import BytesIO
from urllib.parse import parse_qsl

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dajia.consultations import fastpath
from dajia.consultations.fastpath import Announcer, _in, _rows, insert_rows, read_body, replaying, send_json

logger = logging.getLogger(__name__)
SUPPORT_PATH = re.compile(r"^/participation/s/(?P<session>[0-9]{1,18})/support$")
SESSION_KEY = "participation_viewers"  # as views.SESSION_KEY


@dataclass
class VoteItem:
    session_id: int
    session_key: str
    entry: str
    ip: str | None
    language: str


@dataclass
class _Viewer:
    pk: int
    masked: str
    supported: set[int] = field(default_factory=set)


def _announce(session_ids: set) -> None:
    from dajia.consultations.models import Session
    from dajia.participation import services

    for session in Session.objects.filter(pk__in=session_ids):
        services._announce(session)


audience_announcer = Announcer(_announce)


def _viewer_ids(items: list[VoteItem]) -> dict[str, dict]:
    """Browser session key → its data, for the sessions that exist and have not expired (as SessionStore.load)."""
    from django.contrib.sessions.backends.db import SessionStore

    keys = {i.session_key for i in items if i.session_key}
    if not keys:
        return {}
    marks, values = _in(keys)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    store = SessionStore()
    out = {}
    for key, data in _rows(
        f"SELECT session_key, session_data FROM django_session WHERE session_key IN ({marks}) "  # noqa: S608
        "AND expire_date > %s",
        [*values, now],
    ):
        decoded = _decoded.get(data)
        if decoded is None:
            decoded = store.decode(data)  # verifies the signature
            if len(_decoded) >= 200_000:
                _decoded.clear()
            _decoded[data] = decoded
        out[key] = decoded
    return out


_decoded: dict[str, dict] = {}  # signed session data → its contents (the same text always decodes the same)
_agenda: dict[int, tuple[float, list]] = {}  # open session → its invited projects, briefly


def _audience(session_id: int, support_limit: int) -> dict:
    """``selectors.audience_index(session).as_data()`` for an open session, its agenda (frozen while the session
    is open: projects are only added or removed in draft) kept for a few seconds, the counters read each time."""
    from dajia.consultations.models import SessionProject
    from dajia.participation.models import LiveSettings, SupportCount
    from dajia.participation.selectors import AudienceIndex, AudienceRow, share_of

    cached = _agenda.get(session_id)
    if cached is None or time.monotonic() - cached[0] > AGENDA_SECONDS:
        entries = list(
            SessionProject.objects.filter(session_id=session_id)
            .select_related("project__provider")
            .order_by("position")
            .only("pk", "position", "project__title", "project__provider__name")
        )
        cached = _agenda[session_id] = (
            time.monotonic(),
            [(e.pk, e.position, e.project.title, e.project.provider.name) for e in entries],
        )
    counts = dict(
        _rows(
            f"SELECT entry_id, supports FROM {SupportCount._meta.db_table} WHERE session_id = %s",  # noqa: S608
            [session_id],
        )
    )
    found = _rows(f"SELECT viewers FROM {LiveSettings._meta.db_table} WHERE session_id = %s", [session_id])  # noqa: S608
    total = sum(counts.get(pk, 0) for pk, *_ in cached[1])
    index = AudienceIndex(
        session_id=session_id,
        support_limit=support_limit,
        viewers=(found[0][0] if found else 0) or 0,
        total_supports=total,
        rows=[
            AudienceRow(
                entry_id=pk,
                position=position,
                title=title,
                organisation=organisation,
                supports=counts.get(pk, 0),
                share=share_of(counts.get(pk, 0), total),
            )
            for pk, position, title, organisation in cached[1]
        ],
    )
    return index.as_data()


AGENDA_SECONDS = 5.0


def _rate_counts(keys: dict[str, int], windows: dict[str, int], now: datetime.datetime) -> dict[str, int]:
    """Add ``keys[key]`` hits to each counter (as ``services_limits`` counts: Redis when configured, else the
    database) and return the count before them."""
    from dajia.participation import services_limits as limits
    from dajia.participation.models import RateCounter

    before: dict[str, int] = {}
    url = getattr(settings, "REDIS_URL", "") or ""
    if url:
        try:
            import redis

            client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
            pipe = client.pipeline()
            for key, n in keys.items():
                start = limits._window_start(now, windows[key])
                rkey = f"dajia:rate:{key}:{int(start.timestamp())}"
                pipe.incrby(rkey, n)
                pipe.expire(rkey, windows[key] + 5)
            replies = pipe.execute()
            for (key, n), count in zip(keys.items(), replies[::2], strict=True):
                before[key] = int(count) - n
            return before
        except Exception:  # as services_limits: any Redis failure counts in the database
            logger.warning("fastpath: Redis rate counter unavailable, using the database", exc_info=True)
    # The database: one upsert per counter (in key order, so two processes lock rows in the same order), then
    # one read of them all. The rows stay locked (PostgreSQL) or the database is (SQLite) until the commit, so
    # nobody else's hits fall between the two.
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    k = connection.ops.quote_name("key")
    ordered = sorted(keys)
    starts = {
        key: connection.ops.adapt_datetimefield_value(limits._window_start(now, windows[key])) for key in keys
    }
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({k}, window_start, hits) VALUES (%s, %s, %s) "  # noqa: S608
            f"ON CONFLICT ({k}, window_start) DO UPDATE SET hits = {table}.hits + excluded.hits",
            [(key, starts[key], keys[key]) for key in ordered],
        )
    marks, names = _in(ordered)
    found: dict[str, list] = {}
    for key, start, hits in _rows(
        f"SELECT {k}, window_start, hits FROM {table} WHERE {k} IN ({marks})",  # noqa: S608
        names,
    ):
        found.setdefault(key, []).append((start, hits))
    for key in keys:
        after = next(
            (hits for start, hits in found.get(key, []) if _same_time(start, starts[key])), keys[key]
        )
        before[key] = after - keys[key]
    return before


def _same_time(stored, wanted) -> bool:
    """A window start read back from the database equals the one written (a string on SQLite)."""
    if isinstance(stored, datetime.datetime) and isinstance(wanted, datetime.datetime):
        return stored == wanted
    return str(stored).replace("T", " ")[:19] == str(wanted).replace("T", " ")[:19]


def write_supports(items: list[VoteItem]) -> list[tuple[int, dict, list] | None]:
    """``views.support`` + ``services.support_add`` for many viewers in one transaction. Returns per item
    (status, JSON answer, extra headers), or None where Django must answer."""
    from dajia.core.models import AuditLog
    from dajia.participation import services_limits as limits
    from dajia.participation.models import Support, SupportCount

    results: list = [None] * len(items)
    with transaction.atomic():
        marks, ids = _in({i.session_id for i in items})
        sessions = {
            pk: (state, limit, federation)
            for pk, state, limit, federation in _rows(
                "SELECT id, state, support_limit, federation_id FROM consultations_session "  # noqa: S608
                f"WHERE id IN ({marks})",
                ids,
            )
        }
        browser = _viewer_ids(items)
        wanted: dict[int, int] = {}  # item index → viewer id (as views.viewer_of reads it)
        for index, item in enumerate(items):
            if item.session_id not in sessions:
                continue
            viewer_id = browser.get(item.session_key, {}).get(SESSION_KEY, {}).get(str(item.session_id))
            if isinstance(viewer_id, int):
                wanted[index] = viewer_id
        viewers: dict[int, tuple[int, _Viewer]] = {}
        if wanted:
            marks, ids = _in(sorted(set(wanted.values())))
            lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
            for pk, session_id, masked in _rows(
                "SELECT id, session_id, mobile_masked FROM participation_viewer "  # noqa: S608
                f"WHERE id IN ({marks}) AND erased_at IS NULL ORDER BY id{lock}",
                ids,
            ):
                viewers[pk] = (session_id, _Viewer(pk, masked))
            for viewer_id, entry_id in _rows(
                f"SELECT viewer_id, entry_id FROM participation_support WHERE viewer_id IN ({marks})",  # noqa: S608
                ids,
            ):
                if viewer_id in viewers:
                    viewers[viewer_id][1].supported.add(entry_id)
        marks, ids = _in(sessions)
        entries = dict(
            _rows(
                f"SELECT id, session_id FROM consultations_sessionproject WHERE session_id IN ({marks})",  # noqa: S608
                ids,
            )
        )
        # What the service would do, item by item (state as the earlier items of this batch leave it).
        plan: list[tuple[int, _Viewer, int, bool]] = []  # (item, viewer, entry, new support?)
        for index, viewer_id in wanted.items():
            item = items[index]
            found = viewers.get(viewer_id)
            if found is None or found[0] != item.session_id:
                continue  # not verified (403)
            viewer = found[1]
            state, limit, _federation = sessions[item.session_id]
            try:
                entry_id = int(item.entry)
            except ValueError:
                continue
            if state != "open" or entries.get(entry_id) != item.session_id:
                continue
            if entry_id in viewer.supported:
                plan.append((index, viewer, entry_id, False))
                continue
            if len(viewer.supported) >= limit:
                continue
            viewer.supported.add(entry_id)
            plan.append((index, viewer, entry_id, True))
        if not plan:
            return results
        # Rate limits: counted for every request answered here, in order, as the view counts them.
        now = timezone.now()
        hits: dict[str, int] = {}
        windows: dict[str, int] = {}
        maxima: dict[str, int] = {}
        limit_of = {action: limits.limit_for(action) for action in ("vote_ip", "vote_viewer")}
        for index, viewer, _entry, _new in plan:
            for action, subject in (("vote_ip", items[index].ip or ""), ("vote_viewer", str(viewer.pk))):
                key = f"{action}:{subject or 'unknown'}"[:120]
                maxima[key], windows[key] = limit_of[action]
                hits[key] = hits.get(key, 0) + 1
        counts = _rate_counts(hits, windows, now)
        refused: dict[int, tuple[str, int]] = {}
        first_refusals: list[tuple[int, str]] = []
        accepted = []
        for index, viewer, entry_id, new in plan:
            refusal = None
            for action, subject in (("vote_ip", items[index].ip or ""), ("vote_viewer", str(viewer.pk))):
                key = f"{action}:{subject or 'unknown'}"[:120]
                counts[key] += 1
                if counts[key] == maxima[key] + 1:
                    first_refusals.append((index, key))
                if counts[key] > maxima[key]:
                    start = limits._window_start(now, windows[key])
                    retry = max(
                        1, int((start + datetime.timedelta(seconds=windows[key]) - now).total_seconds()) + 1
                    )
                    refusal = (key, retry)
                    # The view stops at the first refused limit: the next one is not counted.
                    break
            if refusal is not None:
                refused[index] = refusal
                if new:
                    viewer.supported.discard(entry_id)
            else:
                accepted.append((index, viewer, entry_id, new))
        # The supports, the counters, the audit entries.
        created = [(index, viewer, entry_id) for index, viewer, entry_id, new in accepted if new]
        if created:
            at = connection.ops.adapt_datetimefield_value(now)
            pks = fastpath._new_ids(Support, len(created))
            insert_rows(
                Support,
                ["id", "session_id", "viewer_id", "entry_id", "created_at", "ip"],
                [
                    (pk, items[i].session_id, v.pk, e, at, items[i].ip)
                    for pk, (i, v, e) in zip(pks, created, strict=True)
                ],
            )
            per_entry: dict[int, int] = {}
            for _i, _v, entry_id in created:
                per_entry[entry_id] = per_entry.get(entry_id, 0) + 1
            table = SupportCount._meta.db_table
            with connection.cursor() as cursor:
                for entry_id, n in sorted(per_entry.items()):
                    cursor.execute(
                        f"UPDATE {table} SET supports = supports + %s WHERE entry_id = %s",  # noqa: S608
                        [n, entry_id],
                    )
                    if cursor.rowcount == 0:
                        cursor.execute(
                            f"INSERT INTO {table} (entry_id, session_id, supports) VALUES (%s, %s, %s)",  # noqa: S608
                            [entry_id, entries[entry_id], n],
                        )
            after = AuditLog._meta.get_field("after")
            insert_rows(
                AuditLog,
                [
                    "at",
                    "actor_label",
                    "action",
                    "object_type",
                    "object_id",
                    "object_repr",
                    "federation_id",
                    "after",
                ],
                [
                    (
                        at,
                        v.masked,
                        "participation.support.add",
                        "participation.support",
                        str(pk),
                        f"{v.pk} → {e}",
                        sessions[items[i].session_id][2],
                        after.get_db_prep_save({"entry": e, "viewer": v.pk, "ip": items[i].ip}, connection),
                    )
                    for pk, (i, v, e) in zip(pks, created, strict=True)
                ],
            )
            audience_announcer.mark({items[i].session_id for i, _v, _e in created})
        if first_refusals:
            from dajia.consultations.models import Session
            from dajia.core import audit

            for index, key in first_refusals:
                action, _sep, subject = key.partition(":")
                session = Session.objects.get(pk=items[index].session_id)
                limit, window = maxima[key], windows[key]
                with translation.override(items[index].language or settings.LANGUAGE_CODE):
                    audit.log(
                        action="participation.rate_limited",
                        obj=session,
                        after={
                            "limit": action,
                            "subject": subject[:40],
                            "max": limit,
                            "window_seconds": window,
                        },
                        federation_id=session.federation_id,
                        actor_label=_("rate limit"),
                    )
        # The answers, with the audience index as it stands after this batch.
        indexes: dict[int, dict] = {}
        for session_id in {items[i].session_id for i, *_ in accepted}:
            indexes[session_id] = _audience(session_id, sessions[session_id][1])
        texts: dict[str, tuple[str, str]] = {}
        for index, viewer, _entry_id, _new in accepted:
            item = items[index]
            limit = sessions[item.session_id][1]
            if item.language not in texts:
                with translation.override(item.language or settings.LANGUAGE_CODE):
                    texts[item.language] = (
                        str(_("Audience index (for reference only)")),
                        str(_("Thank you for your support.")),
                    )
            label, message = texts[item.language]
            data = {**indexes[item.session_id], "label": label}
            results[index] = (
                200,
                {
                    "ok": True,
                    "message": message,
                    "supported": sorted(viewer.supported),
                    "limit": limit,
                    "remaining": max(0, limit - len(viewer.supported)),
                    "audience": data,
                },
                [],
            )
        for index, (_key, retry) in refused.items():
            with translation.override(items[index].language or settings.LANGUAGE_CODE):
                message = _("Too many requests. Please try again in %(s)d seconds.") % {"s": retry}
            results[index] = (
                429,
                {"ok": False, "message": message, "errors": {}},
                [(b"retry-after", str(retry).encode())],
            )
    return results


fastpath.register("support", write_supports)


def _checked(scope, body: bytes) -> tuple[bool, str | None]:
    """(Django's own CSRF check passes, the client's address as ``identity.client_ip`` reads it), both on a
    request object built from this request, as Django's handler would build it."""
    from django.core.handlers.asgi import ASGIRequest
    from django.middleware.csrf import CsrfViewMiddleware

    from dajia.participation import identity, views

    request = ASGIRequest(scope, BytesIO(body))
    middleware = CsrfViewMiddleware(lambda r: None)
    middleware.process_request(request)
    ok = middleware.process_view(request, views.support, (), {}) is None
    return ok, identity.client_ip(request)


async def _support(scope, receive, send, app, match) -> None:
    body, complete, gone = await read_body(receive)
    if gone:
        return
    item = None
    if (
        complete
        and settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
        and "application/json" in fastpath.header(scope, b"accept")
        and fastpath.header(scope, b"content-type").startswith("application/x-www-form-urlencoded")
    ):
        try:
            form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            form = None
        csrf_ok, ip = (
            _checked(scope, body)
            if form is not None and form.get("action", "add") == "add"
            else (False, None)
        )
        if csrf_ok:
            from http.cookies import CookieError, SimpleCookie

            jar = SimpleCookie()
            try:
                jar.load(fastpath.header(scope, b"cookie"))
            except CookieError:
                jar = SimpleCookie()
            morsel = jar.get(settings.SESSION_COOKIE_NAME)
            if morsel is not None and morsel.value:
                item = VoteItem(
                    session_id=int(match["session"]),
                    session_key=morsel.value,
                    entry=form.get("entry", ""),
                    ip=ip,
                    language=fastpath.request_language(scope),
                )
    result = await fastpath.writer.submit("support", item) if item is not None else None
    if result is None:
        await app(scope, replaying(body, complete, receive), send)
        return
    status, payload, extra = result
    await send_json(send, json.dumps(payload).encode(), status=status, extra=extra)


fastpath.add_post_route(SUPPORT_PATH, _support)
