"""Failure counters for the login form: per client address and per identifier, shared by every process.

The counts live in the database table of ``dajia.participation`` (``RateCounter``: one row per key and fixed
window; its own limits for codes and votes are in ``participation/services_limits.py``), so every gunicorn
and uvicorn process, on one machine or several sharing one PostgreSQL, sees the same numbers. Only failures
are written, so an ordinary login costs one indexed read; a refused attempt costs the same read and nothing
else (the password is not even checked).

Keys never hold a mobile number or a username in clear: identifiers are hashed with the site's key.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import ipaddress
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verdict:
    refused: bool
    retry_after: int  # seconds until the current window ends


def client_address(request) -> str:
    """``REMOTE_ADDR``, or behind ``DAJIA_TRUSTED_PROXIES`` reverse proxies the address that many hops from the
    right of ``X-Forwarded-For`` (the part a client cannot forge). "unknown" when it is not an address."""
    hops = int(getattr(settings, "DAJIA_TRUSTED_PROXIES", 0) or 0)
    candidate = request.META.get("REMOTE_ADDR", "")
    if hops > 0:
        chain = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(chain) >= hops:
            candidate = chain[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return "unknown"


def subject_token(value: str) -> str:
    """A short keyed digest of an identifier for use in a key."""
    key = hashlib.sha256(f"{settings.SECRET_KEY}\x1fdajia.core.ratelimit".encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:24]


def _window_start(now: datetime.datetime, window: int) -> datetime.datetime:
    epoch = int(now.timestamp())
    return datetime.datetime.fromtimestamp(epoch - epoch % window, tz=datetime.UTC)


def _retry_after(now: datetime.datetime, start: datetime.datetime, window: int) -> int:
    return max(1, int((start + datetime.timedelta(seconds=window) - now).total_seconds()) + 1)


def _model():
    from dajia.participation.models import RateCounter

    return RateCounter


def check(*, key: str, limit: int, window: int, now: datetime.datetime | None = None) -> Verdict:
    """Whether ``key`` has already used up ``limit`` failures in the current window (counts nothing)."""
    now = now or timezone.now()
    start = _window_start(now, window)
    hits = _model().objects.filter(key=key[:120], window_start=start).values_list("hits", flat=True).first()
    return Verdict(refused=(hits or 0) >= limit, retry_after=_retry_after(now, start, window))


def fail(*, key: str, window: int, now: datetime.datetime | None = None) -> int:
    """Count one failure for ``key``; returns the count in this window. Commits with the caller's
    transaction (the login view runs outside one, so at once)."""
    now = now or timezone.now()
    start = _window_start(now, window)
    counters = _model().objects
    key = key[:120]
    with transaction.atomic():
        if not counters.filter(key=key, window_start=start).update(hits=F("hits") + 1):
            try:
                with transaction.atomic():
                    counters.create(key=key, window_start=start, hits=1)
            except IntegrityError:  # another process created it first
                counters.filter(key=key, window_start=start).update(hits=F("hits") + 1)
        return counters.filter(key=key, window_start=start).values_list("hits", flat=True).get()


# ---- the login form ------------------------------------------------------------------------------------------


def _login_keys(request, identifier: str) -> list[tuple[str, int]]:
    ident = "".join(identifier.split()).lower()
    return [
        (f"login_ip:{client_address(request)}", settings.DAJIA_LOGIN_FAILURES_PER_IP),
        (f"login_id:{subject_token(ident)}", settings.DAJIA_LOGIN_FAILURES_PER_IDENTIFIER),
    ]


def login_check(request, identifier: str) -> Verdict:
    """Refused when this address or this identifier has had too many failed logins recently. If the counters
    cannot be read, the login goes ahead (the per-account lockout still applies) and the error is logged."""
    window = settings.DAJIA_LOGIN_RATE_WINDOW_SECONDS
    try:  # plain reads in autocommit (no transaction: on SQLite one would take the write lock)
        verdicts = [
            check(key=key, limit=limit, window=window) for key, limit in _login_keys(request, identifier)
        ]
    except DatabaseError:
        logger.exception("rate limit: could not read the login counters")
        return Verdict(refused=False, retry_after=0)
    refused = [v for v in verdicts if v.refused]
    if refused:
        return Verdict(refused=True, retry_after=max(v.retry_after for v in refused))
    return Verdict(refused=False, retry_after=0)


def login_failed(request, identifier: str) -> None:
    window = settings.DAJIA_LOGIN_RATE_WINDOW_SECONDS
    try:
        for key, _limit in _login_keys(request, identifier):
            fail(key=key, window=window)
    except DatabaseError:
        logger.exception("rate limit: could not count a failed login")


# ---- counting hits, many at once (the participation limits, one request or a batch of them) ----------------

REDIS_BACKOFF_SECONDS = 30.0
_hits_redis = None
_hits_redis_url = ""
_hits_redis_down_until = 0.0


def count_hits(hits: dict[str, int], windows: dict[str, int], now: datetime.datetime) -> dict[str, int]:
    """Add ``hits[key]`` to the counter of each key in its current fixed window (``windows[key]`` seconds) and
    return each count after them: one Redis pipeline when ``REDIS_URL`` is set, else (or when Redis does not
    answer, after which it is left alone for ``REDIS_BACKOFF_SECONDS`` rather than stall every write on its
    timeouts) one upsert per key and one read in the caller's transaction. The increments are atomic, so the
    counts of two processes never interleave within a key: ``count - hits[key]`` is what the window held before.
    """
    if not hits:
        return {}
    counted = _redis_hits(hits, windows, now)
    return counted if counted is not None else _db_hits(hits, windows, now)


def _redis_hits(
    hits: dict[str, int], windows: dict[str, int], now: datetime.datetime
) -> dict[str, int] | None:
    global _hits_redis, _hits_redis_url, _hits_redis_down_until
    url = getattr(settings, "REDIS_URL", "") or ""
    if not url or time.monotonic() < _hits_redis_down_until:
        return None
    try:
        import redis

        if _hits_redis is None or _hits_redis_url != url:
            _hits_redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
            _hits_redis_url = url
        pipe = _hits_redis.pipeline()
        for key, n in hits.items():
            rkey = f"dajia:rate:{key}:{int(_window_start(now, windows[key]).timestamp())}"
            pipe.incrby(rkey, n)
            pipe.expire(rkey, windows[key] + 5)
        replies = pipe.execute()
        return {key: int(count) for key, count in zip(hits, replies[::2], strict=True)}
    except Exception:  # any Redis failure: count in the database
        logger.warning("rate limit: Redis counter unavailable, using the database", exc_info=True)
        _hits_redis_down_until = time.monotonic() + REDIS_BACKOFF_SECONDS
        return None


def _db_hits(hits: dict[str, int], windows: dict[str, int], now: datetime.datetime) -> dict[str, int]:
    # Plain SQL: one statement for all keys where the ORM needs an UPDATE, maybe an INSERT and a SELECT each.
    # In key order, so two processes lock the rows in the same order; the rows stay locked (PostgreSQL) or the
    # database is (SQLite) until the commit, so nobody else's hits fall between the upsert and the read.
    model = _model()
    ops = connection.ops
    table, k = ops.quote_name(model._meta.db_table), ops.quote_name("key")
    starts = {key: _window_start(now, windows[key]) for key in hits}
    ordered = sorted(hits)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({k}, window_start, hits) VALUES (%s, %s, %s) "  # noqa: S608
            f"ON CONFLICT ({k}, window_start) DO UPDATE SET hits = {table}.hits + excluded.hits",
            [(key[:120], ops.adapt_datetimefield_value(starts[key]), hits[key]) for key in ordered],
        )
    found = {
        (key, start): n
        for key, start, n in model.objects.filter(
            key__in=[key[:120] for key in ordered], window_start__in=set(starts.values())
        ).values_list("key", "window_start", "hits")
    }
    return {key: found.get((key[:120], starts[key]), hits[key]) for key in hits}


def retry_after(now: datetime.datetime, window: int) -> int:
    """Seconds until the fixed window of ``window`` seconds that holds ``now`` ends."""
    return _retry_after(now, _window_start(now, window), window)
