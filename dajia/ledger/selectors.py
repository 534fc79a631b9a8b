"""The outcome ledger's figures: each defined ONCE, as one query over the records (the desk's cases through
their monthly tallies, ``dajia/desk/tally.py``, which count them), with its definition in the function's
docstring and, in the reader's language, in :data:`FIGURES` (the page, the xlsx and the API show it).

A figure is a function ``(scope, period, by) -> [(key, value)]``: with ``by=None`` one row, the total; with ``by``
one of :data:`BREAKDOWNS` one row per park, team (the volunteers' firm: 浙江中义律师事务所, 武义农商银行 …),
volunteer or month; with a tuple of breakdowns one row per combination. Every breakdown is the same query
grouped, so its rows are the records the total counts — which lets :func:`ledger` read an ``additive``
figure's total, park and month rows from one query grouped by park and month (a page's queries are most of its
time). To add a figure: write its function here and add one :class:`Figure` to :data:`FIGURES` — the page, the xlsx,
the API and their tests read that list.

The ledger shows no personal data: parks, firms, the volunteers' own names (they are credited for their work)
and numbers — never a party's name, a mobile or an ID number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dajia.accounts.models import person_name
from dajia.accounts.permissions import is_office, office_federation_ids, park_office_ids
from dajia.checkups.models import HealthCheck
from dajia.core.months import MonthIndex, Period
from dajia.desk.models import Consultation, Specialty, Tally, Volunteer
from dajia.desk.selectors import volunteer_of
from dajia.finance.models import FinancingNeed
from dajia.lectures.models import Lecture
from dajia.orgs.models import Park

BREAKDOWNS = ("park", "team", "volunteer", "month")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Scope:
    """Whose records a reader sees: a federation's (office), parks' (park office) or one volunteer's own."""

    federation_ids: frozenset[int] | None = None
    park_ids: frozenset[int] | None = None
    volunteer_id: int | None = None


def reader_scope(user) -> Scope | None:
    """The office sees its federations, a park office its parks, a volunteer its own rows; anyone else None."""
    if is_office(user):
        return Scope(federation_ids=frozenset(office_federation_ids(user)))
    if park_office_ids(user):
        return Scope(park_ids=frozenset(park_office_ids(user)))
    volunteer = volunteer_of(user)
    if volunteer is not None:
        return Scope(volunteer_id=volunteer.pk)
    return None


def _scoped(qs: QuerySet, scope: Scope, *, federation: str, park: str, volunteer: str) -> QuerySet:
    where = Q()
    if scope.federation_ids is not None:
        where &= Q(**{f"{federation}__in": scope.federation_ids})
    if scope.park_ids is not None:
        where &= Q(**{f"{park}__in": scope.park_ids})
    if scope.volunteer_id is not None:
        where &= Q(**{volunteer: scope.volunteer_id})
    return qs.filter(where)


@dataclass(frozen=True)
class MonthOf:
    """The month breakdown's key: the record's own date field, read in the period's months."""

    field: str
    period: Period


def _grouped(
    qs: QuerySet, values: dict, by: str | tuple[str, ...] | None, keys: dict[str, object]
) -> list[tuple[object, dict]]:
    """The one query of figures counted over the same records: ``values`` (name: aggregate) over ``qs``, in
    total, grouped by ``keys[by]``, or by several breakdowns at once (``by`` a tuple; each row's key a tuple).
    A month is the month of the period a record's date falls in (:class:`~dajia.core.months.MonthIndex`);
    months without a record are left out, as a grouped query leaves them out."""
    if by is None:
        return [(None, qs.aggregate(**values))]
    names = (by,) if isinstance(by, str) else by
    group: dict[str, object] = {}
    months: dict[str, list] = {}
    for i, name in enumerate(names):
        key = keys[name]
        if isinstance(key, MonthOf):
            group[f"k{i}"] = MonthIndex(key.field, key.period)
            months[f"k{i}"] = key.period.months()
        else:
            group[f"k{i}"] = F(key) if isinstance(key, str) else key
    out = []
    for r in qs.values(**group).annotate(**values).order_by(*group):
        found = tuple(r.pop(k) for k in group)
        if months:
            # A month row without a record (every value empty) is left out; so is a date outside the months.
            if not any(r[v] for v in values) or any(
                found[i] is None for i, k in enumerate(group) if k in months
            ):
                continue
            found = tuple(
                months[k][index].start if k in months else index
                for k, index in zip(group, found, strict=True)
            )
        out.append((found[0] if isinstance(by, str) else found, r))
    return out


