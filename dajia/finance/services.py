"""Writes of the finance files, batch-first: opening files on a park's list, recording financing needs (with
their outcome when it is already known) and recording an outcome or the loans outstanding later.

Each reads its facts in a few queries, checks every entry (the outcome rule is ``decide.outcome_errors``) before
writing any, writes in bulk and stores one audit entry per record in one ``audit.log_many``: the demo records a
year of a bank team's work through them. A bank-team member writes only at the parks it serves, the office in
its federation; anyone else is refused.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dajia.accounts.permissions import can_manage_federation
from dajia.core import audit
from dajia.core.inputs import clean_money, clean_text
from dajia.finance.decide import outcome_errors
from dajia.finance.models import EnterpriseFile, FinancingNeed
from dajia.finance.selectors import bank_volunteer, finance_park_ids
from dajia.orgs.models import Enterprise, Park


def _may_keep(actor, park) -> bool:
    return park.pk in finance_park_ids(actor) or can_manage_federation(actor, park.federation_id)


@transaction.atomic
def files_open(
    *, actor, enterprises: list[Enterprise], now: datetime.datetime | None = None
) -> list[EnterpriseFile]:
    """Put enterprises on their park's finance list: one file per enterprise per park (one already filed is
    left as it is). Returns the files opened."""
    now = now or timezone.now()
    parks = Park.objects.in_bulk({e.park_id for e in enterprises if e.park_id})
    for enterprise in enterprises:
        if enterprise.park_id is None:
            raise ValidationError({"enterprise": _("This enterprise is not in a park.")})
        if not _may_keep(actor, parks[enterprise.park_id]):
            raise PermissionDenied
    filed = set(
        EnterpriseFile.objects.filter(enterprise__in=[e.pk for e in enterprises]).values_list(
            "park_id", "enterprise_id"
        )
    )
    opened, seen = [], set()
    for e in enterprises:
        key = (e.park_id, e.pk)
        if key in filed or key in seen:
            continue
        seen.add(key)
        opened.append(
            EnterpriseFile(
                federation_id=parks[e.park_id].federation_id,
                park=parks[e.park_id],
                enterprise=e,
                opened_by=actor,
                opened_at=now,
            )
        )
    EnterpriseFile.objects.bulk_create(opened)
    audit.log_many(
        [
            audit.record(
                actor=actor,
                action="finance.file.open",
                obj=f,
                after=audit.snapshot(f, ["park_id", "enterprise_id"]),
                federation_id=f.federation_id,
            )
            for f in opened
        ]
    )
    return opened


@dataclass(frozen=True)
class NeedInput:
    """A financing need as the bank team records it; the outcome fields stay empty while it is pending."""

    file: EnterpriseFile
    purpose: str
    amount_requested: Decimal | str
    raised_on: datetime.date
    status: str = FinancingNeed.Status.PENDING
    credit_line: Decimal | str | None = None
    loan_amount: Decimal | str | None = None
    product: str = ""
    decided_on: datetime.date | None = None
    outstanding: Decimal | str | None = None
    outstanding_on: datetime.date | None = None


def _money(value, *, field: str, label: str) -> Decimal | None:
    if value is None or value == "":
        return None
    return clean_money(value, field=field, label=label)


def _checked(entry: NeedInput, *, today: datetime.date) -> dict:
    """The cleaned fields of an entry, or ValidationError naming the first broken rule."""
    fields = {
        "purpose": clean_text(entry.purpose, field="purpose", max_length=120, label=_("Purpose"), cell=True),
        "amount_requested": _money(
            entry.amount_requested, field="amount_requested", label=_("Amount requested")
        ),
        "credit_line": _money(entry.credit_line, field="credit_line", label=_("Credit line granted")),
        "loan_amount": _money(entry.loan_amount, field="loan_amount", label=_("Loan granted")),
        "product": clean_text(entry.product, field="product", max_length=60, required=False, cell=True),
        "outstanding": _money(entry.outstanding, field="outstanding", label=_("Loans outstanding")),
        "raised_on": entry.raised_on,
        "status": entry.status,
        "decided_on": entry.decided_on,
        "outstanding_on": entry.outstanding_on,
    }
    if not fields["amount_requested"]:
        raise ValidationError({"amount_requested": _("Give the amount the enterprise needs.")})
    errors = outcome_errors(
        today=today,
        **{k: fields[k] for k in fields if k not in ("purpose", "amount_requested")},
    )
    if errors:
        raise ValidationError(errors)
    return fields


@transaction.atomic
def needs_record(*, actor, entries: list[NeedInput]) -> list[FinancingNeed]:
    """Record financing needs on files the actor keeps, each with its outcome if already known. The
    bank-team member recording them is their volunteer. All or nothing."""
    today = timezone.localdate()
    volunteer = bank_volunteer(actor)
    parks = Park.objects.in_bulk({e.file.park_id for e in entries})
    rows = []
    for entry in entries:
        if not _may_keep(actor, parks[entry.file.park_id]):
            raise PermissionDenied
        rows.append(FinancingNeed(file=entry.file, volunteer=volunteer, **_checked(entry, today=today)))
    FinancingNeed.objects.bulk_create(rows)
    audit.log_many(
        [
            audit.record(
                actor=actor,
                action="finance.need.record",
                obj=n,
                after=audit.snapshot(
                    n, ["file_id", "status", "amount_requested", "credit_line", "loan_amount"]
                ),
                federation_id=n.file.federation_id,
            )
            for n in rows
        ]
    )
    return rows


@transaction.atomic
def need_decide(
    *,
    actor,
    need: FinancingNeed,
    status: str,
    decided_on: datetime.date | None,
    credit_line: Decimal | str | None = None,
    loan_amount: Decimal | str | None = None,
    product: str = "",
    outstanding: Decimal | str | None = None,
    outstanding_on: datetime.date | None = None,
) -> FinancingNeed:
    """Record the bank's decision on a pending need (once: a decided need is not decided again; a later
    report of the loans outstanding goes through :func:`need_report_outstanding`)."""
    need = FinancingNeed.objects.select_for_update().select_related("file__park").get(pk=need.pk)
    if not _may_keep(actor, need.file.park):
        raise PermissionDenied
    if need.status != FinancingNeed.Status.PENDING:
        raise ValidationError({"status": _("This need has already been decided.")})
    if status == FinancingNeed.Status.PENDING:
        raise ValidationError({"status": _("Choose the outcome.")})
    entry = NeedInput(
        file=need.file,
        purpose=need.purpose,
        amount_requested=need.amount_requested,
        raised_on=need.raised_on,
        status=status,
        credit_line=credit_line,
        loan_amount=loan_amount,
        product=product,
        decided_on=decided_on,
        outstanding=outstanding,
        outstanding_on=outstanding_on,
    )
    fields = _checked(entry, today=timezone.localdate())
    before = audit.snapshot(need, ["status", "credit_line", "loan_amount", "product", "decided_on"])
    for name in (
        "status",
        "credit_line",
        "loan_amount",
        "product",
        "decided_on",
        "outstanding",
        "outstanding_on",
    ):
        setattr(need, name, fields[name])
    if need.volunteer_id is None:
        need.volunteer = bank_volunteer(actor)
    need.save()
    audit.log(
        actor=actor,
        action="finance.need.decide",
        obj=need,
        before=before,
        after=audit.snapshot(need, ["status", "credit_line", "loan_amount", "product", "decided_on"]),
        federation_id=need.file.federation_id,
    )
    return need


@transaction.atomic
def need_report_outstanding(
    *, actor, need: FinancingNeed, outstanding: Decimal | str, as_of: datetime.date
) -> FinancingNeed:
    """The loans outstanding on a granted loan, as the bank reported them on ``as_of``."""
    need = FinancingNeed.objects.select_for_update().select_related("file__park").get(pk=need.pk)
    if not _may_keep(actor, need.file.park):
        raise PermissionDenied
    if need.status != FinancingNeed.Status.GRANTED:
        raise ValidationError({"outstanding": _("Loans outstanding are reported on a granted loan.")})
    amount = clean_money(outstanding, field="outstanding", label=_("Loans outstanding"))
    if as_of > timezone.localdate() or as_of < need.decided_on:
        raise ValidationError({"outstanding_on": _("Give a report date between the loan's date and today.")})
    before = audit.snapshot(need, ["outstanding", "outstanding_on"])
    need.outstanding, need.outstanding_on = amount, as_of
    need.save(update_fields=["outstanding", "outstanding_on"])
    audit.log(
        actor=actor,
        action="finance.need.outstanding",
        obj=need,
        before=before,
        after=audit.snapshot(need, ["outstanding", "outstanding_on"]),
        federation_id=need.file.federation_id,
    )
    return need
