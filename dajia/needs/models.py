"""Needs (说出你的心里话) and needs surveys (需求调研问卷).

A need is voiced in free text by a worker, an enterprise or a grassroots union, with its union or park; people
support it (one support per account); the office classifies it, answers it step by step and merges duplicates.
A survey is sent to chosen unions by link and QR; answers count for the union whose link they came through.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _


class NeedQuerySet(models.QuerySet):
    def live(self):
        """Needs that count: not merged into another, not hidden by the office."""
        return self.filter(merged_into__isnull=True, hidden=False)

    def public(self):
        return self.live()

    def for_federations(self, ids):
        return self.filter(federation_id__in=ids)

    def recount_supports(self) -> int:
        """Set ``support_count`` of these needs from their Support rows — the one way the count is written
        (the services after each support, withdrawal and merge; the demo and bench builders after bulk
        inserts)."""
        rows = Support.objects.filter(need=OuterRef("pk")).order_by().values("need")
        counted = Subquery(rows.annotate(n=Count("pk")).values("n")[:1])
        return self.update(support_count=Coalesce(counted, 0))


class Need(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        HANDLING = "handling", _("being handled")
        ANSWERED = "answered", _("answered")
        RESOLVED = "resolved", _("resolved")
        DECLINED = "declined", _("declined")

    class Voice(models.TextChoices):
        WORKER = "worker", _("a worker")
        ENTERPRISE = "enterprise", _("an enterprise")
        UNION = "union", _("a grassroots union")

    class Source(models.TextChoices):
        WEB = "web", _("online")
        PAPER = "paper", _("paper, imported")

    class CategoryBy(models.TextChoices):
        NONE = "", _("not classified")
        SUGGESTED = "suggested", _("suggested by Dajia")
        AUTHOR = "author", _("chosen by the author")
        OFFICE = "office", _("set by the union office")

    federation = models.ForeignKey(
        "orgs.Federation", verbose_name=_("federation"), on_delete=models.PROTECT, related_name="needs"
    )
    union = models.ForeignKey(
        "orgs.Union",
        verbose_name=_("grassroots union"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="needs",
    )
    park = models.ForeignKey(
        "orgs.Park",
        verbose_name=_("park"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="needs",
    )
    # Kept when the account is deleted (the need stays, without a name): 个人信息保护法.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="needs",
    )
    voice = models.CharField(_("raised as"), max_length=16, choices=Voice.choices, default=Voice.WORKER)
    text = models.TextField(_("need"), max_length=500)
    anonymous = models.BooleanField(
        _("anonymous to the public"),
        default=False,
        help_text=_("Your name is not shown publicly. The union office still knows who raised it."),
    )
    # The jieba words of the text (search mode, stop words removed), for similar needs and learning.
    tokens = models.TextField(blank=True, editable=False)
    suggested_category = models.ForeignKey(
        "menu.Category",
        verbose_name=_("suggested category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    category = models.ForeignKey(
        "menu.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="needs",
    )
    category_by = models.CharField(
        _("category set by"), max_length=16, choices=CategoryBy.choices, blank=True, default=""
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED)
    hidden = models.BooleanField(_("hidden from the public"), default=False)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged",
        db_index=False,  # indexed where set only (Meta): "not merged" must not look selective to a planner
    )
    merged_at = models.DateTimeField(_("merged at"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.WEB)
    # How many people support it: the Support rows counted (``recount_supports``), kept here so that the wall's
    # order — most supported first — is read from one index instead of counting every need's supports.
    support_count = models.PositiveIntegerField(_("supporters"), default=0, editable=False)
    created_at = models.DateTimeField(_("raised at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = NeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The office's queues (new needs first in, by federation and status) read in order from it; the
            # trailing merged_into lets the workbench count the unmerged ones from the index alone.
            models.Index(
                fields=["federation", "status", "created_at", "id", "merged_into"], name="need_office_queue"
            ),
            # The public wall: live needs, most supported first (needs.selectors.need_list).
            models.Index(
                fields=["-support_count", "-created_at", "-id"],
                condition=Q(merged_into__isnull=True, hidden=False),
                name="need_wall_order",
            ),
            # The wall of one category, in the same order; its trailing columns let the pager count the live
            # needs (all of them, or a category's) from this index alone rather than from 100,000 rows.
            models.Index(
                fields=["category", "-support_count", "-created_at", "-id", "merged_into", "hidden"],
                condition=Q(merged_into__isnull=True, hidden=False),
                name="need_wall_category",
            ),
            models.Index(
                fields=["merged_into"], condition=Q(merged_into__isnull=False), name="need_merged_into"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["received", "handling", "answered", "resolved", "declined"]),
                name="need_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(voice__in=["worker", "enterprise", "union"]), name="need_voice_valid"
            ),
            models.CheckConstraint(condition=Q(source__in=["web", "paper"]), name="need_source_valid"),
            models.CheckConstraint(
                condition=Q(category_by__in=["", "suggested", "author", "office"]),
                name="need_category_by_valid",
            ),
            models.CheckConstraint(condition=~Q(merged_into=F("pk")), name="need_not_merged_into_itself"),
            # A need raised online says where it comes from; paper needs may know only the federation.
            models.CheckConstraint(
                condition=Q(source="paper") | Q(union__isnull=False) | Q(park__isnull=False),
                name="need_web_has_union_or_park",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def is_open(self) -> bool:
        return self.status in {self.Status.RECEIVED, self.Status.HANDLING, self.Status.ANSWERED}


class Support(models.Model):
    """One verified person (an account) supports a need once."""

    need = models.ForeignKey(Need, verbose_name=_("need"), on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("supporter"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("supported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [models.UniqueConstraint(fields=["need", "user"], name="support_once_per_person")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.need_id}"


class NeedUpdate(models.Model):
    """A step in a need's handling, with the office's message to the person who raised it."""

    need = models.ForeignKey(Need, verbose_name=_("need"), on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(_("status"), max_length=16, choices=Need.Status.choices)
    message = models.TextField(_("message"), max_length=1000)
    public = models.BooleanField(
        _("public"),
        default=True,
        help_text=_("Untick to show the message only to the person who raised the need."),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("need update")
        verbose_name_plural = _("need updates")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["received", "handling", "answered", "resolved", "declined"]),
                name="need_update_status_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()}: {self.message[:40]}"


class Survey(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    federation = models.ForeignKey(
        "orgs.Federation", verbose_name=_("federation"), on_delete=models.PROTECT, related_name="surveys"
    )
    title = models.CharField(_("title"), max_length=120)
    intro = models.TextField(_("introduction"), max_length=1000, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.DRAFT)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("needs survey")
        verbose_name_plural = _("needs surveys")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["draft", "open", "closed"]), name="survey_state_valid"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("single choice")
        MULTIPLE = "multiple", _("multiple choice")
        RATING = "rating", _("rating 1–5")
        RANKING = "ranking", _("ranking of service categories")
        TEXT = "text", _("free text")

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    text = models.CharField(_("question"), max_length=300)
    required = models.BooleanField(_("required"), default=True)
    # Choice questions: the options, in order.
    options = models.JSONField(_("options"), default=list, blank=True)
    # Ranking questions: which categories to rank and how many places (top k).
    categories = models.ManyToManyField(
        "menu.Category", verbose_name=_("categories"), blank=True, related_name="+"
    )
    rank_limit = models.PositiveSmallIntegerField(_("places to rank"), default=3)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "position"], name="question_unique_position"),
            models.CheckConstraint(
                condition=Q(kind__in=["single", "multiple", "rating", "ranking", "text"]),
                name="question_kind_valid",
            ),
            models.CheckConstraint(condition=Q(rank_limit__gte=1), name="question_rank_limit_positive"),
        ]

    def __str__(self) -> str:
        return self.text


class SurveyInvite(models.Model):
    """A survey sent to one union: its own link (token) and QR; answers through it count for that union."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="invites"
    )
    union = models.ForeignKey(
        "orgs.Union",
        verbose_name=_("grassroots union"),
        on_delete=models.PROTECT,
        related_name="survey_invites",
    )
    token = models.CharField(max_length=64, unique=True, editable=False)
    expected = models.PositiveIntegerField(
        _("expected responses"),
        null=True,
        blank=True,
        help_text=_("Leave empty to use the union's membership."),
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("survey link")
        verbose_name_plural = _("survey links")
        ordering = ["union__name"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "union"], name="invite_one_per_union"),
            models.CheckConstraint(
                condition=Q(expected__isnull=True) | Q(expected__gte=1), name="invite_expected_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} · {self.union}"

    @property
    def denominator(self) -> int:
        return self.expected if self.expected is not None else self.union.members


class Response(models.Model):
    class Source(models.TextChoices):
        LINK = "link", _("link or QR")
        PAPER = "paper", _("paper, typed in")

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="responses"
    )
    invite = models.ForeignKey(
        SurveyInvite, verbose_name=_("survey link"), on_delete=models.CASCADE, related_name="responses"
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The form's id for this submission: a retried post changes nothing.
    submission_id = models.CharField(max_length=64)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.LINK)
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "submission_id"], name="response_submission_once"),
            models.UniqueConstraint(
                fields=["survey", "respondent"],
                condition=Q(respondent__isnull=False),
                name="response_once_per_account",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.invite_id}/{self.pk}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    # single: option index; multiple: list of indexes; rating: 1–5; ranking: category codes in order; text: str
    value = models.JSONField()

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_once_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.value}"
