"""What the engine accepts and what it refuses: criteria, score sheets and group weights, checked before any
arithmetic.

Split from :mod:`dajia.scoring.engine` because checking ~20,000 sheets is most of a tally's work and has its
own design: :func:`_validate` first checks the whole input column by column with C-level operations (sets of
names, one lookup per score from its value to its tenths), and only when that finds *something* wrong — or
input it does not handle, such as a mapping that is not a ``dict`` — does it check again sheet by sheet
(:func:`_validate_each`, the rules as written) to report the *first* problem in input order, with its line.
Both give the same result for valid input; the property tests hold them to it. The public names are
re-exported by :mod:`dajia.scoring.engine`.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from itertools import compress, repeat

from dajia.scoring.grammar import cell_text
from dajia.scoring.numbers import _tenths_text, decimal_text

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


def _score_text(value: object) -> str:
    if isinstance(value, Fraction | int | Decimal) and not isinstance(value, bool):
        try:
            return decimal_text(value)
        except (ValueError, TypeError, OverflowError):  # Decimal infinity has no ratio: quote it as written
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
    """Sheets after validation, the counted ones as columns (one entry per counted sheet, in input order)."""

    counted: list[Sheet]
    columns: list[list[int]]  # per criterion, in rubric order: the scores in tenths
    totals: list[int]  # the sheet totals in tenths
    evaluators: list[str]
    groups_of: list[str]  # the sheet's group, "" when blank or None
    projects_of: list[str]
    lines: list[int | None]
    incomplete: list[Sheet]
    projects: list[str]  # every project named on any sheet, first-seen order
    groups: dict[str, int | None]  # group → first line naming it
    # project → group → positions of its counted sheets in the columns (projects and groups first-seen), and
    # evaluator → positions.
    positions: dict[str, dict[str, list[int]]]
    by_evaluator: dict[str, list[int]]

    def values(self) -> list[tuple[int, ...]]:
        """Each counted sheet's tenths in rubric order (the rows of the canonical sheet file)."""
        return list(zip(*self.columns, strict=True)) if self.counted else []


