"""What the health checks put on the workbench: for an expert volunteer, the self-checks waiting for review in
their parks and their return visits that are due; for an enterprise contact, the self-checks to fill in."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dajia.accounts.permissions import enterprise_contact_ids
from dajia.checkups import selectors
from dajia.checkups.models import HealthCheck
from dajia.workbench.registry import Group, Item, group


def _item(check: HealthCheck) -> Item:
    due = f" · {check.visit_due:%Y-%m-%d}" if check.status == HealthCheck.Status.REPORTED else ""
    return Item(
        title=f"{check.number} {check.enterprise.name}",
        url=reverse("checkups:detail", args=[check.pk]),
        detail=f"{check.park.name} · {check.get_status_display()}{due}",
    )


def expert(user) -> list[Group]:
    url = reverse("checkups:home")
    return [
        group(
            "checkups_to_review",
            _("Health checks to review"),
            selectors.to_review(user).order_by("self_checked_at", "id"),
            _item,
            url=url,
            order=21,
        ),
        group(
            "checkups_visits_due",
            _("Return visits due"),
            selectors.visits_due(user, today=timezone.localdate()).order_by("visit_due", "id"),
            _item,
            url=url,
            order=22,
        ),
    ]


def enterprise(user) -> list[Group]:
    ids = enterprise_contact_ids(user)
    if not ids:
        return []
    to_fill = HealthCheck.objects.filter(
        enterprise_id__in=ids, status=HealthCheck.Status.SELF_CHECK
    ).select_related("enterprise", "park")
    return [
        group(
            "checkups_self_check",
            _("Health-check self-checks to fill in"),
            to_fill.order_by("created_at", "id"),
            _item,
            url=reverse("checkups:home"),
            order=21,
        )
    ]