def _rows(
    qs: QuerySet, value, by: str | tuple[str, ...] | None, keys: dict[str, object]
) -> list[tuple[object, object]]:
    """The one query of a figure: ``value`` over ``qs``, in total or grouped by ``keys[by]``."""
    return [(k, found["v"]) for k, found in _grouped(qs, {"v": value}, by, keys)]


def _tallies(scope: Scope, period: Period, kind: str) -> QuerySet:
    """The desk's monthly tallies of the period (``dajia/desk/tally.py``): a volunteer's own scope reads their
    own rows whatever the breakdown."""
    if scope.volunteer_id is not None:
        kind = Tally.Kind.VOLUNTEER
    return _scoped(
        Tally.objects.filter(kind=kind, month__gte=period.start, month__lt=period.end),
        scope,
        federation="federation_id",
        park="park_id",
        volunteer="volunteer_id",
    )


def problems_solved(scope: Scope, period: Period, by: str | None) -> list[tuple[object, object]]:
    """Desk cases closed with the closure code 问题解决 ("solved"), finished within the period. Health-check
    follow-ups are desk cases, so they count here by themselves. Per volunteer: the cases they were assigned
    (a joint case counts for each of its volunteers, once in the total); per team: once for each firm among
    a case's volunteers. Read from the desk's monthly tallies, which count exactly these cases."""
    kind = {"team": Tally.Kind.FIRM, "volunteer": Tally.Kind.VOLUNTEER}.get(by, Tally.Kind.CASE)
    qs = _tallies(scope, period, kind).filter(solved__gt=0)
    return _rows(qs, SOLVED, by, _tally_keys(scope))


SOLVED = Coalesce(Sum("solved"), 0)


def _tally_keys(scope: Scope) -> dict[str, object]:
    # A firm's row names it; a volunteer's own scope reads their rows, whose firm is the volunteer's.
    team = "volunteer__firm" if scope.volunteer_id is not None else "firm"
    return {"park": "park_id", "team": team, "volunteer": "volunteer_id", "month": "month"}


LEGAL = Q(specialty=Specialty.LAWYER)  # the consultations the ledger counts: the lawyers'


def _consultations(scope: Scope, period: Period) -> QuerySet:
    """Desk consultations logged within the period, of every specialty."""
    start, end = period.moments()
    return _scoped(
        Consultation.objects.filter(created_at__gte=start, created_at__lt=end),
        scope,
        federation="federation_id",
        park="park_id",
        volunteer="logged_by__volunteer__id",
    )


CONSULTATION_KEYS = {
    "park": "park_id",
    "team": "logged_by__volunteer__firm",
    "volunteer": "logged_by__volunteer__id",
}


def legal_consultations(scope: Scope, period: Period, by: str | None) -> list[tuple[object, object]]:
    """Desk consultations in the legal specialty (lawyers), online and offline, logged within the period. A
    consultation that became a case is still one consultation, and its case is not counted as another.
    Per volunteer: the one who logged it."""
    keys = {**CONSULTATION_KEYS, "month": MonthOf("created_at", period)}
    return _rows(_consultations(scope, period).filter(LEGAL), Count("id"), by, keys)


def _delivered(scope: Scope, period: Period) -> QuerySet:
    start, end = period.moments()
    return _scoped(
        Lecture.objects.filter(
            status=Lecture.Status.DELIVERED, delivered_at__gte=start, delivered_at__lt=end
        ),
        scope,
        federation="federation_id",
        park="park_id",
        volunteer="speaker_id",
    )


LECTURE_KEYS = {"park": "park_id", "team": "speaker__firm", "volunteer": "speaker_id"}


