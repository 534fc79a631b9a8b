"""Reads of one person's inbox."""

from __future__ import annotations

from dajia.notifications.models import Message, SmsPreference

PAGE = 50


def unread_count(user) -> int:
    return Message.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def inbox(user, *, limit: int = PAGE) -> list[Message]:
    return list(Message.objects.filter(recipient_id=user.pk).order_by("-created_at", "-id")[:limit])


def sms_enabled(user) -> bool:
    """On unless the person turned it off (no row: on; see SmsPreference)."""
    return not SmsPreference.objects.filter(user_id=user.pk, sms_enabled=False).exists()
