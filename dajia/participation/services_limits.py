"""Rate limits shared by every worker process: fixed-window counters in the database, or in Redis when
``REDIS_URL`` is set (falling back to the database if Redis does not answer, and leaving Redis alone for 30 s
then), counted by ``core.ratelimit.count_hits`` — the one counter for a single request and a batch alike.

A limit is (hits, window in seconds) per key; the key is the action and a subject — a client address, a keyed
token of a mobile number (never the number) or a viewer id. :func:`rate_limit_hit` counts one hit and raises
:class:`core.ratelimit.RateLimited` (the views answer 429 with ``Retry-After``) once the window holds more than the limit. It
commits on its own, before the write it guards, so a refused or failed write still counts; a batch service
counts many hits with :func:`count_many` in its own transaction (a refused request of the batch still counts). The first refusal
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
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dajia.core import audit, ratelimit
from dajia.core.models import RateCounter
from dajia.core.ratelimit import RateLimited

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


def limit_for(action: str) -> tuple[int, int]:
    overrides = getattr(settings, "DAJIA_PARTICIPATION_LIMITS", None) or {}
    hits, window = overrides.get(action, DEFAULT_LIMITS[action])
    return int(hits), int(window)


def _maybe_prune(now: datetime.datetime) -> None:
    global _last_prune
    if time.monotonic() - _last_prune < PRUNE_EVERY:
        return
    _last_prune = time.monotonic()
    # Keep every window that may still be current: a row of a longer window than two days (a configured limit)
    # is counted again until that window ends.
    longest = max(limit_for(action)[1] for action in DEFAULT_LIMITS)
    keep = datetime.timedelta(seconds=max(2 * 86400, longest + 86400))
    RateCounter.objects.filter(window_start__lt=now - keep).delete()


@dataclass(frozen=True)
class RateResult:
    count: int
    limit: int
    retry_after: int

    @property
    def refused(self) -> bool:
        return self.count > self.limit


def key_for(action: str, subject: str | None) -> str:
    return f"{action}:{subject or 'unknown'}"[:120]


def count_many(hits: list[tuple[str, str | None]], now: datetime.datetime) -> list[tuple[RateResult, bool]]:
    """Count each ``(action, subject)`` hit, in order, against the shared counters in one round trip
    (``core.ratelimit.count_hits``): per hit its result and whether it is the first refusal of its key in this
    window (the one the audit log records). The later of two hits on one key sees the earlier one counted."""
    windows: dict[str, int] = {}
    maxima: dict[str, int] = {}
    wanted: dict[str, int] = {}
    keys = []
    for action, subject in hits:
        key = key_for(action, subject)
        maxima[key], windows[key] = limit_for(action)
        wanted[key] = wanted.get(key, 0) + 1
        keys.append(key)
    after = ratelimit.count_hits(wanted, windows, now)
    _maybe_prune(now)
    running = {key: after[key] - n for key, n in wanted.items()}
    out = []
    for key in keys:
        running[key] += 1
        result = RateResult(
            count=running[key], limit=maxima[key], retry_after=ratelimit.retry_after(now, windows[key])
        )
        out.append((result, running[key] == maxima[key] + 1))
    return out


def refusal_entry(*, action: str, subject: str | None, session) -> audit.AuditLog:
    """The audit entry of a key's first refusal in a window, so bursts show in the office's report."""
    limit, window = limit_for(action)
    return audit.record(
        action="participation.rate_limited",
        obj=session,
        after={"limit": action, "subject": (subject or "")[:40], "max": limit, "window_seconds": window},
        federation_id=session.federation_id,
        actor_label=_("rate limit"),
    )


def refused_error(result: RateResult) -> RateLimited:
    return RateLimited(
        _("Too many requests. Please try again in %(s)d seconds.") % {"s": result.retry_after},
        retry_after=result.retry_after,
    )


@transaction.atomic
def rate_limit_hit(
    *, action: str, subject: str, session=None, now: datetime.datetime | None = None
) -> RateResult:
    """Count one ``action`` by ``subject`` and commit it; the first refusal in a window is audited."""
    ((result, first_refusal),) = count_many([(action, subject)], now or timezone.now())
    if first_refusal and session is not None:
        audit.log_many([refusal_entry(action=action, subject=subject, session=session)])
    return result


def enforce(*, action: str, subject: str, session=None) -> None:
    """Count the hit (committed whatever follows) and raise :class:`RateLimited` when over the limit."""
    result = rate_limit_hit(action=action, subject=subject, session=session)
    if result.refused:
        raise refused_error(result)
