from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditLogQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Office staff read the log of their federation and every federation below it."""
        from dajia.accounts.permissions import office_federation_ids

        ids = office_federation_ids(user)
        if user.is_superuser:
            return self
        return self.filter(federation_id__in=ids)


class AuditLog(models.Model):
    """Who changed what, when, with the state before and after (pretix's ``log_action``)."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Evaluators act through a link without an account; the label says who acted in that case.
    actor_label = models.CharField(_("actor label"), max_length=120, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    federation = models.ForeignKey(
        "orgs.Federation",
        verbose_name=_("federation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"
