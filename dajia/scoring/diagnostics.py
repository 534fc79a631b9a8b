"""Rater diagnostics, shown beside a result and never silently applied.

They answer the questions a panel's chair is asked after a session: did an evaluator score everyone high or
low (bias), erratically (spread), or one project very differently from the rest of the panel (outlier sheets)?
Did the panel agree on the order (Kendall's W)? Would the selection have been different without any one
evaluator (leave-one-out)? None of this changes a score: the published result is always the rule-based tally.

Choices made here (documented because an office will ask):

* **Bias** of an evaluator: the mean, over their counted sheets, of (their total − the project's pooled mean
  total), the pooled mean being the plain mean of *all* counted totals for that project (all groups, no
  trimming). **Spread**: the *population* standard deviation of those same deviations (divide by n, not
  by n − 1): it describes this evaluator in this session rather than estimating a wider population; one sheet
  gives a spread of 0.
* **Outlier sheets**: |total − project median total| > 3 × 1.4826 × MAD, MAD being the median absolute
  deviation of that project's totals (1.4826 × MAD estimates the standard deviation for normal data). Computed
  exactly. When more than half the panel gave the same total the MAD is 0 and, applying the rule literally,
  every sheet whose total differs from the median at all is flagged — with so unanimous a panel, any departure
  is worth a look.
* **Kendall's W** (with the tie correction) over the evaluators who have a counted sheet for *every* ranked
  project; evaluators with a conflict of interest or an incomplete sheet are left out (``excluded`` says how
  many). It is computed for the whole panel, for each group, and between groups, where each group's mean
  ranking acts as one rater. W is ``None`` when it is undefined: fewer than 2 raters or 2 projects, or every
  rater tied everything.
* **Leave-one-out**: for each evaluator, the result is recomputed without their sheets — incrementally: only
  that evaluator's pools change and each is updated in O(log n) — and the selection is rerun with the same
  budget, minimum, amounts and tie-break; evaluators whose removal changes the selected set are listed.

Floats are used for bias, spread and W (they are indicators, not money); sums use ``math.fsum`` and every
input is visited in a fixed order, so the figures do not depend on the order of the sheets.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from dajia.scoring.engine import (
    DEFAULT_MINIMUM,
    TallyResult,
    TieBreak,
    _combine,
    _consideration_order,
    _hundredths,
    _minimum_hundredths,
    _money,
    _pool_ratio,
    _pool_ratio_without,
    _run_selection,
    _tie_positions,
)

__all__ = [
    "Concordance",
    "Diagnostics",
    "EvaluatorBias",
    "Influence",
    "OutlierSheet",
    "diagnose",
]

_MAD_SCALE = 14826  # 1.4826 in ten-thousandths
_OUTLIER_MADS = 3


@dataclass(frozen=True)
class EvaluatorBias:
    """An evaluator's mean deviation from each project's pooled mean total (``bias``, points) and the
    population standard deviation of those deviations (``spread``)."""

    evaluator: str
    group: str
    sheets: int
    bias: float
    spread: float


@dataclass(frozen=True)
class OutlierSheet:
    """A counted sheet whose total is more than ``threshold`` (3 scaled MADs) from the project's median."""

    evaluator: str
    group: str
    project: str
    total: Decimal
    median: Decimal
    deviation: Decimal
    threshold: Decimal
    line: int | None


@dataclass(frozen=True)
class Concordance:
    """Kendall's W with tie correction; ``raters`` scored every project, ``excluded`` did not."""

    w: float | None
    raters: int
    projects: int
    excluded: int


@dataclass(frozen=True)
class Influence:
    """An evaluator without whose sheets the selected set would differ (``dropped`` / ``added`` projects)."""

    evaluator: str
    group: str
    dropped: tuple[str, ...]
    added: tuple[str, ...]


@dataclass(frozen=True)
class Diagnostics:
    """What :func:`diagnose` reports; ``influential`` is ``None`` unless budget and amounts were given."""

    evaluators: tuple[EvaluatorBias, ...]
    outliers: tuple[OutlierSheet, ...]
    concordance: Concordance
    concordance_by_group: dict[str, Concordance]
    concordance_between_groups: Concordance | None
    influential: tuple[Influence, ...] | None


def _median_twice(values: Sequence[int]) -> int:
    """Twice the median of sorted integers (an integer, so the median stays exact)."""
    n = len(values)
    mid = n // 2
    return 2 * values[mid] if n % 2 else values[mid - 1] + values[mid]


