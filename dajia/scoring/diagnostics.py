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
* **Leave-one-out**: for each evaluator, the result is recomputed without their sheets and the selection is
  rerun with the same budget, minimum, amounts and tie-break; evaluators whose removal changes the selected
  set are listed. Incrementally: only that evaluator's pools change, and for each pool the project's rounded
  score without one total t is worked out once as a function of t (:func:`dajia.scoring.pools._removal_steps`);
  the selection is rerun only when the order of the projects that reach the minimum changed.

Everything is computed exactly in integers (totals in tenths, medians doubled, deviations over a common
denominator) and turned into a float once, at the end, for bias, spread and W (they are indicators, not
money): each figure is the correctly rounded float of its exact value (spread: the square root of the
correctly rounded variance), so it does not depend on the order of the sheets.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain, compress, repeat
from operator import add, mod, mul, sub

from dajia.scoring.engine import (
    DEFAULT_MINIMUM,
    TallyResult,
    TieBreak,
    _minimum_hundredths,
    _money,
    _TallyState,
    _tie_positions,
)
from dajia.scoring.pools import Step, _gather, _pool_ratio, _removal_steps

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


def _by_evaluator(state: _TallyState) -> dict[str, list[int]]:
    """Each evaluator's positions in the tally's columns, evaluators in name order."""
    return {evaluator: state.by_evaluator[evaluator] for evaluator in sorted(state.by_evaluator)}


def _median_twice(values: Sequence[int]) -> int:
    """Twice the median of sorted integers (an integer, so the median stays exact)."""
    n = len(values)
    mid = n // 2
    return 2 * values[mid] if n % 2 else values[mid - 1] + values[mid]


