"""Lectures on request (菜单式普法讲座): the office's menu of topics per specialty, and the lectures a park office or
an enterprise contact asks for from it — requested, scheduled (date, place, capacity, a speaker who serves the
park), delivered with QR sign-in, or cancelled with a reason.

The outcome ledger counts a lecture as delivered by ``status == "delivered"`` with its ``delivered_at``, and
the speaker's service hours as the topic's ``minutes`` / 60: these names are a contract. Sign-ins are rows of
``LectureSignIn`` under the one rule of ``dajia.core.signins`` (the orders' sessions use it too).
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dajia.core import signins
from dajia.core.signins import SignInRecord
from dajia.desk.models import Specialty


def new_signin_token() -> str:
    return secrets.token_urlsafe(12)


class Topic(models.Model):
    """One lecture on the federation's menu; the office edits it and takes it off the menu (``active``)."""

    federation = models.ForeignKey(
        "orgs.Federation", verbose_name=_("federation"), on_delete=models.PROTECT, related_name="+"
    )
    specialty = models.CharField(_("specialty"), max_length=16, choices=Specialty.choices)
    title = models.CharField(_("title"), max_length=100)
    summary = models.TextField(_("summary"), max_length=1000, blank=True)
    minutes = models.PositiveSmallIntegerField(_("length (minutes)"), default=90)
    active = models.BooleanField(_("on the menu"), default=True)

    class Meta:
        verbose_name = _("lecture topic")
        verbose_name_plural = _("lecture topics")
        ordering = ["specialty", "title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["federation", "title"], name="lecture_topic_unique_title"),
            models.CheckConstraint(
                condition=Q(minutes__gte=15) & Q(minutes__lte=480), name="lecture_topic_minutes_range"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Lecture(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        SCHEDULED = "scheduled", _("scheduled")
        DELIVERED = "delivered", _("delivered")
        CANCELLED = "cancelled", _("cancelled")

    federation = models.ForeignKey(
        "orgs.Federation", verbose_name=_("federation"), on_delete=models.PROTECT, related_name="+"
    )
    park = models.ForeignKey("orgs.Park", verbose_name=_("park"), on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey(
        "orgs.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.PROTECT, related_name="lectures"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    preferred_dates = models.CharField(_("preferred dates"), max_length=200)
    place = models.CharField(_("place"), max_length=200)
    expected_audience = models.PositiveIntegerField(_("expected audience"))
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)
    speaker = models.ForeignKey(
        "desk.Volunteer",
        verbose_name=_("speaker"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lectures",
    )
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    signin_token = models.CharField(max_length=32, unique=True, default=new_signin_token, editable=False)
    created_at = models.DateTimeField(_("requested at"))

    class Meta:
        verbose_name = _("lecture")
        verbose_name_plural = _("lectures")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["requested", "scheduled", "delivered", "cancelled"]),
                name="lecture_status_valid",
            ),
            models.CheckConstraint(condition=Q(expected_audience__gte=1), name="lecture_audience_positive"),
            # A scheduled or delivered lecture has its time, places and speaker.
            models.CheckConstraint(
                condition=~Q(status__in=["scheduled", "delivered"])
                | (Q(starts_at__isnull=False) & Q(capacity__gte=1) & Q(speaker__isnull=False)),
                name="lecture_scheduled_is_complete",
            ),
            models.CheckConstraint(
                condition=Q(status="delivered", delivered_at__isnull=False)
                | (~Q(status="delivered") & Q(delivered_at__isnull=True)),
                name="lecture_delivered_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""), name="lecture_cancel_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["status", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.topic.title}（{self.park.name}）" if self.topic_id and self.park_id else str(self.pk)

    @property
    def ends_at(self) -> datetime.datetime | None:
        return self.starts_at + datetime.timedelta(minutes=self.topic.minutes) if self.starts_at else None

    @property
    def hours(self):
        """Service hours of a delivered lecture, as the ledger counts them: the topic's minutes / 60."""
        return self.topic.minutes / 60

    def signin_window(self) -> tuple[datetime.datetime, datetime.datetime]:
        return signins.window(self.starts_at, self.ends_at)


class LectureSignIn(SignInRecord):
    """One attendee's sign-in to a lecture, under the same rule and constraints as an order's
    (``dajia.core.signins``): one per phone, at most the lecture's places, numbered by seat."""

    lecture = models.ForeignKey(Lecture, on_delete=models.CASCADE, related_name="signins")

    class Meta:
        verbose_name = _("lecture sign-in")
        verbose_name_plural = _("lecture sign-ins")
        ordering = ["signed_at", "id"]
        constraints = signins.signin_constraints("lecture", "lecture_signin")
