"""Draining the SMS outbox: each due row is claimed by one drain, handed to the pluggable sender
(dajia/core/sms.py) and marked, each step committed on its own so a crash never sends twice.

A row is claimed by a conditional UPDATE (``pending`` → ``sending``): of two drains running at once only one
wins it. A failure the sender reports (``SmsError``: nothing was sent) puts the row back to ``pending`` with a
growing delay, until ``DAJIA_SMS_MAX_ATTEMPTS``; any other error leaves it in ``sending``, because the message
may have gone out. Once sent or given up, the number is masked.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db.models import F, Min, Q
from django.utils import timezone

from dajia.core.validators import mask_mobile
from dajia.notifications.models import SmsDelivery

logger = logging.getLogger(__name__)
BATCH = 100


def max_attempts() -> int:
    return int(getattr(settings, "DAJIA_SMS_MAX_ATTEMPTS", 5))


def retry_delay(attempts: int) -> datetime.timedelta:
    base = int(getattr(settings, "DAJIA_SMS_RETRY_SECONDS", 60))
    return datetime.timedelta(seconds=base * 2 ** max(attempts - 1, 0))


def _due(now) -> Q:
    return Q(state=SmsDelivery.State.PENDING) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def _send_one(pk: int, now) -> str:
    from dajia.core import sms

    claimed = SmsDelivery.objects.filter(pk=pk, state=SmsDelivery.State.PENDING).update(
        state=SmsDelivery.State.SENDING, attempts=F("attempts") + 1
    )
    if not claimed:
        return "taken"
    row = SmsDelivery.objects.get(pk=pk)
    try:
        sms.send(row.mobile, row.text, event=row.event, params=row.params)
    except sms.SmsError as error:
        given_up = row.attempts >= max_attempts()
        SmsDelivery.objects.filter(pk=pk).update(
            state=SmsDelivery.State.FAILED if given_up else SmsDelivery.State.PENDING,
            last_error=str(error)[:200],
            next_attempt_at=None if given_up else now + retry_delay(row.attempts),
            mobile=mask_mobile(row.mobile) if given_up else row.mobile,
        )
        return "failed" if given_up else "retry"
    except Exception:
        logger.exception("SMS outbox row %s: the sender raised; left unsent to never send twice", pk)
        return "unknown"
    SmsDelivery.objects.filter(pk=pk).update(
        state=SmsDelivery.State.SENT, sent_at=timezone.now(), last_error="", mobile=mask_mobile(row.mobile)
    )
    return "sent"


def drain(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Send every due row once; returns how many ended in each outcome."""
    now = now or timezone.now()
    outcomes: dict[str, int] = {}
    due = list(SmsDelivery.objects.filter(_due(now)).order_by("id").values_list("pk", flat=True)[:BATCH])
    for pk in due:
        outcome = _send_one(pk, now)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def next_retry_at() -> datetime.datetime | None:
    """When the earliest row waiting for another attempt is due (None: nothing waits)."""
    return SmsDelivery.objects.filter(state=SmsDelivery.State.PENDING).aggregate(at=Min("next_attempt_at"))[
        "at"
    ]
