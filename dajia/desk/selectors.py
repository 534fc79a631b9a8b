"""Reads of the expert desk: who may see which case, the facts routing needs, the lists and the counts.

Visibility is one rule (:func:`visible_cases`): the office sees its federation's cases; a team lead their park's;
a volunteer the cases assigned to them and the open, unassigned ones of their parks and specialty; a park office
its park's; an enterprise contact only the cases its enterprise raised — never one where it is the counterparty.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from dajia.accounts.models import Role
from dajia.accounts.permissions import (
    enterprise_contact_ids,
    expert_park_ids,
    has_role,
    is_office,
    office_federation_ids,
    park_office_ids,
)
from dajia.desk.decide import CaseFacts, PastCase, Slot, VolunteerFacts
from dajia.desk.models import (
    Assignment,
    Case,
    Consultation,
    Leave,
    Party,
    RotaSlot,
    Team,
    Volunteer,
    case_number,
)
from dajia.orgs.models import Park


def volunteer_of(user) -> Volunteer | None:
    # Only an expert has a volunteer's row; asking the (once loaded) roles first spares every other user's pages
    # the query, as the menu and the workbench ask on every page.
    if not getattr(user, "is_authenticated", False) or not has_role(user, Role.EXPERT):
        return None
    cache = getattr(user, "_dajia_volunteer", False)
    if cache is False:
        cache = Volunteer.objects.filter(user=user, is_active=True).first()
        user._dajia_volunteer = cache
    return cache


def on_desk(user) -> bool:
    """Does this person have a place at the desk (office, park office, volunteer of a park, enterprise contact)?"""
    return bool(
        is_office(user) or park_office_ids(user) or expert_park_ids(user) or enterprise_contact_ids(user)
    )


def desk_parks(user):
    """The parks where this person works at the desk (park office, volunteer, or the office's federation)."""
    ids = park_office_ids(user) | expert_park_ids(user)
    q = Q(pk__in=ids)
    if is_office(user):
        q |= Q(federation_id__in=office_federation_ids(user))
    return Park.objects.filter(q)


def led_park_ids(user) -> set[int]:
    volunteer = volunteer_of(user)
    if volunteer is None:
        return set()
    return set(Team.objects.filter(lead=volunteer).values_list("park_id", flat=True))


def visible_filter(user) -> Q:
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    q = Q(pk__in=[])
    if is_office(user):
        q |= Q(federation_id__in=office_federation_ids(user))
    q |= Q(park_id__in=park_office_ids(user))
    q |= Q(kind=Case.Kind.ENTERPRISE, enterprise_id__in=enterprise_contact_ids(user))
    volunteer = volunteer_of(user)
    if volunteer is not None:
        q |= Q(park_id__in=led_park_ids(user))
        q |= Q(assignments__volunteer=volunteer)
        q |= Q(
            park_id__in=expert_park_ids(user),
            specialty=volunteer.specialty,
            status=Case.Status.NEW,
            assignments__isnull=True,
        )
    return q


def visible_cases(user, *narrowing: Q) -> QuerySet[Case]:
    """The cases ``user`` may see (their ids in a subquery: the visibility rule joins assignments). Filters
    given as ``narrowing`` apply inside that subquery too, so the database starts from them — the few open
    cases, from their index — rather than from every case the user may see (100,000 for a busy office)."""
    ids = Case.objects.filter(visible_filter(user), *narrowing).values("pk")
    return (
        Case.objects.filter(*narrowing, pk__in=ids)
        .select_related("park", "enterprise", "suggested__user")
        .prefetch_related("assignments__volunteer__user")
    )


def can_manage_case(user, case: Case) -> bool:
    """Assign, override a conflict, flag: the office and the park's team lead."""
    return (
        is_office(user) and case.federation_id in office_federation_ids(user)
    ) or case.park_id in led_park_ids(user)


def is_assigned(user, case: Case) -> bool:
    volunteer = volunteer_of(user)
    return volunteer is not None and case.assignments.filter(volunteer=volunteer).exists()


def can_take(user, case: Case) -> bool:
    volunteer = volunteer_of(user)
    return (
        volunteer is not None
        and case.is_open
        and case.park_id in expert_park_ids(user)
        and case.specialty == volunteer.specialty
    )


def case_keys(case_ids) -> dict[int, tuple[frozenset[str], frozenset[str]]]:
    """Each case's (client keys, counterparty keys), in one query."""
    sides: dict[int, dict[str, set[str]]] = defaultdict(lambda: {"client": set(), "counter": set()})
    for party in Party.objects.filter(case_id__in=case_ids):
        sides[party.case_id][party.side] |= party.keys()
    return {pk: (frozenset(s["client"]), frozenset(s["counter"])) for pk, s in sides.items()}


def case_facts(case: Case) -> CaseFacts:
    client, counter = case_keys([case.pk]).get(case.pk, (frozenset(), frozenset()))
    return CaseFacts(specialty=case.specialty, park_id=case.park_id, client_keys=client, counter_keys=counter)


def volunteer_facts(
    volunteers: list[Volunteer], *, today: datetime.date | None = None
) -> list[VolunteerFacts]:
    """Everything routing and the conflict check need about these volunteers, in a fixed number of queries."""
    from dajia.accounts.models import Role, RoleAssignment

    today = today or timezone.localdate()
    ids = [v.pk for v in volunteers]
    parks: dict[int, set[int]] = defaultdict(set)
    user_to_volunteer = {v.user_id: v.pk for v in volunteers}
    for user_id, park_id in RoleAssignment.objects.filter(
        role=Role.EXPERT, park__isnull=False, user_id__in=user_to_volunteer
    ).values_list("user_id", "park_id"):
        parks[user_to_volunteer[user_id]].add(park_id)
    slots: dict[int, list[Slot]] = defaultdict(list)
    for s in RotaSlot.objects.filter(volunteer_id__in=ids):
        slots[s.volunteer_id].append(
            Slot(
                weekday=s.weekday,
                week_of_month=s.week_of_month,
                starts=s.starts,
                ends=s.ends,
                park_id=s.park_id,
            )
        )
    leave: dict[int, list] = defaultdict(list)
    for row in Leave.objects.filter(volunteer_id__in=ids, ends__gte=today):
        leave[row.volunteer_id].append((row.starts, row.ends))
    stats = {
        row["volunteer_id"]: row
        for row in Assignment.objects.filter(volunteer_id__in=ids)
        .values("volunteer_id")
        .annotate(
            open=Count("pk", filter=Q(case__status__in=Case.OPEN)),
            last=Max("assigned_at"),
        )
    }
    worked = list(
        Assignment.objects.filter(volunteer_id__in=ids).values_list(
            "volunteer_id", "case_id", "case__status", "case__finished_at"
        )
    )
    keys = case_keys({case_id for _v, case_id, _s, _f in worked})
    past: dict[int, list[PastCase]] = defaultdict(list)
    for volunteer_id, case_id, status, finished_at in worked:
        client, counter = keys.get(case_id, (frozenset(), frozenset()))
        past[volunteer_id].append(
            PastCase(
                number=case_number(case_id),
                client_keys=client,
                counter_keys=counter,
                closed_at=None if status in Case.OPEN else finished_at,
            )
        )
    return [
        VolunteerFacts(
            id=v.pk,
            specialty=v.specialty,
            park_ids=frozenset(parks[v.pk]),
            slots=tuple(slots[v.pk]),
            leave=tuple(leave[v.pk]),
            open_cases=stats.get(v.pk, {}).get("open", 0),
            last_assigned_at=stats.get(v.pk, {}).get("last"),
            past=tuple(past[v.pk]),
        )
        for v in volunteers
    ]


def team_volunteers(case: Case) -> list[Volunteer]:
    """The active volunteers of the case's federation who serve its park."""
    from dajia.accounts.models import Role

    return list(
        Volunteer.objects.filter(
            is_active=True,
            user__roles__role=Role.EXPERT,
            user__roles__park_id=case.park_id,
        )
        .select_related("user")
        .distinct()
        .order_by("pk")
    )


def lead_queue(user) -> QuerySet[Case]:
    """Cases the team lead must look at: waiting for want of anyone on duty, or past a target."""
    return visible_cases(
        user,
        Q(park_id__in=led_park_ids(user)) | Q(federation_id__in=office_federation_ids(user)),
        Q(waiting=True) | Q(response_overdue=True) | Q(resolution_overdue=True),
        Q(status__in=Case.OPEN),
    )


def counts(cases: QuerySet[Case], consultations: QuerySet[Consultation]) -> dict[str, int]:
    """Cases and consultations counted apart; a consultation that became a case counts as the case only."""
    return {
        "cases": cases.count(),
        "open": cases.filter(status__in=Case.OPEN).count(),
        "consultations": consultations.filter(case__isnull=True).count(),
    }


def visible_consultations(user) -> QuerySet[Consultation]:
    q = Q(park_id__in=park_office_ids(user) | expert_park_ids(user))
    if is_office(user):
        q |= Q(federation_id__in=office_federation_ids(user))
    return Consultation.objects.filter(q).select_related("park")


def rota(parks) -> list[dict]:
    """Each park's team lead, duty slots and leave still to come (a fixed number of queries)."""
    from dajia.desk.models import RotaSlot

    parks = list(parks.select_related("team__lead__user"))
    slots = defaultdict(list)
    volunteer_ids = set()
    for slot in RotaSlot.objects.filter(park__in=parks).select_related("volunteer__user"):
        slots[slot.park_id].append(slot)
        volunteer_ids.add(slot.volunteer_id)
    leave = defaultdict(list)
    for row in Leave.objects.filter(volunteer_id__in=volunteer_ids, ends__gte=timezone.localdate()).order_by(
        "starts"
    ):
        leave[row.volunteer_id].append(row)
    out = []
    for park in parks:
        team = getattr(park, "team", None)
        out.append(
            {
                "park": park,
                "lead": team.lead if team else None,
                "slots": slots[park.pk],
                "leave": [
                    row for v in dict.fromkeys(s.volunteer_id for s in slots[park.pk]) for row in leave[v]
                ],
            }
        )
    return out
