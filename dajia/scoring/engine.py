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
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from fractions import Fraction
from itertools import pairwise
from typing import Literal

from dajia.scoring.grammar import cell_text

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

# Score type accepted from callers: exact numbers only. A float such as 8.3 is not exactly 8.3, so floats are
# refused rather than silently turned into 8.300000000000000710542735760100185871124267578125.
Score = Fraction | int | Decimal


class ScoringError(ValueError):
    """Invalid scoring input, refused with the reason in Chinese and English and the file line when known.

    ``code`` is a stable machine-readable key (e.g. ``"duplicate_sheet"``) for forms and tests; ``zh``/``en``
    are the reasons without the line prefix; ``text_zh``/``text_en`` include it.
    """

    def __init__(self, code: str, zh: str, en: str, *, line: int | None = None) -> None:
        self.code = code
        self.zh = zh
        self.en = en
        self.line = line
        super().__init__(f"{self.text_zh} / {self.text_en}")

    @property
    def text_zh(self) -> str:
        return f"第 {self.line} 行：{self.zh}" if self.line is not None else self.zh

    @property
    def text_en(self) -> str:
        return f"line {self.line}: {self.en}" if self.line is not None else self.en

    def __str__(self) -> str:
        return f"{self.text_zh} / {self.text_en}"


@dataclass(frozen=True)
class Criterion:
    """One rubric criterion: its name (without the ``(max)`` suffix) and its maximum in points."""

    name: str
    max: Fraction


@dataclass(frozen=True)
class Sheet:
    """One evaluator's scores for one project; ``None`` (or a missing key) means "not scored".

    ``line`` is the 1-based line of the sheet file the sheet was read from, so errors can point at it.
    """

    evaluator: str
    group: str
    project: str
    scores: Mapping[str, Score | None]
    line: int | None = None


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
    # Counted sheets as (evaluator, group, project, total, line), in input order.
    rows: list[tuple[str, str, str, int, int | None]]
    hundredths: dict[str, int]


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
# Numbers


def round_half_up(value: Fraction | int, places: int = 2) -> Decimal:
    """Round an exact value half-up (away from zero) to ``places`` decimals, exactly.

    Why not ``round()`` or ``Decimal.quantize`` on a float: both would first turn the exact value into binary,
    and e.g. 0.125 or 80.505 could then round the wrong way. Here the rational is rounded with integer
    arithmetic.
    """
    value = Fraction(value)
    negative = value < 0
    num, den = abs(value.numerator), value.denominator
    scaled = (2 * num * 10**places + den) // (2 * den)
    digits = tuple(int(c) for c in str(scaled).rjust(places + 1, "0"))
    return Decimal((1 if negative and scaled else 0, digits, -places))


def _hundredths(num: int, den: int) -> int:
    """num/den (both ≥ 0) rounded half-up to an integer number of hundredths."""
    return (200 * num + den) // (2 * den)


def _from_hundredths(h: int) -> Decimal:
    digits = tuple(int(c) for c in str(abs(h)).rjust(3, "0"))
    return Decimal((1 if h < 0 else 0, digits, -2))


def decimal_text(value: Fraction | int | Decimal) -> str:
    """The shortest plain decimal text of an exact value with a finite decimal expansion (25, 12.5, 0.05).

    Used for rubric maxima in the canonical sheet file ("maxima written without a trailing .0").
    """
    value = Fraction(value)
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        raise ValueError(f"{value} has no finite decimal form")
    places = max(twos, fives)
    scaled = abs(value.numerator) * 10**places // value.denominator
    text = str(scaled).rjust(places + 1, "0")
    if places:
        text = f"{text[:-places]}.{text[-places:]}".rstrip("0").rstrip(".")
    return ("-" if value < 0 else "") + text


def _tenths_text(tenths: int) -> str:
    sign = "-" if tenths < 0 else ""
    return f"{sign}{abs(tenths) // 10}.{abs(tenths) % 10}"


def _score_text(value: object) -> str:
    if isinstance(value, Fraction | int | Decimal) and not isinstance(value, bool):
        try:
            return decimal_text(value)
        except (ValueError, TypeError):
            return str(value)
    return repr(value)


_WEIGHT_RE = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)


def parse_weight(text: str) -> Fraction:
    """Read a group weight written as a positive decimal, exactly: ``"0.4"`` → ``Fraction(2, 5)``.

    Weights are taken as written (0.4 is 2/5, not the nearest binary float) and need not sum to 1: they are
    renormalised over the groups that scored each project.
    """
    cleaned = cell_text(text)
    if not _WEIGHT_RE.fullmatch(cleaned):
        raise ScoringError(
            "bad_weight",
            f"分组权重「{text}」不是正的小数",
            f"group weight {text!r} is not a positive decimal",
        )
    weight = Fraction(cleaned)
    if weight <= 0:
        raise ScoringError(
            "bad_weight", f"分组权重「{text}」必须大于 0", f"group weight {text!r} must be positive"
        )
    return weight