def lectures_delivered(scope: Scope, period: Period, by: str | None) -> list[tuple[object, object]]:
    """Lectures on request (菜单式普法讲座) delivered within the period (``delivered_at``), whatever their
    attendance. Per volunteer: the speaker."""
    keys = {**LECTURE_KEYS, "month": MonthOf("delivered_at", period)}
    return _rows(_delivered(scope, period), Count("id"), by, keys)


def health_checks(scope: Scope, period: Period, by: str | None) -> list[tuple[object, object]]:
    """Distinct enterprises with a completed legal health check (法治体检): one whose report was issued
    (``reported_at``) within the period. An enterprise checked twice counts once. Per volunteer: the reviewer."""
    start, end = period.moments()
    qs = _scoped(
        HealthCheck.objects.filter(reported_at__gte=start, reported_at__lt=end),
        scope,
        federation="federation_id",
        park="park_id",
        volunteer="reviewer_id",
    )
    keys = {
        "park": "park_id",
        "team": "reviewer__firm",
        "volunteer": "reviewer_id",
        "month": MonthOf("reported_at", period),
    }
    return _rows(qs, Count("enterprise_id", distinct=True), by, keys)


def _loans(scope: Scope, period: Period) -> QuerySet:
    """The financing needs with the outcome "loan granted" decided within the period (``decided_on``)."""
    return _scoped(
        FinancingNeed.objects.filter(
            status=FinancingNeed.Status.GRANTED, decided_on__gte=period.start, decided_on__lt=period.end
        ),
        scope,
        federation="file__federation_id",
        park="file__park_id",
        volunteer="volunteer_id",
    )


def loans(scope: Scope, period: Period, by: str | None) -> list[tuple[object, dict]]:
    """The two figures of the loans granted, counted by one query over the same financing needs."""
    keys = {
        "park": "file__park_id",
        "team": "volunteer__firm",
        "volunteer": "volunteer_id",
        "month": MonthOf("decided_on", period),
    }
    values = {
        # Distinct enterprises with at least one loan granted (a financing need of their finance file).
        "enterprises_with_loans": Count("file__enterprise_id", distinct=True),
        # The sum of the loans granted (yuan).
        "loans_granted": Sum("loan_amount"),
    }
    rows = _grouped(_loans(scope, period), values, by, keys)
    for _key, found in rows:
        found["enterprises_with_loans"] = found["enterprises_with_loans"] or 0
        found["loans_granted"] = Decimal(found["loans_granted"] or 0).quantize(CENT)
    return rows


def _one_of(together, key: str) -> Callable[[Scope, Period, str | None], list[tuple[object, object]]]:
    def rows(scope: Scope, period: Period, by: str | None) -> list[tuple[object, object]]:
        return [(k, found[key]) for k, found in together(scope, period, by)]

    return rows


enterprises_with_loans = _one_of(loans, "enterprises_with_loans")
loans_granted = _one_of(loans, "loans_granted")


@dataclass(frozen=True)
class Figure:
    key: str
    label: Promise
    definition: Promise
    rows: Callable[[Scope, Period, str | None], list[tuple[object, object]]]
    money: bool = False
    # Figures counted over the same records by one query (the loans' two): ledger() runs it once a breakdown.
    together: Callable[[Scope, Period, str | None], list[tuple[object, dict]]] | None = None
    # A count or a sum of records that each fall in one park and one month (not a count of distinct
    # enterprises): its total and its park and month rows are the sums of one query grouped by both (FOLDED).
    additive: bool = False


FOLDED = ("park", "month")


