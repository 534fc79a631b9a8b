"""Rate limits shared by every worker process: fixed-window counters in the database, or in Redis when
``REDIS_URL`` is set (falling back to the database if Redis does not answer).

A limit is (hits, window in seconds) per key; the key is the action and a subject — a client address, a keyed
token of a mobile number (never the number) or a viewer id. :func:`rate_limit_hit` counts one hit and raises
:class:`RateLimited` (the views answer 429 with ``Retry-After``) once the window holds more than the limit. It
commits on its own, before the write it guards, so a refused or failed write still counts. The first refusal
of a key in a window is written to the audit log, so bursts show in the office's report.

Defaults suit a hall whose Wi-Fi puts hundreds of phones behind one address; the office's IT may change them
with ``DAJIA_PARTICIPATION_LIMITS = {"vote_ip": (600, 600), …}``.
"""

from __future__ import annotations

import datetime
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dajia.core import audit
from dajia.participation.models import RateCounter

logger = logging.getLogger(__name__)

DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "code_ip": (40, 600),  # code requests from one address in 10 minutes
    "code_mobile": (5, 3600),  # codes sent to one number in an hour
    "code_mobile_burst": (1, 60),  # one code per number per minute
    "verify_ip": (80, 600),  # code checks from one address in 10 minutes
    "vote_ip": (900, 600),  # supports (and withdrawals) from one address in 10 minutes
    "vote_viewer": (30, 60),  # supports (and withdrawals) by one viewer in a minute
    "comment_viewer": (5, 600),
    "comment_ip": (60, 600),
    "objection_ip": (10, 3600),
}
_last_prune = 0.0
PRUNE_EVERY = 600.0


class RateLimited(ValidationError):
    """Too many requests: the view answers 429 with ``Retry-After``."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message, code="rate_limited")
        self.retry_after = retry_after


def limit_for(action: str) -> tuple[int, int]:
    overrides = getattr(settings, "DAJIA_PARTICIPATION_LIMITS", None) or {}
    hits, window = overrides.get(action, DEFAULT_LIMITS[action])
    return int(hits), int(window)


def _window_start(now: datetime.datetime, window: int) -> datetime.datetime:
    epoch = int(now.timestamp())
    return datetime.datetime.fromtimestamp(epoch - epoch % window, tz=datetime.UTC)


def _db_count(key: str, start: datetime.datetime) -> int:
    with transaction.atomic():
        if not RateCounter.objects.filter(key=key, window_start=start).update(hits=F("hits") + 1):
            try:
                with transaction.atomic():
                    RateCounter.objects.create(key=key, window_start=start, hits=1)
            except IntegrityError:
                RateCounter.objects.filter(key=key, window_start=start).update(hits=F("hits") + 1)
        return RateCounter.objects.filter(key=key, window_start=start).values_list("hits", flat=True).get()


_redis = None
_redis_url = ""
_redis_down_until = 0.0


def _redis_count(key: str, start: datetime.datetime, window: int) -> int | None:
    """The count from Redis, or None when Redis is not configured or does not answer."""
    global _redis, _redis_url, _redis_down_until
    url = getattr(settings, "REDIS_URL", "") or ""
    if not url or time.monotonic() < _redis_down_until:
        return None
    try:
        import redis

        if _redis is None or _redis_url != url:
            _redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
            _redis_url = url
        rkey = f"dajia:rate:{key}:{int(start.timestamp())}"
        pipe = _redis.pipeline()
        pipe.incr(rkey)
        pipe.expire(rkey, window + 5)
        count, _ = pipe.execute()
        return int(count)
    except Exception:
        logger.warning("participation: Redis rate counter unavailable, using the database", exc_info=True)
        _redis_down_until = time.monotonic() + 30
        return None


def _maybe_prune(now: datetime.datetime) -> None:
    global _last_prune
    if time.monotonic() - _last_prune < PRUNE_EVERY:
        return
    _last_prune = time.monotonic()
    RateCounter.objects.filter(window_start__lt=now - datetime.timedelta(days=2)).delete()


@dataclass(frozen=True)
class RateResult:
    count: int
    limit: int
    retry_after: int

    @property
    def refused(self) -> bool:
        return self.count > self.limit


@transaction.atomic
def rate_limit_hit(
    *, action: str, subject: str, session=None, now: datetime.datetime | None = None
) -> RateResult:
    """Count one ``action`` by ``subject`` and commit it; the first refusal in a window is audited."""
    limit, window = limit_for(action)
    now = now or timezone.now()
    start = _window_start(now, window)
    key = f"{action}:{subject or 'unknown'}"[:120]
    count = _redis_count(key, start, window)
    if count is None:
        count = _db_count(key, start)
    _maybe_prune(now)
    retry = max(1, int((start + datetime.timedelta(seconds=window) - now).total_seconds()) + 1)
    if count == limit + 1 and session is not None:
        audit.log(
            action="participation.rate_limited",
            obj=session,
            after={"limit": action, "subject": (subject or "")[:40], "max": limit, "window_seconds": window},
            federation_id=session.federation_id,
            actor_label=_("rate limit"),
        )
    return RateResult(count=count, limit=limit, retry_after=retry)


def enforce(*, action: str, subject: str, session=None) -> None:
    """Count the hit (committed whatever follows) and raise :class:`RateLimited` when over the limit."""
    result = rate_limit_hit(action=action, subject=subject, session=session)
    if result.refused:
        raise RateLimited(
            _("Too many requests. Please try again in %(s)d seconds.") % {"s": result.retry_after},
            retry_after=result.retry_after,
        )
