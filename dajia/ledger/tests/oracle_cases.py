"""The ledger's case figures as they were counted before the desk kept monthly tallies: straight over the case
rows (``problems_solved`` and the cases' part of ``service_minutes`` at 80d1e0b). Kept here as the oracle the
tallies are held to (``test_tallies_against_the_cases.py``)."""

from __future__ import annotations

from django.db.models import Count, F, Sum

from dajia.core.months import Period
from dajia.desk.models import Case
from dajia.ledger.selectors import MonthOf, Scope, _rows, _scoped


def problems_solved(scope: Scope, period: Period, by: str | None) -> list[tuple[object, object]]:
    start, end = period.moments()
    qs = _scoped(
        Case.objects.filter(closure=Case.Closure.SOLVED, finished_at__gte=start, finished_at__lt=end),
        scope,
        federation="federation_id",
        park="park_id",
        volunteer="assignments__volunteer_id",
    )
    keys = {
        "park": "park_id",
        "team": "assignments__volunteer__firm",
        "volunteer": "assignments__volunteer_id",
        "month": MonthOf("finished_at", period),
    }
    return _rows(qs, Count("id", distinct=by == "team"), by, keys)


def case_minutes(scope: Scope, period: Period) -> dict[int, int]:
    start, end = period.moments()
    cases = _scoped(
        Case.objects.filter(finished_at__gte=start, finished_at__lt=end),
        scope,
        federation="federation_id",
        park="park_id",
        volunteer="assignments__volunteer_id",
    )
    minutes = {}
    for row in cases.values(v=F("assignments__volunteer_id")).annotate(m=Sum("minutes")).order_by():
        if row["v"] is not None:
            minutes[row["v"]] = row["m"] or 0
    return minutes
