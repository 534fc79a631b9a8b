"""How an agreement's sessions are shared among the unions (配额): first come, or a quota per union that never
falls below what the union has already ordered. Split from ``services.py`` (the agreement's life: drafting,
signing, activation, closing), which it shares ``_lock`` with."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dajia.accounts.permissions import require_office
from dajia.agreements.models import Agreement, AgreementQuota
from dajia.agreements.services import _lock
from dajia.core import audit
from dajia.core.inputs import parse_whole
from dajia.orgs.models import Union


@transaction.atomic
def quotas_set(
    *, actor, agreement: Agreement, allocation: str, quotas: dict[int, object]
) -> list[AgreementQuota]:
    """Share the agreement's sessions: ``first_come`` (any union of the federation may order while sessions
    last) or ``allocated`` (each union only up to its quota; ``quotas`` maps union id → sessions)."""
    agreement = _lock(agreement)
    require_office(actor, agreement.federation_id)
    if agreement.state in (Agreement.State.COMPLETED, Agreement.State.TERMINATED, Agreement.State.VOID):
        raise ValidationError(_("This agreement is closed."))
    if allocation not in Agreement.Allocation.values:
        raise ValidationError({"allocation": _("Choose how the sessions are shared.")})
    federations = agreement.federation.descendant_ids()
    unions = {
        u.pk: u for u in Union.objects.filter(pk__in=[int(k) for k in quotas], federation_id__in=federations)
    }
    existing = {q.union_id: q for q in AgreementQuota.objects.select_for_update().filter(agreement=agreement)}
    errors: list[str] = []
    wanted: dict[int, int] = {}
    for key, raw in quotas.items():
        uid = int(key)
        if uid not in unions:
            raise PermissionDenied(_("A union in this list is not under this agreement's federation."))
        try:
            n = 0 if str(raw or "").strip() == "" else parse_whole(raw, label="", minimum=0, maximum=100000)
        except ValidationError:
            errors.append(_("%(union)s: the quota must be a whole number.") % {"union": unions[uid].name})
            continue
        booked = existing[uid].booked if uid in existing else 0
        if n < booked:
            errors.append(
                _("%(union)s has already ordered %(n)s sessions; its quota cannot be lower.")
                % {"union": unions[uid].name, "n": booked}
            )
            continue
        wanted[uid] = n
    if errors:
        raise ValidationError({"quotas": errors})
    total = sum(wanted.values()) + sum(q.sessions for uid, q in existing.items() if uid not in wanted)
    if allocation == Agreement.Allocation.ALLOCATED and total > agreement.sessions:
        raise ValidationError(
            {
                "quotas": _("The quotas add up to %(total)s sessions, more than the agreement's %(n)s.")
                % {"total": total, "n": agreement.sessions}
            }
        )
    before = {"allocation": agreement.allocation, "quotas": {str(k): q.sessions for k, q in existing.items()}}
    out = []
    for uid, n in wanted.items():
        quota = existing.get(uid)
        if quota is None:
            if n == 0:
                continue
            quota = AgreementQuota.objects.create(agreement=agreement, union_id=uid, sessions=n)
        elif n == 0 and quota.booked == 0:
            quota.delete()
            existing.pop(uid)
            continue
        else:
            quota.sessions = n
            quota.save(update_fields=["sessions"])
        out.append(quota)
    agreement.allocation = allocation
    agreement.save(update_fields=["allocation"])
    after_quotas = dict(
        AgreementQuota.objects.filter(agreement=agreement).values_list("union_id", "sessions")
    )
    audit.log(
        actor=actor,
        action="agreements.quotas.set",
        obj=agreement,
        before=before,
        after={"allocation": allocation, "quotas": {str(k): v for k, v in after_quotas.items()}},
        federation_id=agreement.federation_id,
    )
    return out
