"""The scoring engine: score sheets in, ranked result out.

This module is the single place where Dajia turns evaluators' sheets into the scores that decide who gets
public money. The web pages, the JSON API, the exports and ``dajia tally`` all call :func:`tally`,
:func:`select` and :func:`canonical_sheet_file`, so they agree to the cent. It is plain Python on purpose — no
Django import — so an auditor can read it, run it and re-tally a published result from the exported sheet file
alone.

The rules implemented here are the normative "Scoring rules" of PRODUCT.md. The ones an office is asked about:

* **Exact arithmetic.** Every score is handled as an exact rational number (internally as integer tenths of a
  point); nothing is rounded until a figure is reported, and reported figures are rounded half-up to 2
  decimals. So 80.505 is reported as 80.51 on every screen and in every export, never 80.50 because of binary
  floating point.
* **Only complete sheets count.** A sheet with a blank criterion is reported as incomplete and left out; it is
  not an error, because an evaluator may have run out of time. A second sheet by the same evaluator for the
  same project *is* an error: the engine cannot know which one the evaluator meant.
* **Robust method.** ``trimmed`` (the default) drops one highest and one lowest total once a pool has at least
  ``trim_min`` sheets (default 5, never below 3, so at least one sheet always remains), which limits what a
  single generous or harsh evaluator can do; ``mean`` and ``median`` are available when the tender rules say
  so.
* **Groups.** With group weights (e.g. 政协委员 0.4, 基层工会主席 0.6) the method runs inside each group and
  the project score is the weighted mean of the *unrounded* group scores; when a group did not score a project
  the weights of the groups that did are renormalised, so a missing group neither zeroes nor inflates the
  score.
* **Ranking** is competition ranking (1, 2, 2, 4) on the *rounded* score — the score people see — so two
  projects shown with the same score always share a rank and are flagged as tied. Breaking a tie is a recorded
  decision of the chair, never arithmetic, so a re-tally reproduces the published ranks exactly.

Layout: this module owns the tally and the selection, and is the public API; what is accepted and refused
lives in :mod:`dajia.scoring.validation`, pool arithmetic (shared with leave-one-out) in
:mod:`dajia.scoring.pools`, rounding and decimal texts in :mod:`dajia.scoring.numbers`, the canonical sheet file,
its digest and the result JSON in :mod:`dajia.scoring.files`. The
names callers use (``Criterion``, ``Sheet``, ``ScoringError``, ``parse_weight``, ``decimal_text`` …) are
re-exported here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from fractions import Fraction
from itertools import chain
from typing import Literal

from dajia.scoring.files import canonical_sheet_file, canonical_table, digest, result_json, result_payload
from dajia.scoring.numbers import _from_hundredths, _hundredths, decimal_text, round_half_up
from dajia.scoring.pools import _combine, _gather, _integer_weights, _pool_ratio
from dajia.scoring.validation import (
    Criterion,
    ScoringError,
    Sheet,
    _check_weights,
    _validate,
    parse_weight,
)

__all__ = [
    "DEFAULT_MINIMUM",
    "DEFAULT_TRIM_MIN",
    "METHODS",
    "MIN_TRIM_MIN",
    "Criterion",
    "Method",
    "ProjectResult",
    "ScoringError",
    "SelectionEntry",
    "SelectionResult",
    "Sheet",
    "TallyResult",
    "canonical_sheet_file",
    "canonical_table",
    "decimal_text",
    "digest",
    "parse_weight",
    "result_json",
    "result_payload",
    "round_half_up",
    "select",
    "tally",
]

Method = Literal["trimmed", "mean", "median"]
METHODS: tuple[str, ...] = ("trimmed", "mean", "median")
DEFAULT_TRIM_MIN = 5
MIN_TRIM_MIN = 3
DEFAULT_MINIMUM = Decimal(60)


@dataclass(frozen=True)
class ProjectResult:
    """The reported result of one ranked project.

    ``score``/``groups``/``criteria`` are rounded half-up to 2 decimals (``Decimal`` with exactly two places);
    ``exact`` and ``groups_exact`` are the unrounded values they come from.
    """

    project: str
    score: Decimal
    exact: Fraction
    rank: int
    tied: bool
    evaluators: int
    groups: dict[str, Decimal]
    groups_exact: dict[str, Fraction]
    criteria: dict[str, Decimal]

    @property
    def hundredths(self) -> int:
        """The rounded score as an integer number of hundredths (80.50 → 8050)."""
        return int(self.score.scaleb(2))


@dataclass(frozen=True)
class _TallyState:
    """Figures kept for diagnostics and leave-one-out (all totals in integer tenths of a point)."""

    method: str
    trim_min: int
    # group → integer weight (weights scaled to a common denominator), or None when pooled.
    weight_ints: dict[str, int] | None
    # project → pool key (group name, or None when pooled) → sorted totals.
    pools: dict[str, dict[str | None, list[int]]]
    pool_sums: dict[str, dict[str | None, int]]
    hundredths: dict[str, int]
    # The counted sheets as columns in input order (position i of each list is one sheet; group "" when blank);
    # the positions of each project's sheets (``members``; ``positions`` by group) and each evaluator's.
    evaluators: list[str]
    groups: list[str]
    projects: list[str]
    totals: list[int]
    lines: list[int | None]
    members: dict[str, list[int]]
    positions: dict[str, dict[str, list[int]]]
    by_evaluator: dict[str, list[int]]


@dataclass(frozen=True)
class TallyResult:
    """The result of :func:`tally`.

    ``projects`` are in rank order, tied projects by name (Unicode code point order). ``unranked`` names the
    projects with no counted sheet; ``incomplete`` holds the sheets with a blank (reported, not counted);
    ``counted`` the sheets that count, in input order — the ones that go into the canonical sheet file and its
    digest. Use :meth:`payload` / :func:`result_json` rather than ``dataclasses.asdict`` to serialise.
    """

    method: str
    trim_min: int
    group_weights: dict[str, Fraction] | None
    criteria: tuple[Criterion, ...]
    projects: tuple[ProjectResult, ...]
    unranked: tuple[str, ...]
    incomplete: tuple[Sheet, ...]
    counted: tuple[Sheet, ...] = field(repr=False)
    _state: _TallyState = field(repr=False, compare=False)

    def project(self, name: str) -> ProjectResult:
        """The result of the project called ``name`` (``KeyError`` if it is not ranked)."""
        for item in self.projects:
            if item.project == name:
                return item
        raise KeyError(name)

    def payload(self) -> dict[str, object]:
        """See :func:`result_payload`."""
        return result_payload(self)


# ----------------------------------------------------------------------------------------------------
# Checks of the options


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise ScoringError(
            "bad_method",
            f"未知的计分方法「{method}」（可选：trimmed、mean、median）",
            f"unknown method {method!r} (choose trimmed, mean or median)",
        )


def _check_trim_min(trim_min: int) -> None:
    if isinstance(trim_min, bool) or not isinstance(trim_min, int) or trim_min < MIN_TRIM_MIN:
        raise ScoringError(
            "bad_trim_min",
            f"trim_min 必须是不小于 {MIN_TRIM_MIN} 的整数（当前为 {trim_min}）",
            f"trim_min must be an integer of at least {MIN_TRIM_MIN} (got {trim_min!r})",
        )


# ----------------------------------------------------------------------------------------------------
# Tally


def _column_sums(columns: Sequence[list[int]], positions: list[int]) -> list[int]:
    """The sum of each column over these positions (a project's criterion sums)."""
    return [sum(_gather(column, positions)) for column in columns]


def tally(
    criteria: Sequence[Criterion],
    sheets: Iterable[Sheet],
    *,
    method: str = "trimmed",
    trim_min: int = DEFAULT_TRIM_MIN,
    group_weights: Mapping[str, Fraction | int | Decimal | str] | None = None,
    projects: Iterable[str] = (),
) -> TallyResult:
    """Compute the result of a session from its sheets (see the module docstring for the rules).

    ``group_weights`` maps group name to weight (``Fraction``, ``Decimal``, ``int`` or a decimal string such
    as ``"0.4"``); weights for groups that appear on no sheet are ignored. ``projects`` optionally names
    invited projects that may have no sheet at all, so they are listed as unranked. Raises
    :class:`ScoringError`.
    """
    _check_method(method)
    _check_trim_min(trim_min)
    weights = _check_weights(group_weights)
    crit, checked = _validate(criteria, sheets, weights)
    if weights is not None:
        weights = {name: weights[name] for name in sorted(checked.groups) if name in weights}
    weight_ints = _integer_weights(weights) if weights is not None else None

    totals = checked.totals
    pools: dict[str, dict[str | None, list[int]]] = {}
    members: dict[str, list[int]] = {}  # project → positions of its counted sheets in the columns
    for project, by_group in checked.positions.items():
        mine = members[project] = list(chain.from_iterable(by_group.values()))
        if weight_ints is None:
            pools[project] = {None: sorted(_gather(totals, mine))}
        else:
            pools[project] = {key: sorted(_gather(totals, here)) for key, here in by_group.items()}

    pool_sums: dict[str, dict[str | None, int]] = {}
    scored: list[tuple[str, int, Fraction, dict[str, Fraction], dict[str | None, tuple[int, int]]]] = []
    for project, by_group in pools.items():
        ratios: dict[str | None, tuple[int, int]] = {}
        sums_here: dict[str | None, int] = {}
        for key, pool in by_group.items():
            sums_here[key] = sum(pool)
            ratios[key] = _pool_ratio(pool, method, trim_min)
        pool_sums[project] = sums_here
        if weight_ints is None:
            num, den = ratios[None]
            group_exact: dict[str, Fraction] = {}
        else:
            num, den = _combine((weight_ints[k], n, d) for k, (n, d) in ratios.items())  # type: ignore[index]
            group_exact = {k: Fraction(n, d) for k, (n, d) in sorted(ratios.items())}  # type: ignore[arg-type]
        scored.append((project, _hundredths(num, den), Fraction(num, den), group_exact, ratios))

    scored.sort(key=lambda item: (-item[1], item[0]))
    how_many: dict[int, int] = {}
    for _, h, _, _, _ in scored:
        how_many[h] = how_many.get(h, 0) + 1
    results: list[ProjectResult] = []
    hundredths: dict[str, int] = {}
    above = 0
    previous: int | None = None
    for index, (project, h, exact, group_exact, ratios) in enumerate(scored):
        if h != previous:
            above = index
            previous = h
        positions = members[project]
        n = len(positions)
        hundredths[project] = h
        results.append(
            ProjectResult(
                project=project,
                score=_from_hundredths(h),
                exact=exact,
                rank=above + 1,
                tied=how_many[h] > 1,
                evaluators=n,
                groups={k: _from_hundredths(_hundredths(*ratios[k])) for k in group_exact},
                groups_exact=group_exact,
                criteria={
                    name: _from_hundredths(_hundredths(sums, n * 10))
                    for (name, _), sums in zip(crit, _column_sums(checked.columns, positions), strict=True)
                },
            )
        )

    unranked = sorted({*checked.projects, *projects} - pools.keys())
    state = _TallyState(
        method,
        trim_min,
        weight_ints,
        pools,
        pool_sums,
        hundredths,
        checked.evaluators,
        checked.groups_of,
        checked.projects_of,
        totals,
        checked.lines,
        members,
        checked.positions,
        checked.by_evaluator,
    )
    return TallyResult(
        method=method,
        trim_min=trim_min,
        group_weights=weights,
        criteria=tuple(criteria),
        projects=tuple(results),
        unranked=tuple(unranked),
        incomplete=tuple(checked.incomplete),
        counted=tuple(checked.counted),
        _state=state,
    )


# ----------------------------------------------------------------------------------------------------
# Selection

SELECTION_REASONS: dict[str, tuple[str, str]] = {
    "selected": ("入选", "selected"),
    "below_minimum": ("未达最低分", "score below the minimum"),
    "over_budget": ("超出剩余预算", "amount exceeds the remaining budget"),
    "no_amount": ("没有报价", "no proposed amount"),
}


@dataclass(frozen=True)
class SelectionEntry:
    """One project as considered for selection, in consideration order.

    ``reason`` is one of :data:`SELECTION_REASONS`; ``remaining`` is the budget left after this project.
    """

    project: str
    rank: int
    score: Decimal
    amount: Decimal | None
    selected: bool
    reason: str
    remaining: Decimal

    @property
    def reason_zh(self) -> str:
        return SELECTION_REASONS[self.reason][0]

    @property
    def reason_en(self) -> str:
        return SELECTION_REASONS[self.reason][1]


@dataclass(frozen=True)
class SelectionResult:
    """The outcome of :func:`select`.

    ``tie_break_needed`` is set when a tie among the ranked projects has no complete recorded order; such
    projects were taken in name order and ``unbroken_ties`` lists them (each tie in name order) so the page
    can warn.
    """

    entries: tuple[SelectionEntry, ...]
    selected: tuple[str, ...]
    budget: Decimal
    minimum: Decimal
    spent: Decimal
    remaining: Decimal
    tie_break_needed: bool
    unbroken_ties: tuple[tuple[str, ...], ...]


TieBreak = Sequence[str] | Mapping[str, int] | None


def _tie_positions(tie_break: TieBreak) -> dict[str, int]:
    if tie_break is None:
        return {}
    if isinstance(tie_break, Mapping):
        return dict(tie_break)
    return {name: index for index, name in enumerate(tie_break)}


def _consideration_order(
    hundredths: Mapping[str, int], positions: Mapping[str, int]
) -> list[tuple[str, int]]:
    """Rank order; tied projects in their recorded tie-break order, projects without a recorded place after
    those with one, in name order."""
    unplaced = len(positions) + 1
    return sorted(hundredths.items(), key=lambda item: (-item[1], positions.get(item[0], unplaced), item[0]))


def _unbroken_ties(order: Sequence[tuple[str, int]], positions: Mapping[str, int]) -> list[tuple[str, ...]]:
    """The ties in ``order`` whose members do not all have distinct recorded places (each tie in name
    order)."""
    unbroken: list[tuple[str, ...]] = []
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and order[j + 1][1] == order[i][1]:
            j += 1
        if j > i:
            members = [name for name, _ in order[i : j + 1]]
            places = [positions.get(name) for name in members]
            if None in places or len(set(places)) != len(places):
                unbroken.append(tuple(sorted(members)))
        i = j + 1
    return unbroken


def _minimum_hundredths(minimum: Decimal) -> int:
    """Rounded score ≥ minimum ⇔ hundredths ≥ ceil(100 × minimum), since the rounded score is whole
    hundredths."""
    return int((Decimal(minimum) * 100).to_integral_value(rounding=ROUND_CEILING))


def _run_selection(
    order: Sequence[tuple[str, int]],
    amounts: Mapping[str, Decimal],
    budget: Decimal,
    minimum_h: int,
) -> list[tuple[str, int, Decimal | None, str, Decimal]]:
    remaining = budget
    out: list[tuple[str, int, Decimal | None, str, Decimal]] = []
    for project, h in order:
        amount = amounts.get(project)
        if h < minimum_h:
            reason = "below_minimum"
        elif amount is None:
            reason = "no_amount"
        elif amount > remaining:
            reason = "over_budget"
        else:
            reason = "selected"
            remaining -= amount
        out.append((project, h, amount, reason, remaining))
    return out


def _money(value: object, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise TypeError(f"{what} must be a Decimal, not {type(value).__name__}")
    amount = Decimal(value)
    if not amount.is_finite() or amount < 0:
        raise ScoringError("bad_amount", f"{what} 必须是非负金额", f"{what} must be a non-negative amount")
    return amount


def select(
    results: TallyResult | Sequence[ProjectResult],
    *,
    budget: Decimal,
    minimum: Decimal = DEFAULT_MINIMUM,
    amounts: Mapping[str, Decimal],
    tie_break: TieBreak = None,
) -> SelectionResult:
    """Select projects against the budget.

    In rank order (tied projects in the chair's recorded tie-break order — a list of project names, or a
    mapping name → position), a project is selected when its *rounded* score reaches ``minimum`` (default 60)
    and its proposed amount fits what is left of ``budget``; otherwise it is skipped with the reason and the
    next one is considered, so a cheaper lower-ranked project can still be funded. Without a recorded order a
    tie is taken in name order and ``tie_break_needed`` is set.
    """
    projects = results.projects if isinstance(results, TallyResult) else tuple(results)
    budget = _money(budget, "预算 budget")
    minimum = Decimal(minimum)
    money = {name: _money(value, f"报价 amount ({name})") for name, value in amounts.items()}
    ranks = {p.project: p.rank for p in projects}
    positions = _tie_positions(tie_break)
    order = _consideration_order({p.project: p.hundredths for p in projects}, positions)
    unbroken = _unbroken_ties(order, positions)
    outcome = _run_selection(order, money, budget, _minimum_hundredths(minimum))
    entries = tuple(
        SelectionEntry(
            project=project,
            rank=ranks[project],
            score=_from_hundredths(h),
            amount=amount,
            selected=reason == "selected",
            reason=reason,
            remaining=remaining,
        )
        for project, h, amount, reason, remaining in outcome
    )
    remaining = outcome[-1][4] if outcome else budget
    return SelectionResult(
        entries=entries,
        selected=tuple(e.project for e in entries if e.selected),
        budget=budget,
        minimum=minimum,
        spent=budget - remaining,
        remaining=remaining,
        tie_break_needed=bool(unbroken),
        unbroken_ties=tuple(unbroken),
    )
