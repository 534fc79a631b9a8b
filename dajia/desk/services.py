"""Writes of the expert desk: raising a case, routing and assigning it (with the conflict check), working it to a
closure code, the enterprise's rating, and the target check. Each is one transaction with one audit entry; the
enterprise hears of every status change and the team lead of every case that waits or falls overdue
(dajia/desk/notify.py)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dajia.accounts.permissions import (
    can_manage_federation,
    enterprise_contact_ids,
    expert_park_ids,
    park_office_ids,
)
from dajia.core import audit
from dajia.core.inputs import clean_whole
from dajia.core.uploads import clean_images, private_storage
from dajia.core.validators import id_card_error, mobile_error, normalise_code, normalise_mobile, uscc_error
from dajia.core.workdays import workdays
from dajia.desk import notify, selectors, tally
from dajia.desk.decide import conflict as conflict_reason
from dajia.desk.decide import decide
from dajia.desk.models import Assignment, Attachment, Case, Consultation, Party, Volunteer
from dajia.desk.targets import overdue
from dajia.orgs.models import Enterprise, Park

MINUTES_MAX = 6000  # 100 hours: more on one case or consultation is a typing error


def clean_minutes(value, *, field: str = "minutes") -> int:
    """Service time in whole minutes, 0 (not recorded) to ``MINUTES_MAX``."""
    return clean_whole(value, field=field, label=_("Service time (minutes)"), minimum=0, maximum=MINUTES_MAX)


@dataclass(frozen=True)
class PartyInput:
    """A counterparty (or, for legal aid, the worker advised) as typed at the desk."""

    kind: str  # Party.Kind
    name: str
    uscc: str = ""
    mobile: str = ""
    id_card: str = ""


def _clean_party(p: PartyInput, *, side: str, field: str) -> Party:
    name = (p.name or "").strip()[:120]
    if not name:
        raise ValidationError({field: _("Give the party's name.")})
    if p.kind == Party.Kind.COMPANY:
        code = normalise_code(p.uscc)
        error = uscc_error(code)
        if error:
            raise ValidationError({field: error})
        return Party(side=side, kind=p.kind, name=name, uscc=code)
    if p.kind != Party.Kind.WORKER:
        raise ValidationError({field: _("Choose whether the party is a worker or a company.")})
    mobile = normalise_mobile(p.mobile)
    error = mobile_error(mobile)
    id_card = normalise_code(p.id_card)
    if not error and id_card:
        error = id_card_error(id_card)
    if error:
        raise ValidationError({field: error})
    return Party(
        side=side,
        kind=p.kind,
        name=name,
        mobile=mobile,
        id_card=id_card,
        purpose=_("to identify the parties of this case and check for conflicts of interest"),
    )


def _raiser_scope(actor, *, enterprise: Enterprise | None, park: Park | None, kind: str) -> tuple[str, Park]:
    """The channel the actor raises through, and the park the case belongs to; refuses anyone else's."""
    if kind == Case.Kind.ENTERPRISE and enterprise is None:
        raise ValidationError({"enterprise": _("Choose the enterprise.")})
    if enterprise is not None:
        park = enterprise.park
        if park is None:
            raise ValidationError({"enterprise": _("This enterprise is not in a park.")})
    if park is None:
        raise ValidationError({"park": _("Choose the park.")})
    if kind == Case.Kind.ENTERPRISE and enterprise.pk in enterprise_contact_ids(actor):
        return "online", park
    if park.pk in park_office_ids(actor):
        return "station", park
    if park.pk in expert_park_ids(actor) or can_manage_federation(actor, park.federation_id):
        return "visit", park
    raise PermissionDenied