# ----------------------------------------------------------------------------------------------------
# Validation


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


def _as_fraction(value: object) -> Fraction | None:
    if isinstance(value, bool) or not isinstance(value, Fraction | int | Decimal):
        return None
    if isinstance(value, Decimal) and not value.is_finite():
        return None
    return Fraction(value)


def _check_criteria(criteria: Sequence[Criterion]) -> list[tuple[str, int]]:
    """(name, cap) per criterion, cap being the maximum in tenths rounded down (scores are in tenths)."""
    if not criteria:
        raise ScoringError("no_criteria", "评分标准没有任何评分项", "the rubric has no criteria")
    seen: set[str] = set()
    out: list[tuple[str, int]] = []
    for criterion in criteria:
        name = criterion.name
        if not isinstance(name, str) or not name:
            raise ScoringError("bad_criterion", "评分项名称不能为空", "a criterion name is empty")
        if name in seen:
            raise ScoringError(
                "duplicate_criterion", f"评分项「{name}」重复", f"criterion {name!r} appears twice"
            )
        seen.add(name)
        maximum = _as_fraction(criterion.max)
        if maximum is None or maximum <= 0:
            raise ScoringError(
                "bad_criterion",
                f"评分项「{name}」的满分必须是正数",
                f"the maximum of criterion {name!r} must be a positive number",
            )
        try:
            decimal_text(maximum)
        except ValueError:
            raise ScoringError(
                "bad_criterion",
                f"评分项「{name}」的满分必须是有限小数",
                f"the maximum of criterion {name!r} must be a finite decimal",
            ) from None
        out.append((name, math.floor(maximum * 10)))
    return out