def _mad_twice(totals: list[int], median2: int) -> int:
    """Twice the median of |2t − median2| over sorted totals (the MAD in fortieths of a point), without
    listing the deviations: the k-th smallest deviation is the least d with more than k totals within d of
    the median, and how many totals are within d is two bisections of the sorted totals."""

    def kth(k: int) -> int:
        low, high = 0, max(2 * totals[-1] - median2, median2 - 2 * totals[0])
        while low < high:
            d = (low + high) // 2
            # |2t − median2| ≤ d  ⇔  ceil((median2 − d) / 2) ≤ t ≤ floor((median2 + d) / 2)
            within = bisect_right(totals, (median2 + d) // 2) - bisect_left(totals, -((d - median2) // 2))
            if within > k:
                high = d
            else:
                low = d + 1
        return low

    n = len(totals)
    return 2 * kth(n // 2) if n % 2 else kth(n // 2 - 1) + kth(n // 2)


def _bias(state: _TallyState, by_evaluator: Mapping[str, list[int]]) -> tuple[EvaluatorBias, ...]:
    counts = {project: len(positions) for project, positions in state.members.items()}
    # Deviations from a project's pooled mean sum / n are exact integers in units of 1/scale tenths, scale
    # being a common multiple of every project's n; offset = scale × the pooled mean, in those units.
    scale = math.lcm(*counts.values()) if counts else 1
    offset = {p: scale // counts[p] * sum(sums.values()) for p, sums in state.pool_sums.items()}
    deviations = list(
        map(sub, map(mul, state.totals, repeat(scale)), map(offset.__getitem__, state.projects))
    )
    out = []
    for evaluator, positions in by_evaluator.items():
        mine = _gather(deviations, positions)
        k = len(mine)
        total = sum(mine)
        unit = 10 * scale * k  # mean deviation in points = total / unit
        # Population variance in points²: (k Σd² − (Σd)²) / unit², exact until this one division.
        variance = (k * sum(map(mul, mine, mine)) - total * total) / (unit * unit)
        bias = total / unit
        spread = math.sqrt(variance)
        out.append(EvaluatorBias(evaluator, state.groups[positions[0]], k, round(bias, 4), round(spread, 4)))
    return tuple(out)


def _outliers(state: _TallyState) -> tuple[OutlierSheet, ...]:
    found = []
    limit_factor = _OUTLIER_MADS * _MAD_SCALE
    for project, by_group in state.pools.items():
        totals = sorted(chain.from_iterable(by_group.values()))
        median2 = _median_twice(totals)  # in twentieths of a point
        mad4 = _mad_twice(totals, median2)
        # |dev2/20| > 3 × 1.4826 × mad4/40  ⇔  2 × 10000 × |dev2| > 3 × 14826 × mad4. Most projects have no
        # outlier: when neither the lowest nor the highest total is one, no sheet of the project is.
        beyond = limit_factor * mad4
        if 20000 * max(median2 - 2 * totals[0], 2 * totals[-1] - median2) <= beyond:
            continue
        for position in state.members[project]:
            total = state.totals[position]
            dev2 = 2 * total - median2
            if 20000 * abs(dev2) > beyond:
                found.append(
                    OutlierSheet(
                        evaluator=state.evaluators[position],
                        group=state.groups[position],
                        project=project,
                        total=Decimal(total) / 10,
                        median=Decimal(median2) / 20,
                        deviation=Decimal(dev2) / 20,
                        threshold=Decimal(beyond) / 400000,
                        line=state.lines[position],
                    )
                )
    found.sort(key=lambda o: (o.project, o.evaluator))
    return tuple(found)


def _ranks_twice(values: Sequence[int]) -> tuple[list[int], int]:
    """Twice the average ranks (ties share the mean rank) and the tie term Σ(t³ − t) for one rater.

    A value's tied block spans the 1-based ranks bisect_left + 1 … bisect_right of the sorted values, so its
    doubled mean rank is bisect_left + bisect_right + 1.
    """
    ordered = sorted(values)
    ranks = list(
        map(add, map(bisect_left, repeat(ordered), values), map(bisect_right, repeat(ordered), values))
    )
    ranks = list(map(add, ranks, repeat(1)))
    ties = sum(t * t * t - t for t in Counter(values).values())
    return ranks, ties


def _kendall_w(ranked: Sequence[tuple[list[int], int]], n: int) -> tuple[float | None, list[int]]:
    """Kendall's W (tie-corrected) of raters given by their doubled ranks and tie terms (:func:`_ranks_twice`)
    over n projects, and the column sums of doubled ranks.

    W = 12 S / (m²(n³ − n) − m Σ T), S the sum of squared deviations of the rank sums from their mean.
    """
    m = len(ranked)
    sums = [0] * n
    tie_total = 0
    for ranks, ties in ranked:
        tie_total += ties
        sums = list(map(add, sums, ranks))
    if m < 2 or n < 2:
        return None, sums
    target = m * (n + 1)  # the mean of the doubled rank sums
    s4 = sum((r - target) ** 2 for r in sums)  # = 4 S
    denominator = m * m * (n**3 - n) - m * tie_total
    if denominator <= 0:
        return None, sums
    return 3 * s4 / denominator, sums


def _concordance(
    state: _TallyState, by_evaluator: Mapping[str, list[int]]
) -> tuple[Concordance, dict[str, Concordance], Concordance | None]:
    projects = sorted(state.hundredths)
    n = len(projects)
    index = {name: i for i, name in enumerate(projects)}
    # An evaluator has at most one counted sheet per project, so they scored every project when they have n.
    complete: dict[str, tuple[list[int], int]] = {}  # evaluator → doubled ranks and tie term
    members: dict[str, list[str]] = {}
    for evaluator, positions in by_evaluator.items():
        members.setdefault(state.groups[positions[0]], []).append(evaluator)
        if len(positions) == n:
            where = map(index.__getitem__, _gather(state.projects, positions))
            by_project = dict(zip(where, _gather(state.totals, positions), strict=True))
            complete[evaluator] = _ranks_twice(list(map(by_project.__getitem__, range(n))))

    def over(evaluators: Sequence[str]) -> tuple[Concordance, list[int] | None]:
        raters = [complete[e] for e in evaluators if e in complete]
        w, sums = _kendall_w(raters, n)
        concordance = Concordance(_rounded(w), len(raters), n, len(evaluators) - len(raters))
        return concordance, (sums if raters else None)

    pooled, _ = over(list(by_evaluator))
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
        w, _ = _kendall_w([_ranks_twice(sums) for sums in group_rankings], n)
        between = Concordance(_rounded(w), len(group_rankings), n, len(members) - len(group_rankings))
    return pooled, by_group, between


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _keys_without(
    bounds: list[int], steps: list[Step], totals: list[int], n: int, j: int, unranked: int
) -> list[int]:
    """Project j's key −h·n + j without each of these totals of one pool, h given by the pool's steps
    (:func:`dajia.scoring.pools._removal_steps`).

    The steps are constants (``median``; a pool of one) or one affine step for every total (``mean``, and
    ``trimmed`` below trim_min) or, for ``trimmed``, an affine step between the two single totals at the
    ends, the lowest and the highest, which each have a constant step of their own.
    """
    constant = [unranked if s is None else None if s[1] else j - s[0] // s[2] * n for s in steps]
    if None not in constant:
        if not bounds:
            return [constant[0]] * len(totals)  # type: ignore[list-item]
        return list(map(constant.__getitem__, map(bisect_left, repeat(bounds), totals)))  # type: ignore[arg-type]
    p, q, r = steps[constant.index(None)]  # type: ignore[misc]
    keys = [j - (p - q * t) // r * n for t in totals]
    if len(steps) == 3:
        for value, key in ((bounds[0], constant[0]), (bounds[1] + 1, constant[2])):
            index = -1
            while True:
                try:
                    index = totals.index(value, index + 1)
                except ValueError:
                    break
                keys[index] = key  # type: ignore[call-overload]
    return keys


def _leave_one_out(
    state: _TallyState,
    by_evaluator: Mapping[str, list[int]],
    *,
    budget: Decimal,
    minimum: Decimal,
    amounts: Mapping[str, Decimal],
    tie_break: TieBreak,
) -> tuple[Influence, ...]:
    method, trim_min, weights = state.method, state.trim_min, state.weight_ints
    positions = _tie_positions(tie_break)
    minimum_h = _minimum_hundredths(minimum)

    # Projects are numbered j in tie-break order (recorded place, then name), so the consideration order —
    # rank, then tie-break order (engine._consideration_order) — is the order of the integer keys −h·n + j.
    unplaced = len(positions) + 1
    names = sorted(state.hundredths, key=lambda p: (positions.get(p, unplaced), p))
    n = len(names)
    number = {name: j for j, name in enumerate(names)}
    # Keys below `reach` have h ≥ minimum_h. A project left without sheets gets a key beyond every ranked
    # project's, which for the selection is the same as being below the minimum: it is not considered.
    reach = (1 - minimum_h) * n
    unranked = max(reach, n)
    price = [amounts.get(name) for name in names]
    cheapest = min((a for a in price if a is not None), default=None)

    def considered(keys: list[int]) -> list[int]:
        ordered = sorted(keys)
        return list(map(mod, ordered[: bisect_left(ordered, reach)], repeat(n)))

    # engine._run_selection over the projects that reach the minimum: in order, selected when the amount fits
    # what is left. The baseline's budget and choices before each place are kept, so that a changed order is
    # run again only from the first place where it differs.
    base_order = considered([-state.hundredths[name] * n + j for j, name in enumerate(names)])
    left_before: list[Decimal] = []
    remaining = budget
    taken: list[bool] = []
    for j in base_order:
        left_before.append(remaining)
        amount = price[j]
        taken.append(amount is not None and amount <= remaining)
        if taken[-1]:
            remaining -= amount  # type: ignore[operator]
    baseline = frozenset(compress(base_order, taken))

    def selection(order: list[int]) -> frozenset[int]:
        same, differs = 0, min(len(order), len(base_order))  # the longest common prefix, by bisection
        while same < differs:
            middle = (same + differs + 1) // 2
            if order[:middle] == base_order[:middle]:
                same = middle
            else:
                differs = middle - 1
        chosen = list(compress(base_order[:same], taken))
        remaining = (
            left_before[same] if same < len(base_order) else budget - sum(map(price.__getitem__, chosen))
        )
        for j in order[same:]:
            if cheapest is None or remaining < cheapest:
                break  # nothing more can fit
            amount = price[j]
            if amount is not None and amount <= remaining:
                remaining -= amount
                chosen.append(j)
        return frozenset(chosen)

    # Each sheet's project key without that sheet, pool by pool: the project's hundredths without one total t
    # is a function of t worked out once per pool (pools._removal_steps), so each sheet costs a few integer
    # operations.
    totals = state.totals
    without: dict[int, int] = {}
    for project, pools in state.pools.items():
        j = number[project]
        parts = {
            key: (1 if weights is None else weights[key], *_pool_ratio(pool, method, trim_min))  # type: ignore[index]
            for key, pool in pools.items()
        }
        where = state.positions[project] if weights is not None else {None: state.members[project]}
        for key, pool in pools.items():
            others = [part for other, part in parts.items() if other != key]
            bounds, steps = _removal_steps(
                pool, state.pool_sums[project][key], method, trim_min, parts[key][0], others
            )
            here = where[key]  # type: ignore[index]
            without.update(
                zip(
                    here,
                    _keys_without(bounds, steps, list(_gather(totals, here)), n, j, unranked),
                    strict=True,
                )
            )

    base_keys = [-state.hundredths[name] * n + j for j, name in enumerate(names)]
    project_number = list(map(number.__getitem__, state.projects))
    found = []
    for evaluator, mine in by_evaluator.items():
        # The keys without the evaluator: their sheets' projects get the keys computed above, the projects they
        # did not score keep theirs (an evaluator has at most one sheet per project). Only the order counts.
        keys = list(_gather(without, mine))
        if len(mine) < n:
            scored = set(_gather(project_number, mine))
            keys += [key for j, key in enumerate(base_keys) if j not in scored]
        order = considered(keys)
        if order == base_order:
            continue  # the same projects considered in the same order: the same selection
        chosen = selection(order)
        if chosen != baseline:
            found.append(
                Influence(
                    evaluator,
                    state.groups[mine[0]],
                    tuple(sorted(names[j] for j in baseline - chosen)),
                    tuple(sorted(names[j] for j in chosen - baseline)),
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
    state = result._state
    by_evaluator = _by_evaluator(state)
    pooled, by_group, between = _concordance(state, by_evaluator)
    influential = None
    if budget is not None and amounts is not None:
        money = {name: _money(value, f"报价 amount ({name})") for name, value in amounts.items()}
        influential = _leave_one_out(
            state,
            by_evaluator,
            budget=_money(budget, "预算 budget"),
            minimum=Decimal(minimum),
            amounts=money,
            tie_break=tie_break,
        )
    return Diagnostics(
        evaluators=_bias(state, by_evaluator),
        outliers=_outliers(state),
        concordance=pooled,
        concordance_by_group=by_group,
        concordance_between_groups=between,
        influential=influential,
    )
