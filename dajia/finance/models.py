"""The bank team's files (金融“红管家”, 名单制): one file per enterprise per park, and each financing need with its
outcome — the credit line granted (授信), whether a loan was granted, its amount, product and date, and the loans
outstanding where the bank reports them.

What is kept is what the outcome ledger and the team's follow-up need, no more: the file names an enterprise
(an organisation, already on the park's roll), never a person — the bank keeps its own customer records, so no
contact's name or mobile number, no account number, no ID number and no collateral details are stored here. The
volunteer on a need is the bank-team member who recorded it (the ledger's per-volunteer row).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class EnterpriseFile(models.Model):
    """An enterprise on a park's finance list (名单制), kept by the park's bank team."""

    federation = models.ForeignKey(
        "orgs.Federation", verbose_name=_("federation"), on_delete=models.PROTECT, related_name="+"
    )
    park = models.ForeignKey(
        "orgs.Park", verbose_name=_("park"), on_delete=models.PROTECT, related_name="finance_files"
    )
    enterprise = models.ForeignKey(
        "orgs.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="finance_files",
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"))

    class Meta:
        verbose_name = _("enterprise finance file")
        verbose_name_plural = _("enterprise finance files")
        ordering = ["park", "enterprise__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["park", "enterprise"], name="finance_file_once_per_park")
        ]

    def __str__(self) -> str:
        return f"{self.park} · {self.enterprise}"


class FinancingNeed(models.Model):
    """One financing need of a filed enterprise and what came of it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        GRANTED = "granted", _("loan granted")
        REFUSED = "refused", _("no loan")

    file = models.ForeignKey(
        EnterpriseFile, verbose_name=_("file"), on_delete=models.CASCADE, related_name="needs"
    )
    volunteer = models.ForeignKey(
        "desk.Volunteer",
        verbose_name=_("bank-team member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="financing_needs",
    )
    purpose = models.CharField(_("purpose"), max_length=120)
    amount_requested = models.DecimalField(_("amount requested (yuan)"), max_digits=12, decimal_places=2)
    raised_on = models.DateField(_("raised on"))
    status = models.CharField(_("outcome"), max_length=16, choices=Status.choices, default=Status.PENDING)
    credit_line = models.DecimalField(
        _("credit line granted (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    loan_amount = models.DecimalField(
        _("loan granted (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    product = models.CharField(_("loan product"), max_length=60, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True, db_index=True)
    outstanding = models.DecimalField(
        _("loans outstanding (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    outstanding_on = models.DateField(_("outstanding as of"), null=True, blank=True)

    class Meta:
        verbose_name = _("financing need")
        verbose_name_plural = _("financing needs")
        ordering = ["-raised_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="financing_outcome_matches_status",
                condition=Q(status="pending", decided_on__isnull=True, loan_amount__isnull=True)
                | Q(status="granted", decided_on__isnull=False, loan_amount__gt=0) & ~Q(product="")
                | Q(status="refused", decided_on__isnull=False, loan_amount__isnull=True),
            ),
            models.CheckConstraint(
                name="financing_amounts_not_negative",
                condition=Q(amount_requested__gt=0)
                & (Q(credit_line__isnull=True) | Q(credit_line__gte=0))
                & (Q(outstanding__isnull=True) | Q(outstanding__gte=0)),
            ),
            models.CheckConstraint(
                name="financing_outstanding_dated",
                condition=Q(outstanding__isnull=True, outstanding_on__isnull=True)
                | Q(outstanding__isnull=False, outstanding_on__isnull=False),
            ),
            models.CheckConstraint(
                name="financing_decided_after_raised",
                condition=Q(decided_on__isnull=True) | Q(decided_on__gte=models.F("raised_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file} · {self.purpose}"
