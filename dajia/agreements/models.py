"""Service agreements (服务协议): generated from a published session for each selected project.

An agreement's text is rendered from the office's template; every change of the text is a new
:class:`AgreementVersion`, and each party signs a version (the SHA-256 of the text it saw is recorded). A signed
agreement becomes active when its session's 公示 objection window closes with no objection upheld against its
project ("自公示期满无异议之日起生效").

``sessions_booked`` on the agreement and ``booked`` on each union's quota are counters kept by the order services
under a row lock; the CheckConstraints make an overbooking impossible even if a caller forgot the lock.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

DEFAULT_TEMPLATE = """工会购买社会组织服务协议

协议编号：{协议编号}

甲方（购买方）：{甲方}
乙方（服务方）：{乙方}
乙方统一社会信用代码：{统一社会信用代码}

根据{场次}的协商结果，经双方协商一致，就甲方向乙方购买“{项目}”服务事项，订立本协议。

第一条 服务范围
{服务范围}

第二条 服务数量
乙方在协议期内为甲方所属基层工会提供服务共 {服务场次} 场，每场服务对象不超过 {每场人数} 人。服务场次由基层工会通过“大家”平台点单，甲方派单，乙方接单后实施。

第三条 质量标准
{质量标准}

第四条 服务期限
自 {起始日期} 起至 {终止日期} 止。本协议经双方签署，自公示期满无异议之日起生效。

第五条 服务价款与支付
服务总价款为人民币 {金额} 元（大写：{金额大写}），折合每场 {每场金额} 元。
{付款方式}

第六条 违约责任
{违约责任}

第七条 其他
本协议一式 {份数} 份，甲乙双方各执一份，其余报备存档，具有同等法律效力。未尽事宜，由双方协商解决。