def _bias(rows: Sequence[tuple[str, str, str, int, int | None]]) -> tuple[EvaluatorBias, ...]:
    sums: dict[str, int] = {}
    counts: dict[str, int] = {}
    for _, _, project, total, _ in rows:
        sums[project] = sums.get(project, 0) + total
        counts[project] = counts.get(project, 0) + 1
    deviations: dict[str, list[float]] = {}
    groups: dict[str, str] = {}
    for evaluator, group, project, total, _ in rows:
        n = counts[project]
        # (total − mean) in points, from an exact integer numerator: one correctly rounded division.
        deviations.setdefault(evaluator, []).append((n * total - sums[project]) / (10 * n))
        groups[evaluator] = group
    out = []
    for evaluator in sorted(deviations):
        values = deviations[evaluator]
        k = len(values)
        mean = math.fsum(values) / k
        spread = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / k)
        out.append(EvaluatorBias(evaluator, groups[evaluator], k, round(mean, 4), round(spread, 4)))
    return tuple(out)


def _outliers(rows: Sequence[tuple[str, str, str, int, int | None]]) -> tuple[OutlierSheet, ...]:
    by_project: dict[str, list[int]] = {}
    for _, _, project, total, _ in rows:
        by_project.setdefault(project, []).append(total)
    limits: dict[str, tuple[int, int]] = {}
    for project, totals in by_project.items():
        totals.sort()
        median2 = _median_twice(totals)  # in twentieths of a point
        spreads = sorted(abs(2 * t - median2) for t in totals)
        mad4 = _median_twice(spreads)  # in fortieths of a point
        limits[project] = (median2, mad4)
    found = []
    for evaluator, group, project, total, line in rows:
        median2, mad4 = limits[project]
        dev2 = 2 * total - median2
        # |dev2/20| > 3 × 1.4826 × mad4/40  ⇔  2 × 10000 × |dev2| > 3 × 14826 × mad4
        if 20000 * abs(dev2) > _OUTLIER_MADS * _MAD_SCALE * mad4:
            found.append(
                OutlierSheet(
                    evaluator=evaluator,
                    group=group,
                    project=project,
                    total=Decimal(total) / 10,
                    median=Decimal(median2) / 20,
                    deviation=Decimal(dev2) / 20,
                    threshold=Decimal(_OUTLIER_MADS * _MAD_SCALE * mad4) / 400000,
                    line=line,
                )
            )
    found.sort(key=lambda o: (o.project, o.evaluator))
    return tuple(found)


def _ranks_twice(values: Sequence[int]) -> tuple[list[int], int]:
    """Twice the average ranks (ties share the mean rank) and the tie term Σ(t³ − t) for one rater."""
    n = len(values)
    order = sorted(range(n), key=values.__getitem__)
    ranks = [0] * n
    ties = 0
    i = 0
    while i < n:
        j = i
        value = values[order[i]]
        while j + 1 < n and values[order[j + 1]] == value:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = i + j + 2
        t = j - i + 1
        ties += t * t * t - t
        i = j + 1
    return ranks, ties


def _kendall_w(raters: Sequence[Sequence[int]], n: int) -> tuple[float | None, list[int]]:
    """Kendall's W (tie-corrected) of raters' scores over n projects, and the column sums of doubled ranks.

    W = 12 S / (m²(n³ − n) − m Σ T), S the sum of squared deviations of the rank sums from their mean.
    """
    m = len(raters)
    sums = [0] * n
    tie_total = 0
    for scores in raters:
        ranks, ties = _ranks_twice(scores)
        tie_total += ties
        for i in range(n):
            sums[i] += ranks[i]
    if m < 2 or n < 2:
        return None, sums
    target = m * (n + 1)  # the mean of the doubled rank sums
    s4 = sum((r - target) ** 2 for r in sums)  # = 4 S
    denominator = m * m * (n**3 - n) - m * tie_total
    if denominator <= 0:
        return None, sums
    return 3 * s4 / denominator, sums


