"""Failure counters and holds shared by every process: the one login gate, and hits per address.

The counts live in the database table ``RateCounter`` (``dajia.core.models``: one row per key and fixed
window; participation's limits for codes and votes are in ``participation/services_limits.py``), so every gunicorn
and uvicorn process, on one machine or several sharing one PostgreSQL, sees the same numbers. Only failures
are counted: an ordinary login costs two indexed reads and one indexed delete; a refused attempt costs the
reads and nothing else (the password is not even checked).

A *hold* (a key refused until a moment) is a row of the same table whose ``window_start`` is the moment the
hold ends and whose ``hits`` is 0; the counters' pruning removes it two days later like any other row.

Keys never hold a mobile number or a username in clear: identifiers are hashed with the site's key.

The login rule (every path that checks a password calls :func:`login_refusal`, :func:`login_failed` and
:func:`login_succeeded` through ``dajia.accounts.backends``):

* 5 failures (``DAJIA_LOGIN_FAILURES_PER_ADDRESS``) from one address for one account refuse that address for
  that account for 15 minutes (``DAJIA_LOGIN_ADDRESS_HOLD_SECONDS``); other addresses are not affected.
* Across all addresses, each failure for an account beyond the 10th within an hour
  (``DAJIA_LOGIN_FREE_FAILURES_PER_HOUR``) delays the account's next attempt: 1 s, 2 s, 4 s … at most 30 s
  (``DAJIA_LOGIN_MAX_DELAY_SECONDS``). Never a lock: a stranger cannot shut the office out on session day.
* A refused attempt checks no password and counts nothing.
"""

from __future__ import annotations

import datetime
import ipaddress
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from dajia.core import codes
from dajia.core.counters import add_to_counters
from dajia.core.models import RateCounter

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verdict:
    refused: bool
    retry_after: int  # seconds until the current window ends


class RateLimited(ValidationError):
    """Too many requests: the view answers 429 (with ``Retry-After`` when ``retry_after`` is known). The one
    refusal every limit raises: the login gate's holds, the codes and votes of the live page, the needs box."""

    def __init__(self, message: str, retry_after: int = 0):
        super().__init__(message, code="rate_limited")
        self.retry_after = retry_after


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


def client_ip(request) -> str | None:
    """:func:`client_address` for a record that keeps the address: None when it is no address."""
    address = client_address(request)
    return None if address == "unknown" else address


def subject_token(value: str) -> str:
    """A short keyed digest of an identifier (a mobile number, a username) for use in a key."""
    return codes.keyed("rate", value)[:24]


def _window_start(now: datetime.datetime, window: int) -> datetime.datetime:
    epoch = int(now.timestamp())
    return datetime.datetime.fromtimestamp(epoch - epoch % window, tz=datetime.UTC)


def _retry_after(now: datetime.datetime, start: datetime.datetime, window: int) -> int:
    return max(1, int((start + datetime.timedelta(seconds=window) - now).total_seconds()) + 1)


def clock() -> datetime.datetime:
    """The gate's clock (tests replace it to move time without sleeping)."""
    return timezone.now()


def _model():
    return RateCounter


def _hits(key: str, start: datetime.datetime) -> int:
    return (
        _model().objects.filter(key=key[:120], window_start=start).values_list("hits", flat=True).first() or 0
    )


def fail(*, key: str, window: int, now: datetime.datetime | None = None) -> int:
    """Count one failure for ``key``; returns the count in this window. Commits with the caller's
    transaction (the login view runs outside one, so at once)."""
    now = now or clock()
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


def hit(*, key: str, limit: int, window: int, now: datetime.datetime | None = None) -> Verdict:
    """Count one use of ``key`` (committed at once) and refuse it when this window already held ``limit``."""
    now = now or clock()
    count = fail(key=key, window=window, now=now)
    return Verdict(refused=count > limit, retry_after=_retry_after(now, _window_start(now, window), window))


def hold(*, key: str, seconds: float, now: datetime.datetime | None = None) -> None:
    """Refuse ``key`` for ``seconds`` from now (replacing a shorter or longer hold of the same key)."""
    now = now or clock()
    counters = _model().objects
    key = key[:120]
    with transaction.atomic():
        counters.filter(key=key, hits=0).delete()
        counters.create(key=key, window_start=now + datetime.timedelta(seconds=seconds), hits=0)


def held(*, key: str, now: datetime.datetime | None = None) -> int:
    """Seconds until the hold on ``key`` ends (rounded up), 0 when there is none."""
    now = now or clock()
    until = (
        _model()
        .objects.filter(key=key[:120], hits=0, window_start__gt=now)
        .order_by("-window_start")
        .values_list("window_start", flat=True)
        .first()
    )
    return 0 if until is None else max(1, math.ceil((until - now).total_seconds()))


def forget(*, keys: list[str]) -> None:
    """Drop the counters and holds of exactly these keys (an indexed delete, unlike a prefix)."""
    _model().objects.filter(key__in=[key[:120] for key in keys]).delete()


def clear(*, prefix: str) -> int:
    """Forget every counter and hold whose key starts with ``prefix``; returns how many rows went."""
    deleted, _rows = _model().objects.filter(key__startswith=prefix[:120]).delete()
    return deleted


