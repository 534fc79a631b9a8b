"""Reads shared by the agreement pages, the PDF, the settlement page and its export."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.db.models import Count, Q, QuerySet

from dajia.agreements.models import Agreement
from dajia.consultations.models import Session, SessionProject
from dajia.consultations.selectors import result_to_show


def selected_entries(session: Session) -> list[SessionProject]:
    """The selected projects of a published session, in the published consideration order.

    Read through the result to show (``consultations.selectors.result_to_show``): the frozen publication, so
    an agreement always follows what was published, else the live tally.
    """
    data, _published = result_to_show(session)
    ids = [p["entry_id"] for p in data.get("projects", []) if p.get("selected")]
    entries = SessionProject.objects.filter(pk__in=ids).select_related("project__provider", "session")
    by_id = {e.pk: e for e in entries}
    return [by_id[i] for i in ids if i in by_id]


def published_sessions_for(federation_ids: set[int]) -> QuerySet:
    return (
        Session.objects.filter(federation_id__in=federation_ids, state=Session.State.PUBLISHED)
        .annotate(n_agreements=Count("agreements"))
        .order_by("-published_at")
    )


def session_shares(amount: Decimal, sessions: int) -> list[Decimal]:
    """The agreed amount over its sessions, to the cent, any remainder on the last."""
    base = (amount / sessions).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    return [base] * (sessions - 1) + [amount - base * (sessions - 1)]


def amount_due(amount: Decimal, sessions: int, confirmed: int) -> Decimal:
    confirmed = max(0, min(confirmed, sessions))
    if confirmed == 0:
        return Decimal("0.00")
    return sum(session_shares(amount, sessions)[:confirmed], Decimal("0.00"))


@dataclass(frozen=True)
class SettlementRow:
    agreement: Agreement
    confirmed: int
    delivered_unconfirmed: int
    due: Decimal

    @property
    def outstanding(self) -> int:
        return self.agreement.sessions - self.confirmed


def settlement_rows(agreements: QuerySet) -> list[SettlementRow]:
    """Amount due per agreement from its confirmed sessions — two queries whatever the number of agreements."""
    qs = agreements.for_list().annotate(
        n_confirmed=Count("orders", filter=Q(orders__state="confirmed")),
        n_delivered=Count("orders", filter=Q(orders__state="delivered")),
    )
    return [
        SettlementRow(a, a.n_confirmed, a.n_delivered, amount_due(a.amount, a.sessions, a.n_confirmed))
        for a in qs
    ]
