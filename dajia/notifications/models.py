"""The in-app inbox (站内消息), the SMS outbox and each person's choice to receive SMS.

This app sits low in the layers: every domain app calls it, it imports none of their models (the recipient
is the string FK ``accounts.User``; what a message is about is kept as its text and link). Each row carries
the key of the event it tells of, and a unique constraint on it is what makes "at most once" hold when a
service is retried or two workers drain the outbox at the same time.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    """One inbox message for one account: what happened, and the page that acts on it."""

    recipient = models.ForeignKey(
        "accounts.User", verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="inbox_messages"
    )
    event = models.CharField(_("event"), max_length=40)
    key = models.CharField(max_length=200)
    text = models.CharField(_("message"), max_length=300)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbox message")
        verbose_name_plural = _("inbox messages")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="message_once_per_event")]
        indexes = [models.Index(fields=["recipient", "read_at"], name="message_unread")]

    def __str__(self) -> str:
        return self.text


class SmsPreference(models.Model):
    """A person's choice about SMS; without a row they receive SMS (the office expects to be reached)."""

    user = models.OneToOneField(
        "accounts.User", verbose_name=_("user"), on_delete=models.CASCADE, related_name="sms_preference"
    )
    sms_enabled = models.BooleanField(_("receive text messages"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("SMS preference")
        verbose_name_plural = _("SMS preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.sms_enabled}"


class SmsDelivery(models.Model):
    """One text message to send after the event's transaction committed (the outbox).

    ``pending`` → ``sending`` (claimed by one drain) → ``sent``; a failure the gateway reported goes back to
    ``pending`` until ``DAJIA_SMS_MAX_ATTEMPTS``, then ``failed``. A row left in ``sending`` (the worker died
    mid-send) is never sent again: the message may have gone out, and twice is worse than once missed. Once
    sent or given up, the number is masked: the row keeps only what the record needs."""

    class State(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    key = models.CharField(max_length=220, unique=True)
    event = models.CharField(_("event"), max_length=40)
    mobile = models.CharField(_("mobile number"), max_length=11)
    text = models.CharField(_("message"), max_length=300)
    params = models.JSONField(_("template parameters"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("text message")
        verbose_name_plural = _("text messages")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["pending", "sending", "sent", "failed"]),
                name="sms_delivery_state_valid",
            )
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="sms_delivery_due")]

    def __str__(self) -> str:
        return f"{self.event} {self.state}"