# ---- the login gate ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginRefusal(Verdict):
    reason: str = ""  # "address": this address for this account; "delay": the account's delay


def login_account(*, user_id: int | None, identifier: str) -> str:
    """The account part of the gate's keys: the user's id (one account whether named by username or mobile),
    or a keyed token of what was typed when no account has that name, so unknown names are gated alike."""
    if user_id is not None:
        return f"u{user_id}"
    return "n" + subject_token("".join(identifier.split()).lower())


def _address_key(account: str, address: str) -> str:
    return f"login:{account}:ip:{address};"


def _delay_key(account: str) -> str:
    return f"login:{account}:delay"


def _account_key(account: str) -> str:
    return f"login:{account}:all"


def login_refusal(*, account: str, address: str) -> LoginRefusal:
    """Whether this attempt is refused before any password is checked (see the module docstring). If the
    counters cannot be read, the attempt goes ahead and the error is logged: a broken counter table must not
    shut every office out."""
    now = clock()
    try:
        blocked = held(key=_address_key(account, address) + "hold", now=now)
        delayed = 0 if blocked else held(key=_delay_key(account), now=now)
    except DatabaseError:
        logger.exception("login gate: could not read the counters")
        return LoginRefusal(refused=False, retry_after=0)
    if blocked:
        return LoginRefusal(refused=True, retry_after=blocked, reason="address")
    if delayed:
        return LoginRefusal(refused=True, retry_after=delayed, reason="delay")
    return LoginRefusal(refused=False, retry_after=0)


def _fail_recent(*, key: str, window: int, now: datetime.datetime) -> int:
    """Count one failure; returns the failures of this window and the one before, so that a run straddling a
    window's end is not forgotten halfway (fixed windows approximate a sliding one, never undercounting)."""
    previous = _window_start(now, window) - datetime.timedelta(seconds=window)
    return fail(key=key, window=window, now=now) + _hits(key, previous)


def login_failed(*, account: str, address: str) -> bool:
    """Count a wrong password; returns True when this failure started the address's hold."""
    now = clock()
    address_key = _address_key(account, address)
    window = settings.DAJIA_LOGIN_ADDRESS_HOLD_SECONDS
    try:
        here = _fail_recent(key=address_key + "count", window=window, now=now)
        everywhere = _fail_recent(key=_account_key(account), window=3600, now=now)
        beyond = everywhere - settings.DAJIA_LOGIN_FREE_FAILURES_PER_HOUR
        if beyond > 0:
            hold(
                key=_delay_key(account),
                seconds=min(settings.DAJIA_LOGIN_MAX_DELAY_SECONDS, 2 ** min(beyond - 1, 16)),
                now=now,
            )
        if here >= settings.DAJIA_LOGIN_FAILURES_PER_ADDRESS:
            # The hold remembers from now on; after it, this address starts again from zero.
            forget(keys=[address_key + "count"])
            hold(key=address_key + "hold", seconds=window, now=now)
            return True
    except DatabaseError:
        logger.exception("login gate: could not count a failed login")
    return False


def login_succeeded(*, account: str, address: str) -> None:
    """The right password from this address: its failures for this account are forgotten (not the account's
    hourly count, which other addresses built up)."""
    try:
        address_key = _address_key(account, address)
        forget(keys=[address_key + "count", address_key + "hold"])
    except DatabaseError:
        logger.exception("login gate: could not clear the counters")


def login_failure_counts(accounts: list[str]) -> dict[str, int]:
    """Failed logins of each account in the current hour, from every address, in one query (the office's
    list of people)."""
    start = _window_start(clock(), 3600)
    keys = {_account_key(account): account for account in accounts}
    rows = _model().objects.filter(key__in=list(keys), window_start=start).values_list("key", "hits")
    return {keys[key]: hits for key, hits in rows}


def login_clear(*, account: str) -> int:
    """The office clears an account's failures, holds and delay everywhere."""
    return clear(prefix=f"login:{account}:")


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
    # One upsert for all keys that returns their counts (``core.counters``), where the ORM needs an UPDATE,
    # maybe an INSERT and a SELECT each: the increment and the count read are one atomic statement, so no
    # other process's hits fall between them. Keys are stored cut to the column's 120 characters; two keys
    # that are the same once cut are one counter, as they always were.
    stored: dict[tuple[str, datetime.datetime], int] = {}
    for key, n in hits.items():
        row = (key[:120], _window_start(now, windows[key]))
        stored[row] = stored.get(row, 0) + n
    counted = add_to_counters(
        _model(),
        key=["key", "window_start"],
        counter="hits",
        rows=[(*row, n) for row, n in stored.items()],
        returning=True,
    )
    # One window per stored key in a call: the returned window (as the database spells it) is not needed.
    after = {row_key: n for (row_key, _start), n in counted.items()}
    return {key: after[key[:120]] for key in hits}


def retry_after(now: datetime.datetime, window: int) -> int:
    """Seconds until the fixed window of ``window`` seconds that holds ``now`` ends."""
    return _retry_after(now, _window_start(now, window), window)