def _positions(
    projects: Sequence[str], groups: Sequence[str], evaluators: Sequence[str]
) -> tuple[dict[str, dict[str, list[int]]], dict[str, list[int]]]:
    """project → group → positions, and evaluator → positions (first-seen orders), in one pass: the only
    loop over the sheets in Python on the fast path (the tally and the diagnostics group by both).

    defaultdicts make each step one subscription; they are returned as plain dicts, so that looking up a
    name that is not there raises instead of quietly adding it.
    """
    by_project: defaultdict[str, defaultdict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    by_evaluator: defaultdict[str, list[int]] = defaultdict(list)
    for index, project, group, evaluator in zip(
        range(len(projects)), projects, groups, evaluators, strict=True
    ):
        by_evaluator[evaluator].append(index)
        by_project[project][group].append(index)
    return {project: dict(here) for project, here in by_project.items()}, dict(by_evaluator)


def _totals(columns: Sequence[list[int]], n: int) -> list[int]:
    return list(map(sum, zip(*columns, strict=True))) if n else []


def _sheet_tenths(
    scores: Mapping[str, object],
    crit: Sequence[tuple[str, int]],
    maxima: Mapping[str, object],
    line: int | None,
) -> tuple[int, ...] | None:
    """One sheet's scores in tenths in rubric order, or None when a criterion is blank (incomplete).

    The rules, checked in this order: no criterion outside the rubric; each score an exact number with at most
    one decimal, in [0, max].
    """
    if not scores.keys() <= maxima.keys():
        unknown = sorted(set(scores) - maxima.keys())[0]
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
        tenths = _tenths(value)
        if tenths is None:
            raise ScoringError(
                "bad_score",
                f"「{name}」的分数 {_score_text(value)} 无效：分数最多一位小数",
                f"score {_score_text(value)} for {name!r} is invalid: at most one decimal",
                line=line,
            )
        if tenths < 0 or tenths > cap:
            maximum = decimal_text(maxima[name])  # type: ignore[arg-type]
            raise ScoringError(
                "score_out_of_range",
                f"「{name}」的分数 {_tenths_text(tenths)} 超出范围 0–{maximum}",
                f"score {_tenths_text(tenths)} for {name!r} is outside 0–{maximum}",
                line=line,
            )
        values.append(tenths)
    return tuple(values) if complete else None


def _validate_each(
    crit: Sequence[tuple[str, int]],
    maxima: Mapping[str, object],
    sheets: Iterable[Sheet],
    weights: Mapping[str, Fraction] | None,
) -> _Checked:
    """The rules as written, sheet by sheet in input order: raises the first problem, with its line."""
    evaluator_group: dict[str, tuple[str, int | None]] = {}
    seen: dict[tuple[str, str], int | None] = {}
    groups: dict[str, int | None] = {}
    projects: dict[str, None] = {}
    counted: list[tuple[Sheet, str, tuple[int, ...]]] = []
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
        values = _sheet_tenths(sheet.scores, crit, maxima, line)
        if values is None:
            incomplete.append(sheet)
        else:
            counted.append((sheet, group or "", values))
    positions, by_evaluator = _positions(
        [sheet.project for sheet, _, _ in counted],
        [group for _, group, _ in counted],
        [sheet.evaluator for sheet, _, _ in counted],
    )
    columns = [list(column) for column in zip(*(v for _, _, v in counted), strict=True)]
    if not columns:
        columns = [[] for _ in crit]
    return _Checked(
        counted=[sheet for sheet, _, _ in counted],
        columns=columns,
        totals=_totals(columns, len(counted)),
        evaluators=[sheet.evaluator for sheet, _, _ in counted],
        groups_of=[group for _, group, _ in counted],
        projects_of=[sheet.project for sheet, _, _ in counted],
        lines=[sheet.line for sheet, _, _ in counted],
        incomplete=incomplete,
        projects=list(projects),
        groups=groups,
        positions=positions,
        by_evaluator=by_evaluator,
    )


_NONE = type(None)
# Score types whose value can be looked up in a table keyed by value: Decimal and int hash in C, and a
# lookup finds only a score equal in value. Never bool (True == 1) or float (8.5 == Decimal("8.5")), so the
# table is used only when every score in the column is exactly one of these types.
_BY_VALUE = frozenset({Decimal, int, _NONE})


@lru_cache(maxsize=16)
def _tenths_by_value(cap: int) -> dict[Decimal, int]:
    """Every valid score from 0 to cap tenths, as a Decimal written exactly (not through a context)."""
    return {Decimal(f"{t // 10}.{t % 10}"): t for t in range(cap + 1)}


class _ByObject:
    """Scores worked out once per distinct score *object*, keyed by ``id``, for the types that cannot be
    looked up by value cheaply: a Fraction hashes in Python (slow), but the sheet file reader shares one
    object per distinct score text, so a session holds a few hundred score objects, not one per score.

    Safe: every object whose id is kept is also kept (``_objects``) for as long as the ids are, so no id can
    be reused by another object meanwhile.
    """

    def __init__(self, scores: list[dict[str, object]]) -> None:
        self._tenths: dict[int, int | None] = {}  # id → tenths, or None when not a valid score
        self._objects: list[object] = []
        # Seed with the first sheets' scores, so that the columns below rarely meet an object not seen yet.
        for sheet in scores[:50]:
            for value in sheet.values():
                self._add(value)

    def _add(self, value: object) -> int | None:
        key = id(value)
        if key not in self._tenths:
            tenths = _tenths(value)
            self._tenths[key] = tenths if tenths is not None and tenths >= 0 else None
            self._objects.append(value)
        return self._tenths[key]

    def column(self, scores: list[dict[str, object]], name: str, cap: int) -> list[int | None]:
        known = {key: t for key, t in self._tenths.items() if t is not None and t <= cap}
        column = list(map(known.get, map(id, map(dict.get, scores, repeat(name)))))
        index = -1
        while True:  # objects not seen yet (and blanks, and scores out of range)
            try:
                index = column.index(None, index + 1)
            except ValueError:
                return column
            value = scores[index].get(name)
            key = id(value)
            tenths = known.get(key)
            if tenths is None and key not in self._tenths:
                tenths = self._add(value)
                if tenths is not None and tenths <= cap:
                    known[key] = tenths
                else:
                    tenths = None
            column[index] = tenths


def _lookup_tenths(
    scores: list[dict[str, object]], name: str, cap: int, by_object: list[_ByObject]
) -> list[int | None] | None:
    """Each sheet's score for criterion ``name`` in tenths, None where it is blank or not a valid score of at
    most ``cap`` tenths; None when the rules must say why (a signalling NaN cannot even be hashed).

    Decimals from the database are one object per score, so they are looked up by value; anything else once
    per distinct object (:class:`_ByObject`, made on first use and shared by the columns).
    """
    first = scores[0].get(name)
    if type(first) in _BY_VALUE:
        column = list(map(dict.get, scores, repeat(name)))
        if set(map(type, column)) <= _BY_VALUE:
            try:
                return list(map(_tenths_by_value(cap).get, column))
            except (TypeError, ArithmeticError):
                return None
    if not by_object:
        by_object.append(_ByObject(scores))
    return by_object[0].column(scores, name, cap)


def _validate_fast(
    crit: Sequence[tuple[str, int]],
    maxima: Mapping[str, object],
    sheets: list[Sheet],
    weights: Mapping[str, Fraction] | None,
) -> _Checked | None:
    """The same checks over the whole input at once; None when anything is wrong (or not handled here).

    Column by column with C-level operations (map, set, dict), one list per field rather than a tuple per
    sheet, as every object made here is one more for the garbage collector to visit.
    """
    n, width = len(sheets), len(crit)
    if not n:
        return None
    evaluators = [sheet.evaluator for sheet in sheets]
    groups = [sheet.group for sheet in sheets]
    projects = [sheet.project for sheet in sheets]
    scores = [sheet.scores for sheet in sheets]
    lines = [sheet.line for sheet in sheets]
    # Types and blanks are checked on the distinct names only (hashing an unhashable name raises TypeError).
    try:
        evaluator_names = dict.fromkeys(evaluators)
        project_names = dict.fromkeys(projects)
        group_names = dict.fromkeys(groups)
    except TypeError:
        return None
    if None in group_names:
        groups = ["" if g is None else g for g in groups]
        group_names = dict.fromkeys(groups)
    for names in (evaluator_names, project_names, group_names):
        if set(map(type, names)) != {str}:
            return None
    if "" in evaluator_names or "" in project_names or set(map(type, scores)) != {dict}:
        return None
    if weights is not None and ("" in group_names or not group_names.keys() <= weights.keys()):
        return None
    positions, by_evaluator = _positions(projects, groups, evaluators)
    members: dict[str, set[str]] = {group: set() for group in group_names}
    for here in positions.values():
        for group, mine in here.items():
            named = set(map(evaluators.__getitem__, mine))
            if len(named) != len(mine):
                return None  # a second sheet by an evaluator for a project
            members[group] |= named
    if sum(map(len, members.values())) != len(evaluator_names):
        return None  # an evaluator in two groups (or two sheets for a project, one in each group)
    if max(map(len, scores)) > width:
        return None  # a criterion outside the rubric
    columns: list[list[int]] = []
    by_object: list[_ByObject] = []
    for name, cap in crit:
        column = _lookup_tenths(scores, name, cap, by_object)
        if column is None:
            return None
        columns.append(column)  # type: ignore[arg-type]
    try:
        totals = _totals(columns, n)
    except TypeError:  # a blank, missing or invalid score (None here)
        incomplete = _check_flagged(crit, maxima, columns, scores, lines)
        if incomplete is None:
            return None
    else:
        incomplete = []
    first_line = dict(zip(reversed(groups), reversed(lines), strict=True))
    counted = sheets
    if incomplete:
        keep = [True] * n
        for index in incomplete:
            keep[index] = False
        columns = [list(compress(column, keep)) for column in columns]
        counted, evaluators, groups, projects, lines = (
            list(compress(c, keep)) for c in (sheets, evaluators, groups, projects, lines)
        )
        positions, by_evaluator = _positions(projects, groups, evaluators)
        totals = _totals(columns, len(counted))
    return _Checked(
        counted=list(counted),
        columns=columns,
        totals=totals,
        evaluators=evaluators,
        groups_of=groups,
        projects_of=projects,
        lines=lines,
        incomplete=[sheets[i] for i in incomplete],
        projects=list(project_names),
        groups={group: first_line[group] for group in group_names},
        positions=positions,
        by_evaluator=by_evaluator,
    )


def _check_flagged(
    crit: Sequence[tuple[str, int]],
    maxima: Mapping[str, object],
    columns: list[list[int | None]],
    scores: list[dict[str, object]],
    lines: list[int | None],
) -> list[int] | None:
    """The sheets with a None in the columns, each checked on its own: their positions when incomplete (their
    scores then set to 0), their tenths filled in when valid after all; None when one is invalid (the rules
    then find the first problem in input order)."""
    flagged: set[int] = set()
    for column in columns:
        index = -1
        while True:
            try:
                index = column.index(None, index + 1)
            except ValueError:
                break
            flagged.add(index)
    incomplete: list[int] = []
    for index in sorted(flagged):
        try:
            values = _sheet_tenths(scores[index], crit, maxima, lines[index])
        except ScoringError:
            return None
        if values is None:
            incomplete.append(index)
            values = (0,) * len(crit)
        for column, value in zip(columns, values, strict=True):
            column[index] = value
    return incomplete


def _validate(
    criteria: Sequence[Criterion], sheets: Iterable[Sheet], weights: Mapping[str, Fraction] | None
) -> tuple[list[tuple[str, int]], _Checked]:
    """Check every sheet and stop at the first problem in input order, reported with its line.

    The rules: evaluator and project named; an evaluator in exactly one group; with weights, every group named
    on any sheet (scored or not) has a weight and no group is blank; one sheet per evaluator and project,
    complete or not; each score an exact number in [0, max] with at most one decimal.
    """
    crit = _check_criteria(criteria)
    maxima = {c.name: c.max for c in criteria}
    sheets = list(sheets)
    checked = _validate_fast(crit, maxima, sheets, weights)
    if checked is None:
        checked = _validate_each(crit, maxima, sheets, weights)
    return crit, checked


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