甲方：{甲方}
乙方：{乙方}
"""


class AgreementTemplate(models.Model):
    """The office's agreement text with placeholders such as {甲方} {乙方} {项目} {场次} {金额}."""

    federation = models.OneToOneField(
        "orgs.Federation",
        verbose_name=_("federation"),
        on_delete=models.CASCADE,
        related_name="agreement_template",
    )
    body = models.TextField(_("agreement text"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("agreement template")
        verbose_name_plural = _("agreement templates")

    def __str__(self) -> str:
        return f"{self.federation} · {self._meta.verbose_name}"


class AgreementQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("provider", "project", "session", "federation")

    def visible_to(self, user):
        from dajia.accounts.permissions import office_federation_ids, provider_ids

        return self.filter(
            Q(federation_id__in=office_federation_ids(user)) | Q(provider_id__in=provider_ids(user))
        )


class Agreement(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SIGNED = "signed", _("signed, awaiting the end of the objection period")
        ACTIVE = "active", _("in force")
        COMPLETED = "completed", _("completed")
        TERMINATED = "terminated", _("terminated")
        VOID = "void", _("void")

    class Allocation(models.TextChoices):
        FIRST_COME = "first_come", _("first come, first served")
        ALLOCATED = "allocated", _("allocated to unions")

    number = models.CharField(_("agreement number"), max_length=40, unique=True)
    federation = models.ForeignKey(
        "orgs.Federation", verbose_name=_("federation"), on_delete=models.PROTECT, related_name="agreements"
    )
    session = models.ForeignKey(
        "consultations.Session",
        verbose_name=_("consultation session"),
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    entry = models.OneToOneField(
        "consultations.SessionProject",
        verbose_name=_("selected project"),
        on_delete=models.PROTECT,
        related_name="agreement",
    )
    provider = models.ForeignKey(
        "orgs.Provider",
        verbose_name=_("social organisation"),
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    project = models.ForeignKey(
        "menu.ServiceProject",
        verbose_name=_("service project"),
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    scope = models.TextField(_("scope of service"))
    sessions = models.PositiveIntegerField(_("number of sessions"))
    capacity = models.PositiveIntegerField(_("attendees per session"))
    quality = models.TextField(_("quality standard"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    payment_terms = models.TextField(_("price and payment schedule"))
    liability = models.TextField(_("liability for breach"))
    copies = models.PositiveSmallIntegerField(_("copies"), default=3)
    allocation = models.CharField(
        _("sharing of sessions"), max_length=16, choices=Allocation.choices, default=Allocation.FIRST_COME
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.DRAFT)
    state_reason = models.CharField(_("reason"), max_length=300, blank=True)
    sessions_booked = models.PositiveIntegerField(_("sessions booked"), default=0)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    activated_at = models.DateTimeField(_("in force since"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("service agreement")
        verbose_name_plural = _("service agreements")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(sessions__gte=1), name="agreement_sessions_positive"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="agreement_capacity_positive"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="agreement_amount_not_negative"),
            models.CheckConstraint(condition=Q(copies__gte=3), name="agreement_at_least_three_copies"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="agreement_period_ordered"),
            models.CheckConstraint(
                condition=Q(sessions_booked__lte=F("sessions")), name="agreement_never_overbooked"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "signed", "active", "completed", "terminated", "void"]),
                name="agreement_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(allocation__in=["first_come", "allocated"]), name="agreement_allocation_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.project.title if self.project_id else ''}".strip()

    @property
    def unit_price(self) -> Decimal:
        """The agreed amount divided evenly over the sessions, to the cent (the remainder goes on the last)."""
        return (self.amount / self.sessions).quantize(Decimal("0.01"), rounding=ROUND_DOWN)

    @property
    def sessions_left(self) -> int:
        return self.sessions - self.sessions_booked

    @property
    def is_open_for_orders(self) -> bool:
        return self.state == self.State.ACTIVE


class AgreementVersion(models.Model):
    """One text of an agreement. Version 1 is the generated text; each amendment is a new version."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    text = models.TextField(_("text"))
    sha256 = models.CharField(_("SHA-256 of the text"), max_length=64)
    terms = models.JSONField(_("terms"), default=dict)
    reason = models.CharField(_("reason for the amendment"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("agreement version")
        verbose_name_plural = _("agreement versions")
        ordering = ["agreement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="agreement_version_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="agreement_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.number} v{self.number}"


class Signature(models.Model):
    """A party's signature on one version: who, when, and the SHA-256 of the text they confirmed."""

    class Party(models.TextChoices):
        FEDERATION = "federation", _("Party A (union federation)")
        PROVIDER = "provider", _("Party B (social organisation)")

    version = models.ForeignKey(AgreementVersion, on_delete=models.CASCADE, related_name="signatures")
    party = models.CharField(_("party"), max_length=16, choices=Party.choices)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signer_name = models.CharField(_("signed by"), max_length=60)
    signed_at = models.DateTimeField(_("signed at"))
    sha256 = models.CharField(_("SHA-256 of the text"), max_length=64)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["version", "party"], name="signature_one_per_party"),
            models.CheckConstraint(
                condition=Q(party__in=["federation", "provider"]), name="signature_party_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_party_display()} {self.signer_name}"


class AgreementQuota(models.Model):
    """Sessions of an agreement allocated to one grassroots union (when the agreement is shared by allocation)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="quotas")
    union = models.ForeignKey(
        "orgs.Union", verbose_name=_("grassroots union"), on_delete=models.PROTECT, related_name="quotas"
    )
    sessions = models.PositiveIntegerField(_("sessions allocated"))
    booked = models.PositiveIntegerField(_("sessions booked"), default=0)

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        ordering = ["union__name"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "union"], name="quota_one_per_union"),
            models.CheckConstraint(condition=Q(booked__lte=F("sessions")), name="quota_never_overbooked"),
        ]

    def __str__(self) -> str:
        return f"{self.union} {self.booked}/{self.sessions}"