FIGURES: list[Figure] = [
    Figure(
        "problems_solved",
        _("Problems solved"),
        _(
            "Desk cases closed with the closure code “problem solved” in the period, health-check follow-ups "
            "included (they are desk cases)."
        ),
        problems_solved,
        additive=True,
    ),
    Figure(
        "legal_consultations",
        _("Legal consultations"),
        _(
            "Consultations in the legal specialty, online and offline, logged in the period; one that became a "
            "case is counted once."
        ),
        legal_consultations,
        additive=True,
    ),
    Figure(
        "lectures",
        _("Lectures delivered"),
        _("Lectures on request delivered in the period, whatever their attendance."),
        lectures_delivered,
        additive=True,
    ),
    Figure(
        "health_checks",
        _("Enterprises checked"),
        _("Distinct enterprises whose legal health check report was issued in the period."),
        health_checks,
    ),
    Figure(
        "enterprises_with_loans",
        _("Enterprises with loans"),
        _("Distinct enterprises with at least one loan granted in the period."),
        enterprises_with_loans,
        together=loans,
    ),
    Figure(
        "loans_granted",
        _("Loans granted"),
        _("The sum of the loans granted in the period (yuan)."),
        loans_granted,
        money=True,
        together=loans,
    ),
]


def _credited(scope: Scope, period: Period) -> tuple[dict[str, list[tuple[object, object]]], dict[int, int]]:
    """The additive figures' rows per volunteer, and each volunteer's service time: the minutes of the cases
    they were assigned, finished in the period, of the consultations they logged in it and of the lectures
    they gave. Three queries — the volunteers' tallies, the period's consultations, the lectures delivered —
    each counting a figure and its part of the service time over the same records (the page's queries are
    most of its time); a figure's row of 0 is left out, as its own query leaves it out."""
    minutes: dict[int, int] = {}
    figures: dict[str, list[tuple[object, object]]] = {}
    reads = [
        (
            "problems_solved",
            _tallies(scope, period, Tally.Kind.VOLUNTEER),
            SOLVED,
            Sum("minutes"),
            _tally_keys(scope),
        ),
        (
            "legal_consultations",
            _consultations(scope, period),
            Count("id", filter=LEGAL),
            Sum("minutes"),
            CONSULTATION_KEYS,
        ),
        # A lecture's speaker is credited the topic's length.
        ("lectures", _delivered(scope, period), Count("id"), Sum("topic__minutes"), LECTURE_KEYS),
    ]
    for key, records, value, spent, keys in reads:
        rows = _grouped(records, {"v": value, "m": spent}, "volunteer", keys)
        figures[key] = [(volunteer, found["v"]) for volunteer, found in rows if found["v"]]
        for volunteer, found in rows:
            if volunteer is not None:  # a consultation logged by someone who is no volunteer
                minutes[volunteer] = minutes.get(volunteer, 0) + (found["m"] or 0)
    return figures, minutes


def service_minutes(scope: Scope, period: Period) -> dict[int, int]:
    """Each volunteer's service time in the period (:func:`_credited`: three queries)."""
    return _credited(scope, period)[1]


@dataclass
class Row:
    key: object
    label: str
    values: dict[str, object] = field(default_factory=dict)
    minutes: int | None = None


@dataclass
class Ledger:
    period: Period
    totals: dict[str, object]
    breakdowns: dict[str, list[Row]]


def _labels(by: str, keys: set) -> dict[object, str]:
    if by == "park":
        return {p.pk: p.name for p in Park.objects.filter(pk__in=keys)}
    if by == "volunteer":
        # Plain values: a province's hundreds of volunteers as model instances cost more than the figures.
        people = Volunteer.objects.filter(pk__in=keys).values_list(
            "pk", "firm", "user__last_name", "user__first_name", "user__username"
        )
        return {
            pk: f"{person_name(last_name=last, first_name=first, username=username)}（{firm}）"
            for pk, firm, last, first, username in people
        }
    if by == "month":
        return {k: f"{k:%Y-%m}" for k in keys if k is not None}
    return {k: str(k) for k in keys if k is not None}


def _fold(rows: list[tuple[tuple, object]]) -> dict[str | None, list[tuple[object, object]]]:
    """An additive figure's rows grouped by (park, month), summed into its total, park and month rows."""
    parks: dict[object, object] = {}
    months: dict[object, object] = {}
    for (park, month), value in rows:
        parks[park] = parks.get(park, 0) + value
        months[month] = months.get(month, 0) + value
    return {None: [(None, sum(parks.values()))], "park": list(parks.items()), "month": list(months.items())}


