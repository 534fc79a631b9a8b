from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICE = "office", _("union office staff")
    CHAIR = "chair", _("grassroots union chair")
    PROVIDER = "provider", _("provider member")
    EXPERT = "expert", _("expert volunteer")
    WORKER = "worker", _("worker")
    PARK = "park", _("park office staff")
    ENTERPRISE = "enterprise", _("enterprise contact")


def person_name(*, last_name: str, first_name: str, username: str) -> str:
    """How Dajia prints a person: the full name, family name first with no space (Chinese names are written so),
    else the username. The one rule, for a user (:attr:`User.display_name`) and for names read as plain values
    (the ledger's list of volunteers)."""
    return f"{last_name}{first_name}".strip() or username


class User(AbstractUser):
    """An account. A person may hold several roles (see :class:`RoleAssignment`)."""

    mobile = models.CharField(_("mobile number"), max_length=11, unique=True, null=True, blank=True)
    must_change_password = models.BooleanField(_("must change password"), default=False)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name

    def get_full_name(self) -> str:
        return person_name(last_name=self.last_name, first_name=self.first_name, username="")

    @property
    def display_name(self) -> str:
        return person_name(last_name=self.last_name, first_name=self.first_name, username=self.username)


class RoleAssignment(models.Model):
    """One role of one user, scoped to the organisation it acts for."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    federation = models.ForeignKey(
        "orgs.Federation",
        verbose_name=_("federation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="staff_roles",
    )
    union = models.ForeignKey(
        "orgs.Union",
        verbose_name=_("grassroots union"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="roles",
    )
    provider = models.ForeignKey(
        "orgs.Provider",
        verbose_name=_("social organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="members",
    )
    # A park office's park; for an expert volunteer, one row per park served (the expert desk routes by it).
    park = models.ForeignKey(
        "orgs.Park",
        verbose_name=_("park"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="staff_roles",
    )
    enterprise = models.ForeignKey(
        "orgs.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="contact_roles",
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            # Each scoped role names exactly the organisation it acts for; a worker is a member of a grassroots
            # union, and through it of a federation (what their forms and lists show).
            models.CheckConstraint(
                name="role_scope_matches",
                condition=(
                    Q(role="office", federation__isnull=False, union__isnull=True, provider__isnull=True)
                    | Q(role="chair", union__isnull=False, federation__isnull=True, provider__isnull=True)
                    | Q(role="provider", provider__isnull=False, federation__isnull=True, union__isnull=True)
                    | Q(role="worker", union__isnull=False, federation__isnull=True, provider__isnull=True)
                    | Q(role="expert", provider__isnull=True)
                    | Q(role="park", park__isnull=False, provider__isnull=True, union__isnull=True)
                    | Q(
                        role="enterprise", enterprise__isnull=False, provider__isnull=True, union__isnull=True
                    )
                )
                # Only park offices and volunteers name a park; only enterprise contacts an enterprise.
                & (Q(role__in=["expert", "park"]) | Q(park__isnull=True))
                & (Q(role="enterprise") | Q(enterprise__isnull=True)),
            ),
            # One assignment per user and scope (written per role, since NULLs never collide in a unique index).
            models.UniqueConstraint(
                fields=["user", "federation"], condition=Q(role="office"), name="role_unique_office"
            ),
            models.UniqueConstraint(
                fields=["user", "union"], condition=Q(role="chair"), name="role_unique_chair"
            ),
            models.UniqueConstraint(
                fields=["user", "provider"], condition=Q(role="provider"), name="role_unique_provider"
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(role="worker") | Q(role="expert", park__isnull=True),
                name="role_unique_personal",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "park"],
                condition=Q(role__in=["expert", "park"], park__isnull=False),
                name="role_unique_park",
            ),
            models.UniqueConstraint(
                fields=["user", "enterprise"], condition=Q(role="enterprise"), name="role_unique_enterprise"
            ),
        ]

    def __str__(self) -> str:
        scope = self.federation or self.union or self.provider or self.park or self.enterprise or ""
        return f"{self.get_role_display()} {scope}".strip()


class Person(models.Model):
    """Someone the office works with who needs no account (e.g. the 政协工会界别委员 on a panel)."""

    class Kind(models.TextChoices):
        CPPCC = "cppcc", _("CPPCC union-sector member")
        CHAIR = "chair", _("grassroots union chair")
        EXPERT = "expert", _("expert")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    federation = models.ForeignKey(
        "orgs.Federation", verbose_name=_("federation"), on_delete=models.CASCADE, related_name="people"
    )
    affiliation = models.CharField(_("affiliation"), max_length=120, blank=True)
    mobile = models.CharField(_("mobile number"), max_length=11, blank=True)
    user = models.OneToOneField(
        User,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only the SHA-256 of the key is stored; the key is shown once."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=60)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} · {self.name}"


class RegistrationCode(models.Model):
    """A one-time SMS code proving that whoever registers a provider holds the mobile number. Hashes only,
    made by the one code rule (``dajia.core.codes``); written for a taken number too (its
    code is never sent), so the registration pages answer alike whether the number is free or not."""

    mobile_hash = models.CharField(_("number (HMAC)"), max_length=64, db_index=True)
    mobile_masked = models.CharField(_("number (masked)"), max_length=16)
    code_hash = models.CharField(_("code (HMAC)"), max_length=64)
    created_at = models.DateTimeField(_("sent at"), db_index=True)
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)

    class Meta:
        # Kept as long as the live page's codes (``DAJIA_PARTICIPATION_IP_DAYS``), then dropped by the next send.
        verbose_name = _("registration code")
        verbose_name_plural = _("registration codes")

    def __str__(self) -> str:
        return self.mobile_masked
