"""Telling people that something waits for them: the one write every app calls inside its own service.

``notify`` (one event) and ``notifications_send`` (a batch) write the inbox rows and the SMS outbox rows in the
caller's transaction, so a rolled-back action tells no one, and enqueue the outbox drain once it commits
(dajia/notifications/tasks.py). Every row carries the event's key and the database refuses a second row for
one key and person, so a retried service, a double click or a repeated job never tells anyone twice.

Who is told: accounts chosen by their roles (``audience``: the office of a federation, a union's chairs, a
provider's members, or named users), by inbox and — unless they turned it off or have no number — by SMS;
people without an account (objectors, verified viewers) by SMS only, at the number they gave for the matter.
The texts are rendered in the site's language (Chinese), the language of the office that reads them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from dajia.core import audit
from dajia.notifications.models import Message, SmsDelivery, SmsPreference

TEXT_MAX = 300


@dataclass(frozen=True)
class Notice:
    """One event to tell: ``text`` is a (lazy) gettext string formatted with ``params``, which are also the SMS
    template's parameters — so they hold only what the message needs (a number, a title), never a person's
    contact details."""

    event: str
    key: str
    text: object
    params: Mapping = field(default_factory=dict)
    url: str = ""
    audience: Q | None = None
    mobiles: tuple[str, ...] = ()
    exclude_user_id: int | None = None


def office_of(federation_id: int) -> Q:
    return Q(roles__role="office", roles__federation_id=federation_id)


def chairs_of(union_id: int) -> Q:
    return Q(roles__role="chair", roles__union_id=union_id)


def members_of(provider_id: int) -> Q:
    return Q(roles__role="provider", roles__provider_id=provider_id)


def users(*user_ids: int | None) -> Q | None:
    ids = [pk for pk in user_ids if pk]
    return Q(pk__in=ids) if ids else None


def render(notice: Notice) -> tuple[str, dict[str, str]]:
    """The text and the SMS parameters, in the site's language (a parameter may be a lazy label too)."""
    with translation.override(settings.LANGUAGE_CODE):
        params = {name: str(value) for name, value in dict(notice.params).items()}
        return (str(notice.text) % params)[:TEXT_MAX], params


def _mobile_key(mobile: str) -> str:
    # The outbox key must not hold the number in clear (keys are kept after the number is masked).
    return hashlib.sha256(f"{settings.SECRET_KEY}:{mobile}".encode()).hexdigest()[:24]


def _recipients(notice: Notice) -> list[dict]:
    if notice.audience is None:
        return []
    rows = (
        get_user_model()
        .objects.filter(notice.audience, is_active=True)
        .values("pk", "mobile", "sms_preference__sms_enabled")
        .distinct()
    )
    return [row for row in rows if row["pk"] != notice.exclude_user_id]


@transaction.atomic
def notifications_send(*, notices: Iterable[Notice]) -> None:
    """Write the inbox and outbox rows of these events (one query per event for its recipients)."""
    messages: list[Message] = []
    deliveries: list[SmsDelivery] = []
    for notice in notices:
        text, params = render(notice)
        for row in _recipients(notice):
            messages.append(
                Message(recipient_id=row["pk"], event=notice.event, key=notice.key, text=text, url=notice.url)
            )
            if row["mobile"] and row["sms_preference__sms_enabled"] is not False:
                deliveries.append(
                    SmsDelivery(
                        key=f"{notice.key}:u{row['pk']}",
                        event=notice.event,
                        mobile=row["mobile"],
                        text=text,
                        params=params,
                    )
                )
        for mobile in dict.fromkeys(m for m in notice.mobiles if m):
            deliveries.append(
                SmsDelivery(
                    key=f"{notice.key}:m{_mobile_key(mobile)}",
                    event=notice.event,
                    mobile=mobile,
                    text=text,
                    params=params,
                )
            )
    # The unique keys turn a repeated event into no new rows, whichever process repeats it.
    Message.objects.bulk_create(messages, ignore_conflicts=True)
    if deliveries:
        SmsDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        from dajia.notifications.tasks import enqueue_drain

        transaction.on_commit(enqueue_drain)


def notify(
    *,
    event: str,
    key: str,
    text,
    params: Mapping | None = None,
    url: str = "",
    audience: Q | None = None,
    mobiles: Iterable[str] = (),
    exclude_user_id: int | None = None,
) -> None:
    """Tell one event (see :class:`Notice`)."""
    notifications_send(
        notices=[
            Notice(
                event=event,
                key=key,
                text=text,
                params=params or {},
                url=url,
                audience=audience,
                mobiles=tuple(mobiles),
                exclude_user_id=exclude_user_id,
            )
        ]
    )


@transaction.atomic
def message_open(*, actor, message_id: int) -> Message:
    """Mark one of the actor's own messages read (someone else's is "not found": ids are not a way in)."""
    message = Message.objects.select_for_update().filter(pk=message_id, recipient_id=actor.pk).first()
    if message is None:
        raise Message.DoesNotExist
    if message.read_at is None:
        message.read_at = timezone.now()
        message.save(update_fields=["read_at"])
        audit.log(actor=actor, action="notifications.message.read", obj=message, after={"read": True})
    return message


@transaction.atomic
def messages_read_all(*, actor) -> int:
    """Mark all of the actor's unread messages read."""
    count = Message.objects.filter(recipient_id=actor.pk, read_at__isnull=True).update(read_at=timezone.now())
    if count:
        audit.log(actor=actor, action="notifications.message.read_all", obj=actor, after={"count": count})
    return count


@transaction.atomic
def sms_preference_set(*, actor, enabled: bool) -> SmsPreference:
    """Turn text messages on or off for oneself (the inbox always receives the messages)."""
    preference, _created = SmsPreference.objects.select_for_update().get_or_create(user_id=actor.pk)
    before = {"sms_enabled": preference.sms_enabled}
    preference.sms_enabled = bool(enabled)
    preference.save(update_fields=["sms_enabled", "updated_at"])
    audit.log(
        actor=actor,
        action="notifications.preference.set",
        obj=preference,
        before=before,
        after={"sms_enabled": preference.sms_enabled},
    )
    return preference