def _figure_rows(
    scope: Scope, period: Period, credited: dict[str, list[tuple[object, object]]] | None = None
) -> dict[str | None, dict[str, list[tuple[object, object]]]]:
    """Each figure's rows of the totals (``None``) and of each breakdown: one query per figure, or per figures
    counted ``together``, and breakdown — but one for an ``additive`` figure's total, park and month rows,
    and none for its volunteers' rows when ``credited`` (:func:`_credited`) has them."""
    found: dict[str | None, dict[str, list]] = {by: {} for by in (None, *BREAKDOWNS)}
    ran: dict[tuple, list[tuple[object, dict]]] = {}
    for f in FIGURES:
        own = list(BREAKDOWNS)
        if f.additive:
            for by, rows in _fold(f.rows(scope, period, FOLDED)).items():
                found[by][f.key] = rows
            own = [by for by in own if by not in FOLDED]
            if credited is not None and f.key in credited:
                found["volunteer"][f.key] = credited[f.key]
                own.remove("volunteer")
        else:
            own.insert(0, None)
        for by in own:
            if f.together is None:
                found[by][f.key] = f.rows(scope, period, by)
                continue
            if (f.together, by) not in ran:
                ran[(f.together, by)] = f.together(scope, period, by)
            found[by][f.key] = [(k, values[f.key]) for k, values in ran[(f.together, by)]]
    return found


def ledger(scope: Scope, period: Period) -> Ledger:
    """Every figure in total and per breakdown (:func:`_figure_rows`), the labels (one query per list) and the
    volunteers' service time (read with the additive figures' volunteers' rows, :func:`_credited`)."""
    credited, minutes = _credited(scope, period)
    found = _figure_rows(scope, period, credited)
    totals = {key: rows[0][1] or 0 for key, rows in found[None].items()}
    breakdowns: dict[str, list[Row]] = {}
    for by in BREAKDOWNS:
        rows: dict[object, Row] = {}
        for figure, figure_rows in found[by].items():
            for key, value in figure_rows:
                rows.setdefault(key, Row(key=key, label="")).values[figure] = value
        labels = _labels(by, {k for k in rows if k is not None})
        for key, row in rows.items():
            row.label = labels.get(key, "—")
        ordered = sorted(rows.values(), key=lambda r: (r.key is None, r.label if by != "month" else r.key))
        breakdowns[by] = ordered
    for row in breakdowns["volunteer"]:
        row.minutes = minutes.get(row.key, 0) if row.key is not None else None
    return Ledger(period=period, totals=totals, breakdowns=breakdowns)


@dataclass(frozen=True)
class CertificateFacts:
    name: str
    firm: str
    specialty: str
    federation: str
    period: Period
    minutes: int
    cases_finished: int
    problems_solved: int
    consultations: int
    loans: int
    loan_enterprises: int
    loan_total: Decimal


def certificate_facts(volunteer: Volunteer, period: Period) -> CertificateFacts:
    """A volunteer's own rows of the ledger for the period, with their service time and their cases finished
    (any closure) beside the problems solved."""
    scope = Scope(volunteer_id=volunteer.pk)
    start, end = period.moments()
    finished = _tallies(scope, period, Tally.Kind.VOLUNTEER).aggregate(
        n=Sum("finished"), solved=Sum("solved")
    )
    talks = Consultation.objects.filter(
        logged_by__volunteer=volunteer, created_at__gte=start, created_at__lt=end
    ).count()
    loans = _loans(scope, period).aggregate(
        n=Count("id"), e=Count("file__enterprise_id", distinct=True), total=Sum("loan_amount")
    )
    return CertificateFacts(
        name=volunteer.user.display_name,
        firm=volunteer.firm,
        specialty=str(volunteer.get_specialty_display()),
        federation=volunteer.federation.name,
        period=period,
        minutes=service_minutes(scope, period).get(volunteer.pk, 0),
        cases_finished=finished["n"] or 0,
        problems_solved=finished["solved"] or 0,
        consultations=talks,
        loans=loans["n"],
        loan_enterprises=loans["e"],
        loan_total=Decimal(loans["total"] or 0).quantize(CENT),
    )