def _concordance(result: TallyResult) -> tuple[Concordance, dict[str, Concordance], Concordance | None]:
    projects = sorted(p.project for p in result.projects)
    n = len(projects)
    index = {name: i for i, name in enumerate(projects)}
    totals: dict[str, list[int | None]] = {}
    groups: dict[str, str] = {}
    for evaluator, group, project, total, _ in result._state.rows:
        row = totals.get(evaluator)
        if row is None:
            row = totals[evaluator] = [None] * n
            groups[evaluator] = group
        row[index[project]] = total
    complete = {e: row for e, row in totals.items() if None not in row}
    members: dict[str, list[str]] = {}
    for evaluator in sorted(totals):
        members.setdefault(groups[evaluator], []).append(evaluator)

    def over(evaluators: Sequence[str]) -> tuple[Concordance, list[int] | None]:
        raters = [complete[e] for e in evaluators if e in complete]
        w, sums = _kendall_w(raters, n)  # type: ignore[arg-type]
        concordance = Concordance(_rounded(w), len(raters), n, len(evaluators) - len(raters))
        return concordance, (sums if raters else None)

    pooled, _ = over(sorted(totals))
    by_group: dict[str, Concordance] = {}
    group_rankings: list[list[int]] = []
    for group in sorted(members):
        by_group[group], sums = over(members[group])
        if sums is not None:
            # Within a group every rank sum has the same number of raters, so ordering the sums orders the
            # mean ranks.
            group_rankings.append(sums)
    between = None
    if len(members) > 1:
        w, _ = _kendall_w(group_rankings, n)
        between = Concordance(_rounded(w), len(group_rankings), n, len(members) - len(group_rankings))
    return pooled, by_group, between


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _leave_one_out(
    result: TallyResult,
    *,
    budget: Decimal,
    minimum: Decimal,
    amounts: Mapping[str, Decimal],
    tie_break: TieBreak,
) -> tuple[Influence, ...]:
    state = result._state
    method, trim_min, weights = state.method, state.trim_min, state.weight_ints
    positions = _tie_positions(tie_break)
    minimum_h = _minimum_hundredths(minimum)

    def selected(hundredths: Mapping[str, int]) -> set[str]:
        order = _consideration_order(hundredths, positions)
        return {
            p
            for p, _, _, reason, _ in _run_selection(order, amounts, budget, minimum_h)
            if reason == "selected"
        }

    baseline = selected(state.hundredths)
    # For each project and pool, the (weight, num, den) parts of the *other* pools, which removal leaves
    # alone.
    others: dict[str, dict[str | None, list[tuple[int, int, int]]]] = {}
    if weights is not None:
        for project, pools in state.pools.items():
            parts = {
                key: (weights[key], *_pool_ratio(totals, method, trim_min)) for key, totals in pools.items()
            }
            others[project] = {key: [p for k, p in parts.items() if k != key] for key in parts}  # type: ignore[misc]
    by_evaluator: dict[str, list[tuple[str, str | None, int]]] = {}
    groups: dict[str, str] = {}
    for evaluator, group, project, total, _ in state.rows:
        by_evaluator.setdefault(evaluator, []).append(
            (project, group if weights is not None else None, total)
        )
        groups[evaluator] = group

    found = []
    for evaluator in sorted(by_evaluator):
        hundredths = dict(state.hundredths)
        for project, key, total in by_evaluator[evaluator]:
            without = _pool_ratio_without(
                state.pools[project][key], state.pool_sums[project][key], total, method, trim_min
            )
            if weights is None:
                parts = [] if without is None else [(1, *without)]
            else:
                parts = others[project][key] + ([] if without is None else [(weights[key], *without)])  # type: ignore[index]
            if parts:
                hundredths[project] = _hundredths(*_combine(parts))
            else:
                del hundredths[project]  # no counted sheet left: the project would be unranked
        chosen = selected(hundredths)
        if chosen != baseline:
            found.append(
                Influence(
                    evaluator,
                    groups[evaluator],
                    tuple(sorted(baseline - chosen)),
                    tuple(sorted(chosen - baseline)),
                )
            )
    return tuple(found)


def diagnose(
    result: TallyResult,
    *,
    budget: Decimal | None = None,
    minimum: Decimal = DEFAULT_MINIMUM,
    amounts: Mapping[str, Decimal] | None = None,
    tie_break: TieBreak = None,
) -> Diagnostics:
    """Diagnostics for a tally result (see the module docstring); leave-one-out needs ``budget`` and
    ``amounts``, taken exactly as :func:`dajia.scoring.engine.select` takes them."""
    rows = result._state.rows
    pooled, by_group, between = _concordance(result)
    influential = None
    if budget is not None and amounts is not None:
        money = {name: _money(value, f"报价 amount ({name})") for name, value in amounts.items()}
        influential = _leave_one_out(
            result,
            budget=_money(budget, "预算 budget"),
            minimum=Decimal(minimum),
            amounts=money,
            tie_break=tie_break,
        )
    return Diagnostics(
        evaluators=_bias(rows),
        outliers=_outliers(rows),
        concordance=pooled,
        concordance_by_group=by_group,
        concordance_between_groups=between,
        influential=influential,
    )
