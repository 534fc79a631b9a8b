"""Who should take a case: the pure rule over loaded facts, so it can be tested exhaustively without a database.

Routing suggests, among the volunteers of the case's specialty who serve its park, one on duty now and not on
leave, with the fewest open cases; ties go to whoever was assigned longest ago (never assigned comes first), then
to the lowest id. The conflict check runs first: a volunteer who advised one side of a dispute — in an open case,
or one closed within the period — may not take a case for the other side; every exclusion carries its reason.
When nobody qualifies, the case waits, flagged, for the team lead.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from dajia.core.validators import mask_id_card, mask_mobile


@dataclass(frozen=True)
class Slot:
    weekday: int  # 0 = Monday
    week_of_month: int | None  # None: every week; n: the n-th such weekday of the month
    starts: datetime.time
    ends: datetime.time
    park_id: int


@dataclass(frozen=True)
class PastCase:
    """A case the volunteer worked on: whom they advised and whom against."""

    number: str
    client_keys: frozenset[str]
    counter_keys: frozenset[str]
    closed_at: datetime.datetime | None  # None while open


@dataclass(frozen=True)
class VolunteerFacts:
    id: int
    specialty: str
    park_ids: frozenset[int]
    slots: tuple[Slot, ...] = ()
    leave: tuple[tuple[datetime.date, datetime.date], ...] = ()
    open_cases: int = 0
    last_assigned_at: datetime.datetime | None = None
    past: tuple[PastCase, ...] = ()


@dataclass(frozen=True)
class CaseFacts:
    specialty: str
    park_id: int
    client_keys: frozenset[str]
    counter_keys: frozenset[str]


@dataclass(frozen=True)
class Decision:
    suggested: int | None
    eligible: tuple[int, ...]  # in routing order
    excluded: dict[int, str] = field(default_factory=dict)  # volunteer id → why

    @property
    def waiting(self) -> bool:
        return self.suggested is None


def slot_covers(slot: Slot, moment: datetime.datetime) -> bool:
    """Does this duty slot cover ``moment`` (a local time)?"""
    if moment.weekday() != slot.weekday or not (slot.starts <= moment.time() < slot.ends):
        return False
    return slot.week_of_month is None or (moment.day - 1) // 7 + 1 == slot.week_of_month


def on_leave(leave, day: datetime.date) -> bool:
    return any(first <= day <= last for first, last in leave)


def conflict(volunteer: VolunteerFacts, case: CaseFacts, *, now: datetime.datetime, years: int) -> str | None:
    """Why this volunteer may not take the case for its client side, or None."""
    since = _years_before(now, years)
    for past in volunteer.past:
        if past.closed_at is not None and past.closed_at < since:
            continue
        if past.client_keys & case.counter_keys:
            return _("advised the other side (%(party)s) in %(case)s") % {
                "party": _describe(past.client_keys & case.counter_keys),
                "case": past.number,
            }
        if past.counter_keys & case.client_keys:
            return _("advised against this party (%(party)s) in %(case)s") % {
                "party": _describe(past.counter_keys & case.client_keys),
                "case": past.number,
            }
    return None


def decide(
    volunteers: list[VolunteerFacts], case: CaseFacts, *, now: datetime.datetime, conflict_years: int
) -> Decision:
    excluded: dict[int, str] = {}
    eligible: list[VolunteerFacts] = []
    for v in volunteers:
        if v.specialty != case.specialty or case.park_id not in v.park_ids:
            continue  # not of this case's team: not listed at all
        why = conflict(v, case, now=now, years=conflict_years)
        if why is None and on_leave(v.leave, now.date()):
            why = _("on leave")
        if why is None and not any(s.park_id == case.park_id and slot_covers(s, now) for s in v.slots):
            why = _("not on duty now")
        if why is None:
            eligible.append(v)
        else:
            excluded[v.id] = why
    eligible.sort(key=routing_key)
    order = tuple(v.id for v in eligible)
    return Decision(suggested=order[0] if order else None, eligible=order, excluded=excluded)


_NEVER = datetime.datetime.min.replace(tzinfo=datetime.UTC)


def routing_key(v: VolunteerFacts):
    return (v.open_cases, v.last_assigned_at or _NEVER, v.id)


def _years_before(moment: datetime.datetime, years: int) -> datetime.datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)


def _describe(keys: frozenset[str]) -> str:
    shown = []
    for key in sorted(keys):
        kind, _sep, value = key.partition(":")
        shown.append(
            mask_mobile(value) if kind == "mobile" else mask_id_card(value) if kind == "id" else value
        )
    return "、".join(shown)