def _tenths(value: object) -> int | None:
    """value × 10 as an int, or None when value is not an exact number with at most one decimal."""
    kind = type(value)
    if kind is int:
        return value * 10  # type: ignore[operator]
    if kind is Fraction or kind is Decimal or (isinstance(value, int) and kind is not bool):
        if kind is Decimal and not value.is_finite():  # type: ignore[union-attr]
            return None
        num, den = value.as_integer_ratio()  # type: ignore[union-attr]
        if den == 1:
            return num * 10
        if 10 % den == 0:
            return num * (10 // den)
    return None


@dataclass
class _Checked:
    """Sheets after validation: counted ones with their per-criterion tenths, and the incomplete ones."""

    counted: list[tuple[Sheet, tuple[int, ...]]]
    incomplete: list[Sheet]
    projects: list[str]  # every project named on any sheet, first-seen order
    groups: dict[str, int | None]  # group → first line naming it


def _validate(
    criteria: Sequence[Criterion], sheets: Iterable[Sheet], weights: Mapping[str, Fraction] | None
) -> tuple[list[tuple[str, int]], _Checked]:
    """Check every sheet in input order and stop at the first problem, reported with its line.

    The rules: evaluator and project named; an evaluator in exactly one group; with weights, every group named
    on any sheet (scored or not) has a weight and no group is blank; one sheet per evaluator and project,
    complete or not; each score an exact number in [0, max] with at most one decimal.
    """
    crit = _check_criteria(criteria)
    names = {name for name, _ in crit}
    evaluator_group: dict[str, tuple[str, int | None]] = {}
    seen: dict[tuple[str, str], int | None] = {}
    groups: dict[str, int | None] = {}
    projects: dict[str, None] = {}
    counted: list[tuple[Sheet, tuple[int, ...]]] = []
    incomplete: list[Sheet] = []
    for sheet in sheets:
        line = sheet.line
        evaluator, group, project = sheet.evaluator, sheet.group, sheet.project
        if not isinstance(evaluator, str) or not evaluator:
            raise ScoringError("missing_evaluator", "缺少评委姓名", "the evaluator is missing", line=line)
        if not isinstance(project, str) or not project:
            raise ScoringError("missing_project", "缺少项目名称", "the project is missing", line=line)
        if group is None:
            group = ""
        known = evaluator_group.get(evaluator)
        if known is None:
            evaluator_group[evaluator] = (group, line)
        elif known[0] != group:
            where_zh = f"（第 {known[1]} 行）" if known[1] is not None else ""
            where_en = f" (line {known[1]})" if known[1] is not None else ""
            raise ScoringError(
                "evaluator_in_two_groups",
                f"评委「{evaluator}」同时属于分组「{known[0]}」{where_zh}和「{group}」；每位评委只能属于一个分组",
                f"evaluator {evaluator!r} is in group {known[0]!r}{where_en} and in group {group!r}; "
                "an evaluator belongs to exactly one group",
                line=line,
            )
        if group not in groups:
            groups[group] = line
            if weights is not None:
                if group == "":
                    raise ScoringError(
                        "blank_group",
                        "设置了分组权重时分组不能为空",
                        "the group may not be blank when group weights are given",
                        line=line,
                    )
                if group not in weights:
                    raise ScoringError(
                        "missing_weight",
                        f"分组「{group}」没有权重；设置分组权重时每个分组都需要权重",
                        f"group {group!r} has no weight; with group weights every group needs one",
                        line=line,
                    )
        key = (evaluator, project)
        if key in seen:
            first = seen[key]
            where_zh = f"（第 {first} 行已有）" if first is not None else ""
            where_en = f" (already on line {first})" if first is not None else ""
            raise ScoringError(
                "duplicate_sheet",
                f"评委「{evaluator}」对项目「{project}」有两张评分表{where_zh}",
                f"evaluator {evaluator!r} has a second sheet for project {project!r}{where_en}",
                line=line,
            )
        seen[key] = line
        projects[project] = None
        scores = sheet.scores
        if not scores.keys() <= names:
            unknown = sorted(set(scores) - names)[0]
            raise ScoringError(
                "unknown_criterion",
                f"评分表含有未知评分项「{unknown}」",
                f"the sheet has an unknown criterion {unknown!r}",
                line=line,
            )
        values: list[int] = []
        complete = True
        for name, cap in crit:
            value = scores.get(name)
            if value is None:
                complete = False
                continue
            # Inlined fast path of _tenths() for the common exact types (this loop runs once per score).
            kind = type(value)
            if kind is int:
                tenths: int | None = value * 10
            elif kind is Fraction:
                num, den = value.as_integer_ratio()
                tenths = num * 10 if den == 1 else num * (10 // den) if 10 % den == 0 else None
            else:
                tenths = _tenths(value)
            if tenths is None:
                raise ScoringError(
                    "bad_score",
                    f"「{name}」的分数 {_score_text(value)} 无效：分数最多一位小数",
                    f"score {_score_text(value)} for {name!r} is invalid: at most one decimal",
                    line=line,
                )
            if tenths < 0 or tenths > cap:
                maximum = next(c.max for c in criteria if c.name == name)
                raise ScoringError(
                    "score_out_of_range",
                    f"「{name}」的分数 {_tenths_text(tenths)} 超出范围 0–{decimal_text(maximum)}",
                    f"score {_tenths_text(tenths)} for {name!r} is outside 0–{decimal_text(maximum)}",
                    line=line,
                )
            values.append(tenths)
        if complete:
            counted.append((sheet, tuple(values)))
        else:
            incomplete.append(sheet)
    return crit, _Checked(counted, incomplete, list(projects), groups)


def _check_weights(
    group_weights: Mapping[str, Fraction | int | Decimal | str] | None,
) -> dict[str, Fraction] | None:
    if not group_weights:
        return None
    out: dict[str, Fraction] = {}
    for name, raw in group_weights.items():
        weight = parse_weight(raw) if isinstance(raw, str) else _as_fraction(raw)
        if weight is None or weight <= 0:
            raise ScoringError(
                "bad_weight",
                f"分组「{name}」的权重必须是正数",
                f"the weight of group {name!r} must be a positive number",
            )
        out[name] = weight
    return out


# ----------------------------------------------------------------------------------------------------
# Pools


def _pool_ratio(totals: list[int], method: str, trim_min: int) -> tuple[int, int]:
    """The method applied to one pool's sorted totals (tenths), as num/den in points.

    ``trimmed``: with n ≥ trim_min drop one lowest and one highest and average the rest, else the plain mean.
    ``median``: the middle total, or the mean of the two middle totals when n is even.
    """
    n = len(totals)
    if method == "median":
        mid = n // 2
        if n % 2:
            return totals[mid], 10
        return totals[mid - 1] + totals[mid], 20
    total = sum(totals)
    if method == "trimmed" and n >= trim_min:
        return total - totals[0] - totals[-1], (n - 2) * 10
    return total, n * 10


def _pool_ratio_without(
    totals: list[int], total: int, removed: int, method: str, trim_min: int
) -> tuple[int, int] | None:
    """Like :func:`_pool_ratio` for the pool without one occurrence of ``removed``, in O(log n)."""
    n = len(totals) - 1
    if n == 0:
        return None
    if method == "median":
        pos = bisect_left(totals, removed)

        def at(k: int) -> int:
            return totals[k] if k < pos else totals[k + 1]

        mid = n // 2
        if n % 2:
            return at(mid), 10
        return at(mid - 1) + at(mid), 20
    rest = total - removed
    if method == "trimmed" and n >= trim_min:
        low = totals[1] if removed == totals[0] else totals[0]
        high = totals[-2] if removed == totals[-1] else totals[-1]
        return rest - low - high, (n - 2) * 10
    return rest, n * 10


def _combine(parts: Iterable[tuple[int, int, int]]) -> tuple[int, int]:
    """Weighted mean of group scores given as (integer weight, num, den); the weights are renormalised.

    Dividing by the sum of the weights of the groups present *is* the renormalisation: a group that did not
    score the project simply is not among the parts.
    """
    num, den, weight_sum = 0, 1, 0
    for weight, n, d in parts:
        num = num * d + weight * n * den
        den *= d
        weight_sum += weight
    return num, den * weight_sum


def _integer_weights(weights: Mapping[str, Fraction]) -> dict[str, int]:
    """Scale the weights to integers with the same ratios (exactly), so combination stays in integers."""
    common = 1
    for weight in weights.values():
        common = common * weight.denominator // math.gcd(common, weight.denominator)
    return {name: int(weight * common) for name, weight in weights.items()}


# ----------------------------------------------------------------------------------------------------
# Tally


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

    pools: dict[str, dict[str | None, list[int]]] = {}
    per_project: dict[str, list[tuple[int, ...]]] = {}
    rows: list[tuple[str, str, str, int, int | None]] = []
    for sheet, values in checked.counted:
        total = sum(values)
        project = sheet.project
        group = sheet.group or ""
        rows.append((sheet.evaluator, group, project, total, sheet.line))
        key = group if weight_ints is not None else None
        by_group = pools.get(project)
        if by_group is None:
            by_group = pools[project] = {}
            per_project[project] = []
        pool = by_group.get(key)
        if pool is None:
            by_group[key] = [total]
        else:
            pool.append(total)
        per_project[project].append(values)
    counts = {project: len(sheets_here) for project, sheets_here in per_project.items()}
    criteria_sums = {
        project: [sum(column) for column in zip(*v, strict=True)] for project, v in per_project.items()
    }

    pool_sums: dict[str, dict[str | None, int]] = {}
    scored: list[tuple[str, int, Fraction, dict[str, Fraction]]] = []
    for project, by_group in pools.items():
        ratios: dict[str | None, tuple[int, int]] = {}
        sums_here: dict[str | None, int] = {}
        for key, totals in by_group.items():
            totals.sort()
            sums_here[key] = sum(totals)
            ratios[key] = _pool_ratio(totals, method, trim_min)
        pool_sums[project] = sums_here
        if weight_ints is None:
            num, den = ratios[None]
            group_exact: dict[str, Fraction] = {}
        else:
            num, den = _combine((weight_ints[k], n, d) for k, (n, d) in ratios.items())  # type: ignore[index]
            group_exact = {k: Fraction(n, d) for k, (n, d) in sorted(ratios.items())}  # type: ignore[arg-type]
        scored.append((project, _hundredths(num, den), Fraction(num, den), group_exact))

    scored.sort(key=lambda item: (-item[1], item[0]))
    how_many: dict[int, int] = {}
    for _, h, _, _ in scored:
        how_many[h] = how_many.get(h, 0) + 1
    results: list[ProjectResult] = []
    hundredths: dict[str, int] = {}
    above = 0
    previous: int | None = None
    for index, (project, h, exact, group_exact) in enumerate(scored):
        if h != previous:
            above = index
            previous = h
        n = counts[project]
        sums = criteria_sums[project]
        hundredths[project] = h
        results.append(
            ProjectResult(
                project=project,
                score=_from_hundredths(h),
                exact=exact,
                rank=above + 1,
                tied=how_many[h] > 1,
                evaluators=n,
                groups={k: round_half_up(v) for k, v in group_exact.items()},
                groups_exact=group_exact,
                criteria={
                    name: _from_hundredths(_hundredths(sums[i], n * 10)) for i, (name, _) in enumerate(crit)
                },
            )
        )

    unranked = sorted({*checked.projects, *projects} - pools.keys())
    state = _TallyState(method, trim_min, weight_ints, pools, pool_sums, rows, hundredths)
    return TallyResult(
        method=method,
        trim_min=trim_min,
        group_weights=weights,
        criteria=tuple(criteria),
        projects=tuple(results),
        unranked=tuple(unranked),
        incomplete=tuple(checked.incomplete),
        counted=tuple(sheet for sheet, _ in checked.counted),
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


# ----------------------------------------------------------------------------------------------------
# Canonical sheet file and digest


def _csv_field(text: str) -> str:
    if any(c in text for c in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def canonical_table(
    criteria: Sequence[Criterion], sheets: Iterable[Sheet]
) -> tuple[list[str], list[tuple[str, str, str, tuple[int, ...]]]]:
    """The canonical header and rows (evaluator, group, project, scores in tenths) of the counted sheets.

    Shared by :func:`canonical_sheet_file` and the XLSX writer so both list the same rows in the same order.
    Text fields are NFKC-normalised and trimmed exactly as the reader does, so reading the file back and
    writing it again gives the same bytes — and therefore the same digest.
    """
    _, checked = _validate(criteria, sheets, None)
    header = ["evaluator", "group", "project"]
    header += [f"{cell_text(c.name)}({decimal_text(c.max)})" for c in criteria]
    rows = [
        (cell_text(sheet.evaluator), cell_text(sheet.group or ""), cell_text(sheet.project), values)
        for sheet, values in checked.counted
    ]
    rows.sort(key=lambda row: (row[2], row[0]))
    for before, after in pairwise(rows):
        if (before[0], before[2]) == (after[0], after[2]):
            # Names that differ only in width or surrounding spaces are one name once read back from the file.
            raise ScoringError(
                "duplicate_sheet",
                f"评委「{after[0]}」对项目「{after[2]}」有两张评分表",
                f"evaluator {after[0]!r} has two sheets for project {after[2]!r}",
            )
    return header, rows


def canonical_sheet_file(criteria: Sequence[Criterion], sheets: Iterable[Sheet]) -> str:
    """The canonical sheet file of the counted sheets (incomplete ones are left out), per PRODUCT.md.

    Header ``evaluator,group,project`` then ``name(max)`` per criterion in rubric order (maxima without a
    trailing ``.0``); rows sorted by project then evaluator in code point order; each score with exactly one
    decimal; a field quoted only when it holds a comma, a quote or a line break; ``\\n`` after every line, the
    last included.
    """
    header, rows = canonical_table(criteria, sheets)
    lines = [",".join(_csv_field(h) for h in header)]
    for evaluator, group, project, values in rows:
        fields = [evaluator, group, project, *(_tenths_text(v) for v in values)]
        lines.append(",".join(_csv_field(f) for f in fields))
    return "\n".join(lines) + "\n"


def digest(criteria: Sequence[Criterion], sheets: Iterable[Sheet]) -> str:
    """SHA-256 (hex) of the canonical sheet file in UTF-8 without BOM — what a published result carries, so an
    auditor can recompute it from the office's export."""
    return hashlib.sha256(canonical_sheet_file(criteria, sheets).encode("utf-8")).hexdigest()


# ----------------------------------------------------------------------------------------------------
# JSON


def result_payload(result: TallyResult) -> dict[str, object]:
    """The result as ``dajia tally --json`` prints it (Decimals for scores; criterion keys without
    ``(max)``)."""
    return {
        "method": result.method,
        "trim_min": result.trim_min,
        "projects": [
            {
                "project": p.project,
                "score": p.score,
                "rank": p.rank,
                "tied": p.tied,
                "evaluators": p.evaluators,
                "groups": dict(p.groups),
                "criteria": dict(p.criteria),
            }
            for p in result.projects
        ],
    }


def _json_decimal(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _json(value: object, indent: int, level: int) -> str:
    pad = "\n" + " " * (indent * (level + 1))
    end = "\n" + " " * (indent * level)
    if isinstance(value, Decimal):
        return _json_decimal(value)
    if isinstance(value, Fraction):
        return _json_decimal(round_half_up(value))
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        items = [
            f"{json.dumps(str(k), ensure_ascii=False)}: {_json(v, indent, level + 1)}"
            for k, v in value.items()
        ]
        return "{" + pad + ("," + pad).join(items) + end + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        return "[" + pad + ("," + pad).join(_json(v, indent, level + 1) for v in value) + end + "]"
    return json.dumps(value, ensure_ascii=False)


def result_json(result: TallyResult, *, indent: int = 2) -> str:
    """The JSON text of :func:`result_payload`; scores are written from their decimal text (80.5, not
    80.500001), trailing zeros dropped, so the number's value is exactly the rounded figure."""
    return _json(result_payload(result), indent, 0)
