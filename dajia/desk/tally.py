"""The desk's monthly tallies (:class:`~dajia.desk.models.Tally`): the outcome ledger's figures of a year of
cases, read from a few hundred rows instead of counted again over every case on each visit (at 100,000 cases
the ledger's case figures cost 60 ms of SQL a page; the tallies a few).

A tally is a count *of the records*, never an increment: :func:`tallies_recount` counts a month of a
federation's finished cases again and replaces that month's rows, so a tally is always what a recount from the
cases gives (the property test in ``tests/test_tally.py`` holds them to it). It is called where the counted
facts change, in the same transaction:

- a case is finished (``case_finish``) or recorded finished (``cases_record_finished``): its month;
- a volunteer's firm changes (the back office): every month of the volunteer's finished cases.

Nothing else changes them: a finished case is never reopened, its assignments, park and service time are fixed
once it is finished, and cases are not deleted. A case belongs to the month of its finish in Asia/Shanghai,
read as the ledger reads its months (``dajia/core/months.py``).

The counting takes the models as arguments so that the migration that creates the table fills it with the same
code, on its historical models.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, F, Q, Sum

from dajia.core.months import MonthIndex, Period, covering, month_of, month_period
from dajia.desk.models import Case, Tally
from dajia.orgs.models import Federation

Key = tuple[int, datetime.date]  # (federation id, the month's first day)
SOLVED = "solved"  # Case.Closure.SOLVED, spelt out for the historical models of the migration


def keys_of(cases: Iterable) -> set[Key]:
    """The (federation, month) of each finished case given."""
    return {(c.federation_id, month_of(c.finished_at)) for c in cases if c.finished_at is not None}


def volunteer_keys(volunteer) -> set[Key]:
    """Every (federation, month) in which the volunteer has a finished case."""
    rows = Case.objects.filter(assignments__volunteer=volunteer, finished_at__isnull=False)
    return {(f, month_of(at)) for f, at in rows.values_list("federation_id", "finished_at").order_by()}


def _per_month(cases, group: dict, period: Period, *, distinct: bool = False) -> list[tuple]:
    """``(group values, month, finished, solved, minutes)`` of the cases grouped by ``group`` and by the
    month of their finish, for each month of ``period`` with a finished case: one query of one pass."""
    months = period.months()
    rows = (
        cases.values(**group, k=MonthIndex("finished_at", period))
        .annotate(
            n=Count("id", distinct=distinct),
            s=Count("id", filter=Q(closure=SOLVED), distinct=distinct),
            m=Sum("minutes"),
        )
        .order_by()
    )
    return [(r, months[r["k"]].start, r["n"], r["s"], r["m"] or 0) for r in rows if r["k"] is not None]


def count(keys: Iterable[Key], *, case_model, tally_model) -> list:
    """The tally rows of each (federation, month), counted from the cases (unsaved): three queries for each
    federation, whatever the number of its months."""
    by_federation: dict[int, set[datetime.date]] = {}
    for federation_id, month in set(keys):
        by_federation.setdefault(federation_id, set()).add(month)
    rows = []
    for federation_id, months in sorted(by_federation.items()):
        within = Q()
        for first in months:
            start, end = month_period(first).moments()
            within |= Q(finished_at__gte=start, finished_at__lt=end)
        cases = case_model.objects.filter(within, federation_id=federation_id)
        span = covering(months)
        each = {"p": F("park_id")}
        for r, month, n, solved, minutes in _per_month(cases, each, span):
            rows.append((federation_id, "case", r["p"], month, None, "", n, solved, minutes))
        per_volunteer = each | {"v": F("assignments__volunteer_id")}
        for r, month, n, solved, minutes in _per_month(cases, per_volunteer, span):
            if r["v"] is not None:  # a case closed unassigned (withdrawn, say) is nobody's
                rows.append((federation_id, "volunteer", r["p"], month, r["v"], "", n, solved, minutes))
        # A joint case of two volunteers of one firm is one case of that firm: counted distinct.
        per_firm = each | {"f": F("assignments__volunteer__firm")}
        for r, month, n, solved, _minutes in _per_month(cases, per_firm, span, distinct=True):
            if r["f"]:  # nobody's case, or a volunteer whose firm is not recorded: no team's
                rows.append((federation_id, "firm", r["p"], month, None, r["f"], n, solved, 0))
    return [
        tally_model(
            kind=kind,
            federation_id=federation_id,
            park_id=park,
            month=month,
            volunteer_id=volunteer,
            firm=firm,
            finished=n,
            solved=solved,
            minutes=minutes,
        )
        for federation_id, kind, park, month, volunteer, firm, n, solved, minutes in rows
    ]


def replace(keys: Iterable[Key], *, case_model, tally_model) -> int:
    """Delete the months' rows and write them anew from the cases; the number of rows written."""
    keys = set(keys)
    by_federation: dict[int, set[datetime.date]] = {}
    for federation_id, month in keys:
        by_federation.setdefault(federation_id, set()).add(month)
    for federation_id, months in by_federation.items():
        tally_model.objects.filter(federation_id=federation_id, month__in=months).delete()
    return len(tally_model.objects.bulk_create(count(keys, case_model=case_model, tally_model=tally_model)))


@transaction.atomic
def tallies_recount(*, keys: Iterable[Key]) -> int:
    """Count the given months of the given federations again from their cases (the rows written).

    The federations are locked first, in order, so that two cases finished at once in one federation are
    counted one after the other, each recount seeing the other's committed case (on PostgreSQL; SQLite has one
    writer). The lock is FOR NO KEY UPDATE: it does not wait for the transactions that merely insert rows
    referring to the federation (a new case, an audit entry), whose foreign keys take a KEY SHARE lock."""
    keys = set(keys)
    if not keys:
        return 0
    federations = sorted({f for f, _month in keys})
    list(
        Federation.objects.select_for_update(no_key=True)
        .filter(pk__in=federations)
        .order_by("pk")
        .values("pk")
    )
    return replace(keys, case_model=Case, tally_model=Tally)
