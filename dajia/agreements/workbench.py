"""What agreements contribute to the workbench (agreements whose current text waits for one's signature) and
to the notifications (a text to sign → that party; an agreement voided → the provider; its cancelled orders
tell the chairs through dajia/orders/workbench.py)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dajia.accounts.permissions import office_federation_ids, provider_ids
from dajia.agreements.models import Agreement, AgreementVersion, Signature
from dajia.notifications.services import Notice, members_of, notifications_send, notify, office_of
from dajia.workbench.registry import Group, Item, group

CLOSED = (Agreement.State.COMPLETED, Agreement.State.TERMINATED, Agreement.State.VOID)


def unsigned_by(party: str):
    """Open agreements whose current version the party has not signed (two subqueries, no per-row query)."""
    current = AgreementVersion.objects.filter(agreement=OuterRef("pk")).order_by("-number").values("pk")[:1]
    signed = Signature.objects.filter(version_id=OuterRef("current_version"), party=party)
    return (
        Agreement.objects.exclude(state__in=CLOSED)
        .annotate(current_version=Subquery(current))
        .filter(~Exists(signed))
        .select_related("project", "provider")
        .order_by("created_at", "id")
    )


ITEM_FIELDS = ("pk", "number", "project__title", "provider__name")  # what an item prints, read as values


def _item(row: dict) -> Item:
    return Item(
        title=f"{row['number']} {row['project__title']}",
        url=reverse("agreements:detail", args=[row["pk"]]),
        detail=row["provider__name"],
    )


def _to_sign(party: str, order: int, **scope) -> Group:
    return group(
        "agreements_to_sign",
        _("Agreements to sign"),
        unsigned_by(party).filter(**scope).values(*ITEM_FIELDS),
        _item,
        url=reverse("agreements:list"),
        order=order,
    )


def office(user) -> list[Group]:
    return [_to_sign(Signature.Party.FEDERATION, 60, federation_id__in=office_federation_ids(user))]


def provider(user) -> list[Group]:
    return [_to_sign(Signature.Party.PROVIDER, 20, provider_id__in=provider_ids(user))]


def _params(agreement: Agreement) -> dict:
    return {"number": agreement.number, "project": agreement.project.title[:20]}


def notify_to_sign(agreement: Agreement, version: AgreementVersion, *, actor) -> None:
    """A new text (the first, or an amendment) waits for both parties' signatures."""
    url = reverse("agreements:detail", args=[agreement.pk])
    text = _("Agreement %(number)s (%(project)s), version %(version)s, waits for your signature.")
    params = {**_params(agreement), "version": version.number}
    notifications_send(
        notices=[
            Notice(
                event="agreement_to_sign",
                key=f"agreement_to_sign:{agreement.pk}:v{version.number}:{party}",
                text=text,
                params=params,
                url=url,
                audience=audience,
                exclude_user_id=getattr(actor, "pk", None),
            )
            for party, audience in (
                (Signature.Party.FEDERATION, office_of(agreement.federation_id)),
                (Signature.Party.PROVIDER, members_of(agreement.provider_id)),
            )
        ]
    )


def notify_voided(agreement: Agreement, *, actor, cancelled: int) -> None:
    notify(
        event="agreement_voided",
        key=f"agreement_voided:{agreement.pk}",
        text=_("Agreement %(number)s (%(project)s) has been voided; %(orders)s open orders are cancelled."),
        params={**_params(agreement), "orders": cancelled},
        url=reverse("agreements:detail", args=[agreement.pk]),
        audience=members_of(agreement.provider_id),
        exclude_user_id=getattr(actor, "pk", None),
    )
