"""What organisations contribute to the workbench: social organisations waiting for the office's approval."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dajia.accounts.permissions import office_federation_ids
from dajia.orgs.models import Provider
from dajia.workbench.registry import Group, Item, group


def office(user) -> list[Group]:
    # The review form is on the office's list, filtered to the pending ones.
    review = reverse("orgs:provider_list") + "?status=pending"
    pending = (
        Provider.objects.filter(status=Provider.Status.PENDING, federation_id__in=office_federation_ids(user))
        .order_by("created_at", "id")
        .values("name", "created_at")
    )  # what an item prints
    return [
        group(
            "providers_to_review",
            _("Social organisations to review"),
            pending,
            lambda row: Item(title=row["name"], url=review, detail=row["created_at"].date().isoformat()),
            url=review,
            order=41,
        )
    ]