@transaction.atomic
def case_raise(
    *,
    actor,
    kind: str = Case.Kind.ENTERPRISE,
    enterprise: Enterprise | None = None,
    park: Park | None = None,
    specialty: str,
    description: str,
    urgency: str = "normal",
    counterparties: list[PartyInput] = (),
    worker: PartyInput | None = None,
    contact_mobile: str = "",
    attachments=(),
    consultation: Consultation | None = None,
    now: datetime.datetime | None = None,
) -> Case:
    """Take a problem at the desk and route it: the suggested volunteer sees it first; with nobody on duty it
    waits, flagged, for the team lead, who is told."""
    channel, park = _raiser_scope(actor, enterprise=enterprise, park=park, kind=kind)
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": _("Describe the problem.")})
    if len(description) > 4000:
        raise ValidationError({"description": _("Keep the description under 4000 characters.")})
    if kind == Case.Kind.WORKER and worker is None:
        raise ValidationError({"worker": _("Give the worker's name and mobile number.")})
    mobile = normalise_mobile(contact_mobile) if contact_mobile else ""
    if mobile and mobile_error(mobile):
        raise ValidationError({"contact_mobile": mobile_error(mobile)})
    files = clean_images(attachments, max_count=settings.DAJIA_DESK_ATTACHMENTS_MAX, field="attachments")
    parties = []
    if enterprise is not None:
        side = Party.Side.CLIENT if kind == Case.Kind.ENTERPRISE else Party.Side.COUNTER
        if not enterprise.uscc:
            raise ValidationError(
                {"enterprise": _("The enterprise's unified social credit code is missing.")}
            )
        parties.append(Party(side=side, kind=Party.Kind.COMPANY, name=enterprise.name, uscc=enterprise.uscc))
    if worker is not None:
        parties.append(_clean_party(worker, side=Party.Side.CLIENT, field="worker"))
    for i, p in enumerate(counterparties):
        parties.append(_clean_party(p, side=Party.Side.COUNTER, field=f"counterparty_{i}"))
    case = Case.objects.create(
        federation_id=park.federation_id,
        park=park,
        enterprise=enterprise,
        kind=kind,
        specialty=specialty,
        description=description,
        urgency=urgency,
        channel=channel,
        raised_by=actor,
        contact_mobile=mobile,
        created_at=now or timezone.now(),
    )
    if consultation is not None:
        # Counted once, as the case it became.
        if consultation.case_id or consultation.park_id != park.pk:
            raise ValidationError({"consultation": _("This consultation cannot become this case.")})
        consultation.case = case
        consultation.save(update_fields=["case"])
    for p in parties:
        p.case = case
    Party.objects.bulk_create(parties)
    Attachment.objects.bulk_create([Attachment(case=case, file=f) for f in _saved(files)])
    decision = _route(case, now=case.created_at)
    audit.log(
        actor=actor,
        action="desk.case.raise",
        obj=case,
        after={
            **audit.snapshot(case, ["kind", "specialty", "urgency", "channel", "park_id"]),
            "waiting": case.waiting,
        },
        federation_id=case.federation_id,
    )
    notify.status_changed(case)
    if decision.waiting:
        notify.lead_waiting(case)
    else:
        notify.volunteer_suggested(case)
    return case


def _saved(files):
    storage = private_storage()
    for f in files:
        yield storage.save(f"desk/{f.name}", f)


def routing(case: Case, *, now: datetime.datetime | None = None):
    """The team and the routing decision (who is suggested, who is excluded and why), for the case page too."""
    now = timezone.localtime(now or timezone.now())
    volunteers = selectors.team_volunteers(case)
    return volunteers, decide(
        selectors.volunteer_facts(volunteers, today=now.date()),
        selectors.case_facts(case),
        now=now,
        conflict_years=settings.DAJIA_DESK_CONFLICT_YEARS,
    )


def _route(case: Case, *, now: datetime.datetime):
    _team, decision = routing(case, now=now)
    case.suggested_id = decision.suggested
    case.waiting = decision.waiting
    case.save(update_fields=["suggested", "waiting"])
    return decision


