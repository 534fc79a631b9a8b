"""The 公示 objections: written, real-name objections to a project during the public-notice window, and the
office's written response.

Personal data kept (个人信息保护法): an objection keeps the objector's full name and number, because the office must
answer it in writing. The office sees them; public pages show the masked name only. The client address is removed
by ``participation_prune`` after ``DAJIA_PARTICIPATION_IP_DAYS`` days.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Objection(models.Model):
    """A written, real-name objection to a project during the 公示 window, and the office's response.

    The table keeps the name it had in ``dajia.participation`` (where the model lived first), so moving the
    model lost no row.
    """

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("objection", "awaiting a response")
        UPHELD = "upheld", pgettext_lazy("objection", "upheld")
        REJECTED = "rejected", pgettext_lazy("objection", "rejected")

    session = models.ForeignKey(
        "consultations.Session",
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="objections",
    )
    entry = models.ForeignKey(
        "consultations.SessionProject",
        verbose_name=_("project objected to"),
        on_delete=models.PROTECT,
        related_name="objections",
    )
    name = models.CharField(_("real name"), max_length=50)
    mobile = models.CharField(_("mobile number"), max_length=11)
    mobile_verified = models.BooleanField(_("number verified by code"), default=False)
    reasons = models.TextField(_("facts and reasons"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    response = models.TextField(_("response"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    filed_at = models.DateTimeField(_("filed at"))
    ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)

    class Meta:
        db_table = "participation_objection"
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["filed_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "upheld", "rejected"]), name="objection_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | ~Q(response=""), name="objection_decision_has_response"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id} · {self.entry_id} · {self.status}"
