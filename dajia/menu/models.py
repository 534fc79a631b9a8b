"""The service menu (菜单式服务): categories (global, kept by the top federation's office, with the other
offices' proposals) and the service projects providers publish."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from dajia.orgs.models import Provider


class CategoryQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class Category(models.Model):
    """A service category. Names are data (the office edits them); the defaults carry English names too."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=40, unique=True)
    name_en = models.CharField(_("English name"), max_length=60, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    # Words that suggest this category for a need voiced in free text (the needs module edits them).
    keywords = models.TextField(_("keywords"), blank=True, help_text=_("One word per line."))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # Its projects carry the position for the menu's index (ServiceProject.category_position).
        self.projects.exclude(category_position=self.position).update(category_position=self.position)

    @property
    def name(self) -> str:
        lang = (get_language() or "zh-hans").lower()
        if lang.startswith("en") and self.name_en:
            return self.name_en
        return self.name_zh


class CategoryProposal(models.Model):
    """An office below the top federation proposes a new category or a change to one; the top federation's
    office accepts it (the category is then written) or declines it with a reason."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")

    federation = models.ForeignKey(
        "orgs.Federation", verbose_name=_("proposing federation"), on_delete=models.CASCADE, related_name="+"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category to change"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="proposals",
        help_text=_("Leave empty to propose a new category."),
    )
    name_zh = models.CharField(_("Chinese name"), max_length=40)
    name_en = models.CharField(_("English name"), max_length=60, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    reason = models.CharField(_("why"), max_length=300)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    response = models.CharField(_("response"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("category proposal")
        verbose_name_plural = _("category proposals")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="category_proposal_decided",
                condition=(
                    Q(status="pending", decided_at__isnull=True, decided_by__isnull=True)
                    | Q(
                        status__in=["accepted", "declined"],
                        decided_at__isnull=False,
                        decided_by__isnull=False,
                    )
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name_zh


class ProjectQuerySet(models.QuerySet):
    def published(self):
        """What the public menu shows: approved projects of approved organisations.

        The organisations are a subquery, not a join, so that the menu's pager counts its projects in the
        ``project_menu_order`` index alone (it carries the provider and the category for that): joined,
        SQLite looked every project's organisation up, 14 ms for 10,000 projects against 1.6 ms."""
        return self.filter(
            status=ServiceProject.Status.APPROVED, provider_id__in=Provider.objects.approved().values("id")
        )

    def for_list(self):
        return self.select_related("provider", "category")


class ServiceProject(models.Model):
    class Format(models.TextChoices):
        OFFLINE = "offline", _("offline")
        ONLINE = "online", _("online")
        HYBRID = "hybrid", _("online and offline")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted for review")
        APPROVED = "approved", _("approved")
        RETURNED = "returned", _("returned for changes")

    provider = models.ForeignKey(
        "orgs.Provider",
        verbose_name=_("social organisation"),
        on_delete=models.CASCADE,
        related_name="projects",
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="projects"
    )
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"))
    format = models.CharField(_("format"), max_length=16, choices=Format.choices, default=Format.OFFLINE)
    audience = models.CharField(_("audience"), max_length=200)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=90)
    price = models.DecimalField(_("price per session (yuan)"), max_digits=10, decimal_places=2)
    capacity = models.PositiveIntegerField(_("capacity per session"))
    sessions_per_year = models.PositiveIntegerField(_("sessions per year"))
    areas_served = models.CharField(_("areas served"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    return_reason = models.CharField(_("reason for return"), max_length=300, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Maintained by the project services: pinyin initials and full pinyin of the title, so "aqjn" finds 安全技能.
    title_initials = models.CharField(max_length=100, blank=True, editable=False, db_index=True)
    title_pinyin = models.CharField(max_length=400, blank=True, editable=False)
    # The category's position, copied so that the menu's order (category, then title) is served by one index
    # instead of a join and a sort over every published project: ``save`` copies it, ``Category.save`` rewrites
    # it on the category's projects (the admin's save and ``category_save`` alike).
    category_position = models.PositiveSmallIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("service project")
        verbose_name_plural = _("service projects")
        ordering = ["category_position", "title", "id"]
        indexes = [
            # provider and category ride along (not for the order) so that the pager's counts read the index only.
            models.Index(
                fields=["status", "category_position", "title", "id", "provider", "category"],
                name="project_menu_order",
            ),
            # The office's review queue (submitted projects, first submitted first), a few among thousands.
            models.Index(fields=["status", "submitted_at", "id"], name="project_review_queue"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=Decimal("0")), name="project_price_not_negative"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="project_capacity_positive"),
            models.CheckConstraint(condition=Q(sessions_per_year__gte=1), name="project_sessions_positive"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted", "approved", "returned"]),
                name="project_status_valid",
            ),
            models.UniqueConstraint(fields=["provider", "title"], name="project_unique_title_per_provider"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        # Every way a project is written passes here, so the copy is taken once, where it is defined — when the
        # category may have changed (a save of other fields, a review's say, costs no read of the category).
        update_fields = kwargs.get("update_fields")
        if update_fields is None or {"category", "category_id"} & set(update_fields):
            self.category_position = self.category.position
            if update_fields is not None and "category_position" not in update_fields:
                kwargs["update_fields"] = [*update_fields, "category_position"]
        super().save(*args, **kwargs)

    @property
    def is_editable(self) -> bool:
        return self.status in {self.Status.DRAFT, self.Status.RETURNED}


class ProjectPhoto(models.Model):
    project = models.ForeignKey(
        ServiceProject, verbose_name=_("service project"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("photo"), upload_to="projects/%Y/%m/")
    caption = models.CharField(_("caption"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.caption or self.image.name
