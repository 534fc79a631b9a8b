"""The desk's batch writes: consultations logged many at a time (the one-at-a-time ``consultation_log`` is a batch
of one), and the office's register of cases already finished on paper (前台登记簿) entered at once.

Both read their facts in a few queries, check every entry before writing any, write in bulk and store one audit
entry per record with one ``audit.log_many``: the demo records a year of the desk's work through them, and an
office entering last year's register of a park does the same.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dajia.accounts.permissions import can_manage_federation, expert_park_ids, park_office_ids, require_office
from dajia.core import audit
from dajia.core.inputs import clean_text
from dajia.desk import tally
from dajia.desk.models import Assignment, Case, Channel, Consultation, Party, Specialty, Volunteer
from dajia.desk.services import CLOSURE_STATUS, clean_minutes
from dajia.orgs.models import Enterprise, Park


@dataclass(frozen=True)
class ConsultationInput:
    """One quick consultation; ``case`` links one that became a case (it stays one consultation)."""

    park: Park
    specialty: str
    channel: str
    summary: str
    minutes: int = 0
    at: datetime.datetime | None = None
    case: Case | None = None


@transaction.atomic
def consultations_log(*, actor, entries: list[ConsultationInput]) -> list[Consultation]:
    """Log quick consultations at parks the actor serves (park office, volunteer) or manages (office). All or
    nothing: one refused entry refuses the batch, with the entry's number in the message."""
    now = timezone.now()
    rows = []
    linked = {e.case.pk for e in entries if e.case is not None}
    taken = set(Consultation.objects.filter(case_id__in=linked).values_list("case_id", flat=True))
    seen: set[int] = set()
    parks = park_office_ids(actor) | expert_park_ids(actor)
    for entry in entries:
        if not (entry.park.pk in parks or can_manage_federation(actor, entry.park.federation_id)):
            raise PermissionDenied
        if entry.specialty not in Specialty.values:
            raise ValidationError({"specialty": _("Choose a specialty.")})
        if entry.channel not in Channel.values:
            raise ValidationError({"channel": _("Choose a channel.")})
        summary = (entry.summary or "").strip()
        if not summary:
            raise ValidationError({"summary": _("Say in a few words what was asked.")})
        if entry.case is not None:
            case = entry.case
            if case.park_id != entry.park.pk or case.pk in taken or case.pk in seen:
                raise ValidationError({"consultation": _("This consultation cannot become this case.")})
            seen.add(case.pk)
        rows.append(
            Consultation(
                federation_id=entry.park.federation_id,
                park=entry.park,
                specialty=entry.specialty,
                channel=entry.channel,
                summary=summary[:300],
                logged_by=actor,
                created_at=entry.at or now,
                minutes=clean_minutes(entry.minutes),
                case=entry.case,
            )
        )
    Consultation.objects.bulk_create(rows)
    audit.log_many(
        [
            audit.record(
                actor=actor,
                action="desk.consultation.log",
                obj=c,
                after={
                    **audit.snapshot(c, ["park_id", "specialty", "channel", "minutes"]),
                    "case_id": c.case_id,
                },
                federation_id=c.federation_id,
            )
            for c in rows
        ]
    )
    return rows


@dataclass(frozen=True)
class FinishedCaseInput:
    """A case the park's register shows as taken and finished: who worked it, how it closed, when, how long."""

    enterprise: Enterprise
    specialty: str
    description: str
    volunteer: Volunteer
    closure: str
    raised_at: datetime.datetime
    finished_at: datetime.datetime
    minutes: int = 0
    channel: str = Channel.STATION
    note: str = ""


@transaction.atomic
def cases_record_finished(*, actor, entries: list[FinishedCaseInput]) -> list[Case]:
    """Enter finished cases from a park's register (office only): each with its enterprise as the side
    advised (so the conflict check sees it later), its volunteer's assignment and its closure code; their
    months are counted again in the desk's tallies. A case still open is raised with ``case_raise`` instead, so that it is routed."""
    now = timezone.now()
    parks = Park.objects.in_bulk({e.enterprise.park_id for e in entries if e.enterprise.park_id})
    cases, details = [], []
    for i, e in enumerate(entries):
        field = f"entry_{i + 1}"
        park = parks.get(e.enterprise.park_id)
        if park is None:
            raise ValidationError({field: _("This enterprise is not in a park.")})
        require_office(actor, park.federation_id)
        if not e.enterprise.uscc:
            raise ValidationError({field: _("The enterprise's unified social credit code is missing.")})
        if e.specialty not in Specialty.values or e.volunteer.specialty != e.specialty:
            raise ValidationError({field: _("This case needs another specialty.")})
        if e.volunteer.federation_id != park.federation_id:
            raise ValidationError({field: _("Choose a volunteer of this federation.")})
        if e.closure not in CLOSURE_STATUS:
            raise ValidationError({field: _("Choose a closure code.")})
        note = clean_text(e.note, field=field, max_length=200, required=False)
        if e.closure == Case.Closure.REFERRED and not note:
            raise ValidationError({field: _("Say to whom the case was referred.")})
        if not (e.raised_at <= e.finished_at <= now):
            raise ValidationError(
                {field: _("A case is finished after it was raised, and not in the future.")}
            )
        description = clean_text(e.description, field=field, max_length=4000, label=_("The problem"))
        cases.append(
            Case(
                federation_id=park.federation_id,
                park=park,
                enterprise=e.enterprise,
                specialty=e.specialty,
                description=description,
                channel=e.channel,
                status=CLOSURE_STATUS[e.closure],
                closure=e.closure,
                closure_note=note,
                raised_by=actor,
                created_at=e.raised_at,
                responded_at=e.raised_at,
                finished_at=e.finished_at,
                minutes=clean_minutes(e.minutes, field=field),
            )
        )
        details.append(e)
    Case.objects.bulk_create(cases)
    Party.objects.bulk_create(
        Party(
            case=c,
            side=Party.Side.CLIENT,
            kind=Party.Kind.COMPANY,
            name=e.enterprise.name,
            uscc=e.enterprise.uscc,
        )
        for c, e in zip(cases, details, strict=True)
    )
    Assignment.objects.bulk_create(
        Assignment(case=c, volunteer=e.volunteer, assigned_at=e.raised_at, assigned_by=actor)
        for c, e in zip(cases, details, strict=True)
    )
    tally.tallies_recount(keys=tally.keys_of(cases))
    audit.log_many(
        [
            audit.record(
                actor=actor,
                action="desk.case.record_finished",
                obj=c,
                after={
                    **audit.snapshot(c, ["park_id", "specialty", "status", "closure", "minutes"]),
                    "volunteer_id": e.volunteer.pk,
                },
                federation_id=c.federation_id,
            )
            for c, e in zip(cases, details, strict=True)
        ]
    )
    return cases
