"""Legal health checks (法治体检) of the parks' enterprises: 自查 → 会诊 → 报告 → 整改 → 回访.

A federation's office keeps one checklist (``ChecklistTemplate`` with its ``ChecklistItem`` questions, grouped by
area). A ``HealthCheck`` of one enterprise copies the active items into its ``CheckAnswer`` rows — so a report
keeps the questions it was issued with when the office later rewords the list. The enterprise answers each item
(the self-check); an expert volunteer of the park reviews it: the item passes or carries a risk (low, medium,
high, red alert) with a recommendation. Issuing the report (``reported_at``) opens one follow-up case on the desk
per failed item (``CheckAnswer.follow_up``, one-to-one: the database keeps it one) and schedules the return visit.
The outcome ledger counts "a completed check" as one whose report was issued.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Area(models.TextChoices):
    RECRUITMENT = "recruitment", _("recruitment")
    CONTRACTS = "contracts", _("labour contracts")
    WAGES = "wages", _("wages")
    SOCIAL_INSURANCE = "social_insurance", _("social insurance")
    HOURS = "hours", _("working hours and leave")
    LEAVING = "leaving", _("leaving the job")
    WOMEN_MINORS = "women_minors", _("women and minor workers")


class SelfAnswer(models.TextChoices):
    YES = "yes", _("yes, we comply")
    NO = "no", _("no, not yet")
    NOT_APPLICABLE = "na", _("does not apply to us")


class Risk(models.TextChoices):
    PASS = "pass", _("passes")
    LOW = "low", _("low risk")
    MEDIUM = "medium", _("medium risk")
    HIGH = "high", _("high risk")
    RED = "red", _("red alert (grave and urgent)")


FAILED = (Risk.LOW, Risk.MEDIUM, Risk.HIGH, Risk.RED)


class ChecklistTemplate(models.Model):
    """A federation's checklist: the office edits its items; each new check copies the active ones."""

    federation = models.OneToOneField(
        "orgs.Federation", verbose_name=_("federation"), on_delete=models.CASCADE, related_name="checklist"
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("health-check checklist")
        verbose_name_plural = _("health-check checklists")

    def __str__(self) -> str:
        return self.name


class ChecklistItem(models.Model):
    template = models.ForeignKey(
        ChecklistTemplate, verbose_name=_("checklist"), on_delete=models.CASCADE, related_name="items"
    )
    area = models.CharField(_("area"), max_length=20, choices=Area.choices)
    question = models.CharField(_("question"), max_length=300)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # Retired rather than deleted: past checks keep their copy, new checks leave it out.
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["template", "position", "id"]
        constraints = [models.CheckConstraint(condition=~Q(question=""), name="checklist_item_has_question")]

    def __str__(self) -> str:
        return self.question[:40]


class HealthCheck(models.Model):
    class Status(models.TextChoices):
        SELF_CHECK = "self_check", _("self-check by the enterprise")
        REVIEW = "review", _("review by the volunteers")
        REPORTED = "reported", _("report issued, being put right")
        VISITED = "visited", _("return visit made")

    federation = models.ForeignKey(
        "orgs.Federation",
        verbose_name=_("federation"),
        on_delete=models.PROTECT,
        related_name="health_checks",
    )
    park = models.ForeignKey(
        "orgs.Park", verbose_name=_("park"), on_delete=models.PROTECT, related_name="health_checks"
    )
    enterprise = models.ForeignKey(
        "orgs.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="health_checks",
    )
    template = models.ForeignKey(
        ChecklistTemplate, verbose_name=_("checklist"), on_delete=models.PROTECT, related_name="checks"
    )
    reviewer = models.ForeignKey(
        "desk.Volunteer",
        verbose_name=_("reviewer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="health_checks",
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SELF_CHECK)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("opened at"), db_index=True)
    self_checked_at = models.DateTimeField(_("self-check handed in"), null=True, blank=True)
    reported_at = models.DateTimeField(_("report issued at"), null=True, blank=True, db_index=True)
    visit_due = models.DateField(_("return visit due"), null=True, blank=True)
    visited_on = models.DateField(_("return visit made on"), null=True, blank=True)
    visit_note = models.CharField(_("return visit note"), max_length=500, blank=True)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("legal health check")
        verbose_name_plural = _("legal health checks")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="health_check_report_matches_status",
                condition=Q(
                    status__in=["self_check", "review"], reported_at__isnull=True, visit_due__isnull=True
                )
                | Q(status__in=["reported", "visited"], reported_at__isnull=False, visit_due__isnull=False),
            ),
            models.CheckConstraint(
                name="health_check_visit_matches_status",
                condition=Q(status="visited", visited_on__isnull=False)
                | ~Q(status="visited") & Q(visited_on=None),
            ),
            models.CheckConstraint(
                name="health_check_reported_has_reviewer",
                condition=Q(reported_at__isnull=True) | Q(reviewer__isnull=False),
            ),
            # One open check per enterprise at a time (a yearly re-check starts once the last report is issued).
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=Q(status__in=["self_check", "review"]),
                name="health_check_one_open",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"TJ{self.pk:06d}" if self.pk else "TJ—"


class CheckAnswer(models.Model):
    """One item of one check: the enterprise's answer, then the review, then the follow-up case if it failed."""

    health_check = models.ForeignKey(
        HealthCheck, verbose_name=_("health check"), on_delete=models.CASCADE, related_name="answers"
    )
    item = models.ForeignKey(
        ChecklistItem, verbose_name=_("checklist item"), on_delete=models.PROTECT, related_name="answers"
    )
    # Copied when the check opens, so the report keeps its wording.
    area = models.CharField(_("area"), max_length=20, choices=Area.choices)
    question = models.CharField(_("question"), max_length=300)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    answer = models.CharField(_("self-check answer"), max_length=4, choices=SelfAnswer.choices, blank=True)
    answer_note = models.CharField(_("enterprise's note"), max_length=300, blank=True)
    risk = models.CharField(_("review result"), max_length=8, choices=Risk.choices, blank=True)
    recommendation = models.CharField(_("recommendation"), max_length=500, blank=True)
    follow_up = models.OneToOneField(
        "desk.Case",
        verbose_name=_("follow-up case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="health_check_answer",
    )

    class Meta:
        verbose_name = _("health-check answer")
        verbose_name_plural = _("health-check answers")
        ordering = ["health_check", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["health_check", "item"], name="check_answer_once"),
            models.CheckConstraint(
                name="check_answer_risk_has_recommendation",
                condition=Q(risk__in=["", "pass"]) | ~Q(recommendation=""),
            ),
            models.CheckConstraint(
                name="check_answer_follow_up_only_if_failed",
                condition=Q(follow_up__isnull=True) | Q(risk__in=["low", "medium", "high", "red"]),
            ),
        ]

    def __str__(self) -> str:
        return self.question[:40]

    @property
    def failed(self) -> bool:
        return self.risk in FAILED
