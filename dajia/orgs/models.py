"""The union hierarchy and the organisations around it.

区总工会/县总工会 (federation) → 基层工会 (grassroots union, tied to an enterprise); 社会组织 (providers) register with
a federation; 小微企业园 (parks) sit under a federation and hold enterprises.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from dajia.core.validators import validate_uscc


class Federation(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", _("province")
        CITY = "city", _("city")
        DISTRICT = "district", _("district / county")

    name = models.CharField(_("name"), max_length=100, unique=True)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, default=Level.DISTRICT)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent federation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    region = models.CharField(_("region"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("union federation")
        verbose_name_plural = _("union federations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def descendant_ids(self) -> set[int]:
        """This federation and every federation below it (the hierarchy is a few levels deep)."""
        ids = {self.pk}
        frontier = [self.pk]
        while frontier:
            frontier = list(Federation.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            ids.update(frontier)
        return ids


class Park(models.Model):
    name = models.CharField(_("name"), max_length=100)
    federation = models.ForeignKey(
        Federation, verbose_name=_("federation"), on_delete=models.PROTECT, related_name="parks"
    )
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("small and micro enterprise park")
        verbose_name_plural = _("small and micro enterprise parks")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["federation", "name"], name="park_unique_name")]

    def __str__(self) -> str:
        return self.name


class Enterprise(models.Model):
    name = models.CharField(_("name"), max_length=120)
    uscc = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_uscc],
    )
    federation = models.ForeignKey(
        Federation, verbose_name=_("federation"), on_delete=models.PROTECT, related_name="enterprises"
    )
    park = models.ForeignKey(
        Park,
        verbose_name=_("park"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enterprises",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    employees = models.PositiveIntegerField(_("employees"), default=0)

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Union(models.Model):
    """A grassroots union (基层工会), usually the union of one enterprise."""

    name = models.CharField(_("name"), max_length=120)
    federation = models.ForeignKey(
        Federation, verbose_name=_("federation"), on_delete=models.PROTECT, related_name="unions"
    )
    enterprise = models.OneToOneField(
        Enterprise,
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="union",
    )
    members = models.PositiveIntegerField(_("members"), default=0)
    is_model_home = models.BooleanField(_("advanced workers' home (先进职工之家)"), default=False)

    class Meta:
        verbose_name = _("grassroots union")
        verbose_name_plural = _("grassroots unions")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["federation", "name"], name="union_unique_name")]

    def __str__(self) -> str:
        return self.name


class ProviderQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Provider.Status.APPROVED)


class Provider(models.Model):
    """A social organisation (社会组织) offering services. Its projects reach the menu only once the office
    has approved the organisation itself."""

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting approval")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    name = models.CharField(_("name"), max_length=120, unique=True)
    uscc = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_uscc]
    )
    federation = models.ForeignKey(
        Federation, verbose_name=_("federation"), on_delete=models.PROTECT, related_name="providers"
    )
    contact_name = models.CharField(_("contact person"), max_length=50)
    contact_mobile = models.CharField(_("contact mobile"), max_length=11)
    address = models.CharField(_("address"), max_length=200, blank=True)
    introduction = models.TextField(_("introduction"), blank=True)
    has_union = models.BooleanField(
        _("has its own union"),
        default=False,
        help_text=_("Organisations with a union get priority at equal merit."),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    objects = ProviderQuerySet.as_manager()

    class Meta:
        verbose_name = _("social organisation")
        verbose_name_plural = _("social organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "approved", "rejected"]),
                name="provider_status_valid",
            )
        ]

    def __str__(self) -> str:
        return self.name
