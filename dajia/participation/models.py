"""Live participation: verified online viewers, their supports (the audience index), comments and floor
suggestions, the member roll and rate-limit counters (the 公示 objections are in ``dajia.notices``).

Personal data kept (个人信息保护法 — collected for a stated purpose, no more than needed):

* a viewer is identified by an HMAC of (session, mobile number) — enough to recognise the same number on a
  second device and refuse a second identity, not enough to recover the number without the server's key —
  and a masked display (138****5678) shown to that viewer only. The full number is never stored for viewers;
* a member-roll row keeps an HMAC of the number (one key for the roll, another for each session, so a session's
  viewers cannot be linked to other sessions), the masked number, the masked name and the union;
* verification codes are stored as an HMAC, never in clear; the client address of a code request is kept for
  the abuse report and removed by ``participation_prune`` after ``DAJIA_PARTICIPATION_IP_DAYS`` days.

The supports never touch the panel's sheets: the audience index is shown separately and is advisory only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class LiveSettings(models.Model):
    """The office's participation settings for one session (one row, made on first use)."""

    session = models.OneToOneField(
        "consultations.Session",
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="live_settings",
    )
    require_roll = models.BooleanField(
        _("only numbers on the member roll may verify"),
        default=False,
        help_text=_("Numbers not on the roll of this federation's unions are refused."),
    )
    comments_open = models.BooleanField(_("viewers may comment"), default=True)
    # Maintained counter (updated when a viewer verifies), so pages never count viewers per request.
    viewers = models.PositiveIntegerField(_("verified viewers"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("live participation settings")
        verbose_name_plural = _("live participation settings")

    def __str__(self) -> str:
        return str(self.session_id)


class Viewer(models.Model):
    """One verified person in one session: the identity is the mobile number (as an HMAC), not the device."""

    session = models.ForeignKey(
        "consultations.Session", verbose_name=_("session"), on_delete=models.CASCADE, related_name="viewers"
    )
    mobile_hash = models.CharField(_("number (HMAC)"), max_length=64)
    mobile_masked = models.CharField(_("number (masked)"), max_length=16)
    union = models.ForeignKey(
        "orgs.Union",
        verbose_name=_("union (from the member roll)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"))
    last_verified_at = models.DateTimeField(_("last verified at"))
    devices = models.PositiveSmallIntegerField(_("verifications"), default=1)
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)

    class Meta:
        verbose_name = _("verified viewer")
        verbose_name_plural = _("verified viewers")
        constraints = [
            models.UniqueConstraint(fields=["session", "mobile_hash"], name="viewer_one_per_number"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id} · {self.mobile_masked}"

    @property
    def public_label(self) -> str:
        tail = self.mobile_masked[-4:] if self.mobile_masked[-4:].isdigit() else ""
        return str(_("Viewer, number ending %(tail)s") % {"tail": tail}) if tail else str(_("Viewer"))


class VerificationCode(models.Model):
    """A one-time code sent by SMS: stored as an HMAC, expires, allows a few attempts, used once."""

    class Purpose(models.TextChoices):
        VIEWER = "viewer", _("verify a viewer")
        OBJECTION = "objection", _("file an objection")

    session = models.ForeignKey(
        "consultations.Session", verbose_name=_("session"), on_delete=models.CASCADE, related_name="+"
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices, default=Purpose.VIEWER)
    mobile_hash = models.CharField(_("number (HMAC)"), max_length=64)
    mobile_masked = models.CharField(_("number (masked)"), max_length=16)
    code_hash = models.CharField(_("code (HMAC)"), max_length=64)
    created_at = models.DateTimeField(_("sent at"), db_index=True)
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)

    class Meta:
        verbose_name = _("verification code")
        verbose_name_plural = _("verification codes")
        indexes = [
            models.Index(fields=["session", "purpose", "mobile_hash"], name="vcode_lookup"),
            models.Index(fields=["session", "ip"], name="vcode_ip"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(purpose__in=["viewer", "objection"]), name="vcode_purpose_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.session_id} · {self.mobile_masked}"


class Support(models.Model):
    """A viewer supports a project (approval voting: up to the session's ``support_limit`` projects)."""

    session = models.ForeignKey(
        "consultations.Session", verbose_name=_("session"), on_delete=models.CASCADE, related_name="+"
    )
    viewer = models.ForeignKey(
        Viewer, verbose_name=_("viewer"), on_delete=models.CASCADE, related_name="supports"
    )
    entry = models.ForeignKey(
        "consultations.SessionProject",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="audience_supports",
    )
    created_at = models.DateTimeField(_("supported at"), db_index=True)
    ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(fields=["viewer", "entry"], name="support_one_per_viewer_entry")
        ]
        indexes = [models.Index(fields=["session", "created_at"], name="support_session_time")]

    def __str__(self) -> str:
        return f"{self.viewer_id} → {self.entry_id}"


class SupportCount(models.Model):
    """The maintained number of supports of one invited project, updated in the vote's transaction."""

    entry = models.OneToOneField(
        "consultations.SessionProject",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="audience_count",
    )
    session = models.ForeignKey(
        "consultations.Session", verbose_name=_("session"), on_delete=models.CASCADE, related_name="+"
    )
    supports = models.IntegerField(_("supports"), default=0)

    class Meta:
        verbose_name = _("support count")
        verbose_name_plural = _("support counts")
        constraints = [
            models.CheckConstraint(condition=Q(supports__gte=0), name="support_count_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.supports}"


class Comment(models.Model):
    """A viewer's comment or a suggestion from the floor; shown publicly only once approved."""

    class Source(models.TextChoices):
        ONLINE = "online", _("online viewer")
        FLOOR = "floor", _("from the floor")

    class Kind(models.TextChoices):
        COMMENT = "comment", _("comment")
        SUGGESTION = "suggestion", _("suggestion")

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting moderation")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    session = models.ForeignKey(
        "consultations.Session", verbose_name=_("session"), on_delete=models.CASCADE, related_name="+"
    )
    entry = models.ForeignKey(
        "consultations.SessionProject",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    viewer = models.ForeignKey(
        Viewer,
        verbose_name=_("viewer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.ONLINE)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.COMMENT)
    author_label = models.CharField(_("shown as"), max_length=60)
    text = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    auto_rejected = models.BooleanField(_("rejected by the word list"), default=False)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)
    answer = models.TextField(_("answer from the office"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("written at"), db_index=True)

    class Meta:
        verbose_name = _("comment or suggestion")
        verbose_name_plural = _("comments and suggestions")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["session", "status", "created_at"], name="comment_queue")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "rejected"]), name="comment_status_valid"
            ),
            models.CheckConstraint(condition=Q(source__in=["online", "floor"]), name="comment_source_valid"),
            models.CheckConstraint(
                condition=Q(kind__in=["comment", "suggestion"]), name="comment_kind_valid"
            ),
            # A rejection always says why; a comment still awaiting moderation has no answer.
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(status_reason=""), name="comment_rejection_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(answer="") | ~Q(status="pending"), name="comment_answer_moderated"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:40]


class SensitiveWord(models.Model):
    """A word the office keeps off public pages: a comment containing it is rejected automatically."""

    federation = models.ForeignKey(
        "orgs.Federation", verbose_name=_("federation"), on_delete=models.CASCADE, related_name="+"
    )
    word = models.CharField(_("word"), max_length=40)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sensitive word")
        verbose_name_plural = _("sensitive words")
        ordering = ["word"]
        constraints = [models.UniqueConstraint(fields=["federation", "word"], name="sensitive_word_unique")]

    def __str__(self) -> str:
        return self.word


class RollMember(models.Model):
    """One member on a union's roll (imported from xlsx): kept as an HMAC of the number and masked text."""

    federation = models.ForeignKey(
        "orgs.Federation", verbose_name=_("federation"), on_delete=models.CASCADE, related_name="+"
    )
    union = models.ForeignKey(
        "orgs.Union", verbose_name=_("union"), on_delete=models.CASCADE, related_name="+"
    )
    mobile_hash = models.CharField(_("number (HMAC)"), max_length=64)
    mobile_masked = models.CharField(_("number (masked)"), max_length=16)
    name_masked = models.CharField(_("name (masked)"), max_length=50)
    imported_at = models.DateTimeField(_("imported at"))

    class Meta:
        verbose_name = _("member on the roll")
        verbose_name_plural = _("member roll")
        constraints = [
            models.UniqueConstraint(fields=["federation", "mobile_hash"], name="roll_one_per_number")
        ]

    def __str__(self) -> str:
        return f"{self.name_masked} {self.mobile_masked}"
