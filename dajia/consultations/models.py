"""Consultation sessions (协商会): invited projects, a frozen rubric, evaluators with secret links, sheets.

What PRODUCT.md freezes (rubric, method, trim_min, group weights, each evaluator's group) is frozen by the
services once the session opens; the database keeps one sheet per evaluator and project, and scores in range.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SessionQuerySet(models.QuerySet):
    def for_federations(self, ids):
        return self.filter(federation_id__in=ids)


class Session(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")
        REVEALED = "revealed", _("revealed")
        PUBLISHED = "published", _("published")

    class Method(models.TextChoices):
        TRIMMED = "trimmed", _("trimmed mean (drop highest and lowest)")
        MEAN = "mean", _("mean")
        MEDIAN = "median", _("median")

    federation = models.ForeignKey(
        "orgs.Federation", verbose_name=_("federation"), on_delete=models.PROTECT, related_name="sessions"
    )
    title = models.CharField(_("title"), max_length=120)
    starts_at = models.DateTimeField(_("starts at"))
    venue = models.CharField(_("venue"), max_length=120, blank=True)
    stream_url = models.URLField(_("stream address"), blank=True)
    budget = models.DecimalField(_("budget (yuan)"), max_digits=12, decimal_places=2, default=Decimal("0"))
    minimum_score = models.DecimalField(
        _("minimum score"), max_digits=5, decimal_places=2, default=Decimal("60")
    )
    method = models.CharField(_("method"), max_length=16, choices=Method.choices, default=Method.TRIMMED)
    trim_min = models.PositiveSmallIntegerField(_("trim from n evaluators"), default=5)
    # {"政协委员": "0.4", "基层工会主席": "0.6"}: decimals kept as written so 0.4 is exactly 2/5. Empty: one pool.
    group_weights = models.JSONField(_("group weights"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.DRAFT)
    # Online viewers may support up to this many projects (advisory only).
    support_limit = models.PositiveSmallIntegerField(_("projects a viewer may support"), default=3)
    objection_days = models.PositiveSmallIntegerField(
        _("objection window (working days)"),
        default=5,
        validators=[
            MinValueValidator(1, _("The public notice lasts at least one working day (usually 5 to 7)."))
        ],
    )
    on_stage = models.ForeignKey(
        "SessionProject",
        verbose_name=_("on stage"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    revealed_at = models.DateTimeField(_("revealed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("consultation session")
        verbose_name_plural = _("consultation sessions")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(trim_min__gte=3), name="session_trim_min_at_least_3"),
            models.CheckConstraint(
                condition=Q(objection_days__gte=1),
                name="session_objection_days_at_least_1",
                violation_error_message=_(
                    "The public notice lasts at least one working day (usually 5 to 7)."
                ),
            ),
            models.CheckConstraint(condition=Q(budget__gte=0), name="session_budget_not_negative"),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "open", "closed", "revealed", "published"]),
                name="session_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(method__in=["trimmed", "mean", "median"]), name="session_method_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_frozen(self) -> bool:
        return self.state != self.State.DRAFT

    @property
    def results_public(self) -> bool:
        return self.state in {self.State.REVEALED, self.State.PUBLISHED}


class Criterion(models.Model):
    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="criteria"
    )
    name = models.CharField(_("name"), max_length=40)
    max_points = models.DecimalField(_("maximum points"), max_digits=5, decimal_places=1)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    descriptors = models.TextField(_("level descriptors"), blank=True, help_text=_("One level per line."))

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "name"], name="criterion_unique_name"),
            models.CheckConstraint(condition=Q(max_points__gt=0), name="criterion_max_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name}({self.max_points.normalize():f})"


class SessionProject(models.Model):
    """A project invited to a session, in presentation order, with its own scoring window."""

    class Window(models.TextChoices):
        WAITING = "waiting", _("waiting")
        SCORING = "scoring", _("scoring")
        CLOSED = "closed", _("closed")

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="entries"
    )
    project = models.ForeignKey(
        "menu.ServiceProject", verbose_name=_("service project"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("presentation order"))
    amount = models.DecimalField(_("proposed amount (yuan)"), max_digits=12, decimal_places=2)
    window = models.CharField(
        _("scoring window"), max_length=16, choices=Window.choices, default=Window.WAITING
    )
    window_opened_at = models.DateTimeField(_("window opened at"), null=True, blank=True)
    window_closed_at = models.DateTimeField(_("window closed at"), null=True, blank=True)
    stage_started_at = models.DateTimeField(_("presentation started at"), null=True, blank=True)
    presentation_minutes = models.PositiveSmallIntegerField(_("presentation minutes"), default=8)
    # A tie-break is a decision: the chair's order among tied projects and the reason, beside the result.
    tie_break_order = models.PositiveSmallIntegerField(_("tie-break order"), null=True, blank=True)
    tie_break_reason = models.CharField(_("tie-break reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("invited project")
        verbose_name_plural = _("invited projects")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "project"], name="entry_unique_project"),
            models.UniqueConstraint(fields=["session", "position"], name="entry_unique_position"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="entry_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(window__in=["waiting", "scoring", "closed"]), name="entry_window_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.project}"


class Evaluator(models.Model):
    """A panel member. Scores through a secret link (no password); the group is frozen when the session opens."""

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="evaluators"
    )
    name = models.CharField(_("name"), max_length=50)
    group = models.CharField(_("group"), max_length=40, blank=True)
    mobile = models.CharField(_("mobile number"), max_length=11, blank=True)
    person = models.ForeignKey(
        "accounts.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    token = models.CharField(max_length=64, unique=True, editable=False)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)

    class Meta:
        verbose_name = _("evaluator")
        verbose_name_plural = _("evaluators")
        ordering = ["group", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "name"], name="evaluator_unique_name")]

    def __str__(self) -> str:
        return self.name


class Conflict(models.Model):
    """A declared conflict of interest: the evaluator has no sheet for that project."""

    evaluator = models.ForeignKey(Evaluator, on_delete=models.CASCADE, related_name="conflicts")
    entry = models.ForeignKey(SessionProject, on_delete=models.CASCADE, related_name="conflicts")
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    declared_at = models.DateTimeField(_("declared at"), auto_now_add=True)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [models.UniqueConstraint(fields=["evaluator", "entry"], name="conflict_unique")]

    def __str__(self) -> str:
        return f"{self.evaluator} · {self.entry}"


class Sheet(models.Model):
    """One evaluator's scores for one project. Counts only when every criterion is scored."""

    class Source(models.TextChoices):
        PHONE = "phone", _("phone")
        PAPER = "paper", _("paper, typed in")
        IMPORT = "import", _("imported file")

    evaluator = models.ForeignKey(Evaluator, on_delete=models.CASCADE, related_name="sheets")
    # Indexed with the amendments (Meta), not alone: the results page's fingerprint counts a session's sheets and
    # sums their amendments from that index without visiting 20,000 rows (results_view.tally_fingerprint).
    entry = models.ForeignKey(SessionProject, on_delete=models.CASCADE, related_name="sheets", db_index=False)
    receipt = models.CharField(_("receipt code"), max_length=16, unique=True)
    # The phone's id for the submission it last sent: a retry of the same submission changes nothing.
    submission_id = models.CharField(max_length=64, blank=True)
    complete = models.BooleanField(_("complete"), default=False)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.PHONE)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    amendments = models.PositiveSmallIntegerField(_("amendments"), default=0)

    class Meta:
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")
        constraints = [
            models.UniqueConstraint(fields=["evaluator", "entry"], name="sheet_one_per_evaluator_project")
        ]
        indexes = [models.Index(fields=["entry", "amendments"], name="sheet_entry_amendments")]

    def __str__(self) -> str:
        return self.receipt


class Score(models.Model):
    sheet = models.ForeignKey(Sheet, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    value = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["sheet", "criterion"], name="score_unique"),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0), name="score_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sheet} {self.criterion_id}={self.value}"


class PublishedResult(models.Model):
    """The result as published: the tally, the digest of the canonical sheet file and the receipt codes."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="published")
    payload = models.JSONField()
    canonical_sheets = models.TextField()
    digest = models.CharField(max_length=64)
    receipts = models.JSONField(default=list)
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("published result")
        verbose_name_plural = _("published results")

    def __str__(self) -> str:
        return f"{self.session} · {self.digest[:12]}"


class StoredTally(models.Model):
    """The office's results page's view of a session's live tally, kept with the fingerprint of the records it
    was computed from (``consultations.results_view``): the page renders from it while the sheets, the rubric,
    the entries, the panel and the session's rule are what they were, and recomputes it with the engine as soon
    as one of them changes. Derived data only — dropping every row loses nothing."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, primary_key=True, related_name="+")
    fingerprint = models.CharField(max_length=64)
    data = models.JSONField()
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("stored tally")
        verbose_name_plural = _("stored tallies")

    def __str__(self) -> str:
        return f"{self.session_id}: {self.fingerprint[:12]}"
