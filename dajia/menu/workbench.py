"""What the service menu contributes to the workbench: projects the office has to review, and a provider's
projects returned for changes."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dajia.accounts.permissions import office_federation_ids, provider_ids
from dajia.menu.models import ServiceProject
from dajia.orgs.models import Provider
from dajia.workbench.registry import Group, Item, group


def office(user) -> list[Group]:
    queue = reverse("menu:review_queue")
    # The providers' ids first (as orders.selectors.office_orders): joined, SQLite's planner walks every project
    # of every provider of the federation instead of the few submitted ones in ``project_review_queue``.
    providers = list(
        Provider.objects.filter(federation_id__in=office_federation_ids(user)).values_list("pk", flat=True)
    )
    submitted = (
        ServiceProject.objects.filter(status=ServiceProject.Status.SUBMITTED, provider_id__in=providers)
        .select_related("provider")
        .order_by("submitted_at", "id")
    )
    return [
        group(
            "projects_to_review",
            _("Projects to review"),
            submitted,
            lambda p: Item(title=p.title, url=queue, detail=p.provider.name),
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
