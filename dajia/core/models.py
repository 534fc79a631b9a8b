from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditLogQuerySet(models.QuerySet):
    def for_office(self, federation_ids, *, everything: bool = False):
        """The entries an office reads: those of the federations it manages (the caller asks
        ``accounts.permissions``: ``core`` imports no domain app); ``everything`` for a superuser, whose view
        includes the entries filed under no federation."""
        return self if everything else self.filter(federation_id__in=federation_ids)


class AuditLog(models.Model):
    """Who changed what, when, with the state before and after (pretix's ``log_action``)."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Evaluators act through a link without an account; the label says who acted in that case.
    actor_label = models.CharField(_("actor label"), max_length=120, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    federation = models.ForeignKey(
        "orgs.Federation",
        verbose_name=_("federation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class CalendarDay(models.Model):
    """A day the office declares a holiday or a working day, over the national calendar (``dajia.core.workdays``):
    for years the published calendar does not know yet, or a local change."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("holiday (no work)")
        WORKDAY = "workday", _("working day")

    day = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["day"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["holiday", "workday"]), name="calendar_day_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.kind}"


class OfficeHoursSetting(models.Model):
    """The office's opening hours (one row): deadlines counted in working hours use them."""

    morning_opens = models.TimeField(_("morning opens"), default=datetime.time(8, 30))
    morning_closes = models.TimeField(_("morning closes"), default=datetime.time(12, 0))
    afternoon_opens = models.TimeField(_("afternoon opens"), default=datetime.time(13, 30))
    afternoon_closes = models.TimeField(_("afternoon closes"), default=datetime.time(17, 30))

    class Meta:
        verbose_name = _("office hours")
        verbose_name_plural = _("office hours")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(morning_opens__lt=models.F("morning_closes"))
                & models.Q(morning_closes__lte=models.F("afternoon_opens"))
                & models.Q(afternoon_opens__lt=models.F("afternoon_closes")),
                name="office_hours_in_order",
                violation_error_message=_("Opening times must be in order: morning, then afternoon."),
            ),
            models.CheckConstraint(condition=models.Q(id=1), name="office_hours_single_row"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.morning_opens:%H:%M}–{self.morning_closes:%H:%M}, "
            f"{self.afternoon_opens:%H:%M}–{self.afternoon_closes:%H:%M}"
        )

    def as_hours(self):
        from dajia.core.workdays import OfficeHours

        return OfficeHours(
            periods=((self.morning_opens, self.morning_closes), (self.afternoon_opens, self.afternoon_closes))
        )