@transaction.atomic
def case_assign(
    *,
    actor,
    case: Case,
    volunteer: Volunteer,
    override_reason: str = "",
    now: datetime.datetime | None = None,
) -> Assignment:
    """Put a volunteer on a case: the volunteer taking it, or the team lead/office choosing (also a second
    volunteer for a joint case). A conflict of interest refuses the assignment unless the lead or office
    overrides it with a reason, which the audit log keeps."""
    now = now or timezone.now()
    case = Case.objects.select_for_update().get(pk=case.pk)
    taking = selectors.volunteer_of(actor) == volunteer
    if not (selectors.can_manage_case(actor, case) or (taking and selectors.can_take(actor, case))):
        raise PermissionDenied
    if not case.is_open:
        raise ValidationError(_("This case is no longer open."))
    if volunteer.specialty != case.specialty and not selectors.can_manage_case(actor, case):
        raise ValidationError(_("This case needs another specialty."))
    if case.assignments.filter(volunteer=volunteer).exists():
        raise ValidationError(_("This volunteer already works on the case."))
    facts = selectors.volunteer_facts([volunteer], today=timezone.localtime(now).date())[0]
    why = conflict_reason(
        facts, selectors.case_facts(case), now=now, years=settings.DAJIA_DESK_CONFLICT_YEARS
    )
    override_reason = (override_reason or "").strip()[:300]
    if why and not (override_reason and selectors.can_manage_case(actor, case)):
        raise ValidationError(
            {
                "override_reason": _(
                    "Conflict of interest: %(why)s. Only the team lead or the office may override it, with a reason."
                )
                % {"why": why}
            }
        )
    assignment = Assignment.objects.create(
        case=case,
        volunteer=volunteer,
        assigned_at=now,
        assigned_by=actor,
        override_reason=override_reason if why else "",
    )
    before = audit.snapshot(case, ["status", "waiting"])
    first = case.status == Case.Status.NEW
    case.status = Case.Status.ASSIGNED if first else case.status
    case.waiting = False
    case.responded_at = case.responded_at or now
    case.save(update_fields=["status", "waiting", "responded_at"])
    audit.log(
        actor=actor,
        action="desk.case.assign",
        obj=case,
        before=before,
        after={
            **audit.snapshot(case, ["status", "waiting"]),
            "volunteer_id": volunteer.pk,
            "conflict": why or "",
            "override_reason": assignment.override_reason,
        },
        federation_id=case.federation_id,
    )
    if first:
        notify.status_changed(case)
    return assignment


def _working_case(actor, case_id: int) -> Case:
    case = Case.objects.select_for_update().filter(pk=case_id).first()
    if case is None or not (selectors.is_assigned(actor, case) or selectors.can_manage_case(actor, case)):
        raise PermissionDenied
    return case


@transaction.atomic
def case_start(*, actor, case: Case) -> Case:
    case = _working_case(actor, case.pk)
    if case.status != Case.Status.ASSIGNED:
        raise ValidationError(_("Only an assigned case can be started."))
    case.status = Case.Status.IN_PROGRESS
    case.save(update_fields=["status"])
    audit.log(
        actor=actor,
        action="desk.case.start",
        obj=case,
        before={"status": Case.Status.ASSIGNED},
        after={"status": case.status},
        federation_id=case.federation_id,
    )
    notify.status_changed(case)
    return case


CLOSURE_STATUS = {
    Case.Closure.SOLVED: Case.Status.RESOLVED,
    Case.Closure.ADVISED: Case.Status.RESOLVED,
    Case.Closure.REFERRED: Case.Status.REFERRED,
    Case.Closure.WITHDRAWN: Case.Status.CLOSED,
    Case.Closure.NOT_ELIGIBLE: Case.Status.CLOSED,
}


@transaction.atomic
def case_finish(
    *,
    actor,
    case: Case,
    closure: str,
    note: str = "",
    minutes: int = 0,
    now: datetime.datetime | None = None,
) -> Case:
    """Close the work on a case with its closure code (a referral names to whom) and the service time it took
    (credited to each assigned volunteer in the outcome ledger, whose tallies count its month again). Worker
    parties' personal data is kept from now for the retention period only."""
    minutes = clean_minutes(minutes)
    case = _working_case(actor, case.pk)
    if not case.is_open:
        raise ValidationError(_("This case is already finished."))
    if closure not in CLOSURE_STATUS:
        raise ValidationError({"closure": _("Choose a closure code.")})
    note = (note or "").strip()[:200]
    if closure == Case.Closure.REFERRED and not note:
        raise ValidationError({"note": _("Say to whom the case was referred.")})
    if closure in (Case.Closure.SOLVED, Case.Closure.ADVISED) and case.status == Case.Status.NEW:
        raise ValidationError({"closure": _("Assign the case before resolving it.")})
    before = audit.snapshot(case, ["status", "closure"])
    now = now or timezone.now()
    case.status = CLOSURE_STATUS[closure]
    case.closure = closure
    case.closure_note = note
    case.finished_at = now
    case.waiting = False
    case.minutes = minutes
    case.save(update_fields=["status", "closure", "closure_note", "finished_at", "waiting", "minutes"])
    keep = timezone.localtime(now).date()
    keep = keep.replace(year=keep.year + settings.DAJIA_DESK_WORKER_DATA_YEARS, day=min(keep.day, 28))
    case.parties.filter(kind=Party.Kind.WORKER).update(keep_until=keep)
    tally.tallies_recount(keys=tally.keys_of([case]))
    audit.log(
        actor=actor,
        action="desk.case.finish",
        obj=case,
        before=before,
        after={**audit.snapshot(case, ["status", "closure", "minutes"]), "note": note},
        federation_id=case.federation_id,
    )
    notify.status_changed(case)
    return case


