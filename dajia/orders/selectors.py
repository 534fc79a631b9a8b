"""Reads shared by the order pages, the track-record partial, the API and the exports.

A provider's or project's **track record** is always computed from the records — confirmed orders, their delivery
records, sign-ins and ratings — never typed in:

* ``delivered`` — sessions the ordering union's chair confirmed;
* ``on_time`` — of those, sessions whose recorded start is no later than the ordered start plus
  ``ON_TIME_GRACE`` (10 minutes);
* ``attendance`` / ``capacity`` — sign-ins (one per server-issued phone cookie) against the agreed attendees per
  session, summed; only sign-ins within the session's capacity count (seats 1…capacity — the service refuses
  the rest, and sign-ins recorded before it did are not counted);
* ``ratings``, ``average_rating`` — the chair's rating and the ratings of those counted sign-ins (1–5);
* ``complaints`` — ratings of 2 stars or fewer, or flagged as a complaint.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, QuerySet, Sum

from dajia.accounts.permissions import office_federation_ids
from dajia.orders.models import Order, Rating
from dajia.orgs.models import Union

ON_TIME_GRACE = datetime.timedelta(minutes=10)

# The sign-ins, and the ratings, that count: a real person in one of the session's places (or the chair).
COUNTED_SIGNIN = Q(attendances__seat__lte=F("agreement__capacity"))
COUNTED_RATING = Q(role=Rating.Role.CHAIR) | Q(attendance__seat__lte=F("order__agreement__capacity"))


def _ratio(num: int, den: int, places: str = "0.1", scale: int = 100) -> Decimal | None:
    if not den:
        return None
    return (Decimal(num) * scale / Decimal(den)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


@dataclass
class TrackRecord:
    delivered: int = 0
    on_time: int = 0
    capacity: int = 0
    attendance: int = 0
    ratings: int = 0
    stars: int = 0
    complaints: int = 0

    @property
    def on_time_rate(self) -> Decimal | None:
        """Per cent, one decimal."""
        return _ratio(self.on_time, self.delivered)

    @property
    def attendance_rate(self) -> Decimal | None:
        """Sign-ins against capacity, per cent, one decimal."""
        return _ratio(self.attendance, self.capacity)

    @property
    def average_rating(self) -> Decimal | None:
        return _ratio(self.stars, self.ratings, "0.01", 1)

    @property
    def empty(self) -> bool:
        return self.delivered == 0


def track_record(
    *, project_ids: Iterable[int] | None = None, provider_ids: Iterable[int] | None = None
) -> dict[int, TrackRecord]:
    """Track records keyed by project id (``project_ids``) or by provider id (``provider_ids``); every id asked
    for has an entry (empty when nothing was delivered). Two queries whatever the number of ids or orders."""
    if (project_ids is None) == (provider_ids is None):
        raise TypeError("give exactly one of project_ids or provider_ids")
    key = "project_id" if project_ids is not None else "project__provider_id"
    ids = list(project_ids if project_ids is not None else provider_ids)
    records = {i: TrackRecord() for i in ids}
    if not ids:
        return records
    orders = (
        Order.objects.filter(state=Order.State.CONFIRMED, **{f"{key}__in": ids})
        .annotate(n_signins=Count("attendances", filter=COUNTED_SIGNIN))
        .values_list(key, "starts_at", "delivery__started_at", "agreement__capacity", "n_signins")
    )
    for k, starts_at, started_at, capacity, signins in orders:
        r = records[k]
        r.delivered += 1
        if started_at is not None and started_at <= starts_at + ON_TIME_GRACE:
            r.on_time += 1
        r.capacity += capacity
        r.attendance += signins
    ratings = (
        Rating.objects.filter(
            COUNTED_RATING, order__state=Order.State.CONFIRMED, **{f"order__{key}__in": ids}
        )
        .values(f"order__{key}")
        .annotate(
            n=Count("id"),
            total=Sum("stars"),
            complaints=Count("id", filter=Q(stars__lte=2) | Q(complaint=True)),
        )
    )
    for row in ratings:
        r = records[row[f"order__{key}"]]
        r.ratings, r.stars, r.complaints = row["n"], row["total"] or 0, row["complaints"]
    return records


def attach_track_records(projects: Iterable) -> list:
    """Set ``project.track_record`` on each project (two queries for all of them) — for list pages such as a
    session's invitation page, before rendering ``{% track_record_for_project project %}`` for each."""
    projects = list(projects)
    records = track_record(project_ids=[p.pk for p in projects])
    for p in projects:
        p.track_record = records[p.pk]
    return projects


def order_list(qs: QuerySet) -> QuerySet:
    """Orders for list pages: the project, provider, union and agreement joined, sign-ins and ratings counted."""
    return qs.for_list().annotate(
        n_signins=Count("attendances", distinct=True), n_ratings=Count("ratings", distinct=True)
    )


def office_orders(user) -> QuerySet:
    """The orders of the unions of the person's office federations (the overview, the office's workbench).
    The unions' ids are read first: with a join to the union table SQLite's planner walks every order of every
    union (seconds with a million orders) instead of the (state, starts_at, id) index."""
    unions = Union.objects.filter(federation_id__in=office_federation_ids(user)).values_list("pk", flat=True)
    return Order.objects.filter(union_id__in=list(unions))


OVERVIEW_LIMIT = 10  # orders listed per state on the overview; the rest are on the orders page, by state
COUNT_CAP = 1000  # the overview counts a state's orders up to this; beyond it shows "1000+"


def first_of_state(qs: QuerySet, state: str, limit: int) -> QuerySet:
    """The ids of the first ``limit`` orders in ``state`` by start time, read in order from the
    ``order_state_start`` index."""
    return qs.filter(state=state).order_by("starts_at", "id").values_list("pk", flat=True)[:limit]


def orders_by_state(qs: QuerySet, limit: int = OVERVIEW_LIMIT) -> list[tuple[str, str, list[dict]]]:
    """(state, label, rows) for each state in workflow order — the office's delivery overview: the first
    ``limit`` orders of each state by start time, each a row of what the overview prints (pk, number,
    starts_at, project, provider, union, agreement, sign-ins, ratings). The queries do not grow with the number
    of orders: per state the ids come from the (state, starts_at) index, then one query reads those rows only,
    as plain values (90 orders as model instances with their projects, providers, unions and agreements cost
    6 ms more)."""
    ids = {s: list(first_of_state(qs, s, limit)) for s in Order.State.values}
    wanted = [pk for chunk in ids.values() for pk in chunk]
    listed = order_list(Order.objects.filter(pk__in=wanted))  # the lists' sign-in and rating counts
    rows = {
        row["pk"]: row
        for row in listed.values(
            "pk",
            "number",
            "starts_at",
            "n_signins",
            "n_ratings",
            project_title=F("project__title"),
            provider_name=F("project__provider__name"),
            union_name=F("union__name"),
            agreement_number=F("agreement__number"),
        )
    }
    return [(s, str(label), [rows[pk] for pk in ids[s] if pk in rows]) for s, label in Order.State.choices]


def state_counts(qs: QuerySet, cap: int | None = None) -> dict[str, int]:
    """Orders per state. With ``cap``, each state is counted up to ``cap + 1`` only (one bounded index scan per
    state, so a federation with a million confirmed orders costs what one with a thousand does): a count above
    ``cap`` means "more than cap"."""
    if cap is None:
        return dict(qs.values_list("state").annotate(n=Count("id")).order_by())
    return {s: qs.filter(state=s).order_by()[: cap + 1].count() for s in Order.State.values}
