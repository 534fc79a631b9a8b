"""What the service menu contributes to the workbench: projects the office has to review, and a provider's
projects returned for changes."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dajia.accounts.permissions import provider_ids
from dajia.menu.models import ServiceProject
from dajia.menu.selectors import projects_to_review
from dajia.workbench.registry import Group, Item, group


def office(user) -> list[Group]:
    queue = reverse("menu:review_queue")
    submitted = projects_to_review(user).values("title", "provider__name")  # what an item prints
    return [
        group(
            "projects_to_review",
            _("Projects to review"),
            submitted,
            lambda row: Item(title=row["title"], url=queue, detail=row["provider__name"]),
            url=queue,
            order=40,
        )
    ]


def provider(user) -> list[Group]:
    returned = ServiceProject.objects.filter(
        status=ServiceProject.Status.RETURNED, provider_id__in=provider_ids(user)
    ).order_by("-updated_at", "-id")
    return [
        group(
            "projects_returned",
            _("Projects returned for changes"),
            returned,
            lambda p: Item(
                title=p.title, url=reverse("menu:project_edit", args=[p.pk]), detail=p.return_reason[:40]
            ),
            url=reverse("menu:workspace"),
            order=30,
        )
    ]