@transaction.atomic
def case_rate(
    *, actor, case: Case, rating: int, comment: str = "", now: datetime.datetime | None = None
) -> Case:
    """The enterprise rates the outcome once, after resolution."""
    case = Case.objects.select_for_update().filter(pk=case.pk).first()
    if case is None or not (
        case.kind == Case.Kind.ENTERPRISE and case.enterprise_id in enterprise_contact_ids(actor)
    ):
        raise PermissionDenied
    if case.status not in Case.RATEABLE:
        raise ValidationError({"rating": _("The service can be rated once the case is resolved.")})
    if case.rating is not None:
        raise ValidationError({"rating": _("This case has already been rated.")})
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Give a rating from 1 to 5.")})
    case.rating = rating
    case.rating_comment = (comment or "").strip()[:300]
    case.rated_at = now or timezone.now()
    case.save(update_fields=["rating", "rating_comment", "rated_at"])
    audit.log(
        actor=actor,
        action="desk.case.rate",
        obj=case,
        after={"rating": rating, "comment": case.rating_comment},
        federation_id=case.federation_id,
    )
    return case


@transaction.atomic
def cases_check_targets(*, now: datetime.datetime | None = None) -> list[Case]:
    """Flag the open cases that have passed a service target, and tell their team lead once (a job)."""
    now = now or timezone.now()
    calendar = workdays()
    flagged = []
    cases = list(
        Case.objects.select_for_update(of=("self",))
        .filter(status__in=Case.OPEN)
        .select_related("park__team__lead")
    )
    for case in cases:
        response, resolution = overdue(
            urgency=case.urgency,
            created_at=case.created_at,
            responded_at=case.responded_at,
            finished_at=case.finished_at,
            now=now,
            calendar=calendar,
        )
        newly = [
            name
            for name, late, was in (
                ("response", response, case.response_overdue),
                ("resolution", resolution, case.resolution_overdue),
            )
            if late and not was
        ]
        if not newly:
            continue
        case.response_overdue = case.response_overdue or response
        case.resolution_overdue = case.resolution_overdue or resolution
        case.save(update_fields=["response_overdue", "resolution_overdue"])
        audit.log(
            action="desk.case.overdue",
            obj=case,
            after={"targets": newly},
            federation_id=case.federation_id,
            actor_label=_("service target check"),
        )
        for name in newly:
            notify.lead_overdue(case, name)
        flagged.append(case)
    return flagged


def consultation_log(
    *,
    actor,
    park: Park,
    specialty: str,
    channel: str,
    summary: str,
    minutes: int = 0,
    now: datetime.datetime | None = None,
) -> Consultation:
    """Quick advice at the desk or online, logged in seconds: a batch of one (``services_batch``)."""
    from dajia.desk.services_batch import ConsultationInput, consultations_log

    entry = ConsultationInput(
        park=park, specialty=specialty, channel=channel, summary=summary, minutes=minutes, at=now
    )
    return consultations_log(actor=actor, entries=[entry])[0]


@transaction.atomic
def parties_expire(*, today: datetime.date | None = None) -> int:
    """Mask the personal data of worker parties whose retention period has ended (a daily job): the case keeps
    that a worker was a party, not who."""
    from dajia.core.validators import mask_mobile, mask_name

    today = today or timezone.localdate()
    expired = list(
        Party.objects.select_for_update()
        .filter(kind=Party.Kind.WORKER, keep_until__lt=today)
        .exclude(purpose="")
    )
    for party in expired:
        party.name = mask_name(party.name)
        party.mobile = mask_mobile(party.mobile)
        party.id_card = ""
        party.purpose = _("retention period ended; personal data masked")
    Party.objects.bulk_update(expired, ["name", "mobile", "id_card", "purpose"])
    for party in expired:
        audit.log(
            action="desk.party.expire",
            obj=party.case,
            after={"party_id": party.pk},
            actor_label=_("retention job"),
        )
    return len(expired)
