"""The results selector: a session's sheets, read from the database, turned into engine inputs and tallied.

Every page, the JSON API, the exports, the PDF report and the publication call :func:`session_tally` (and
:func:`result_data` to serialise), so they all show the engine's figures — this module does no scoring
arithmetic of its own.

How database rows become engine inputs (what an auditor re-tallying the export needs to know):

* **Criteria** in rubric order (``Criterion.position``, then id), each ``name(max)`` with the maximum as an
  exact decimal.
* **Sheets**: every sheet of the session, complete or not; a missing or blank score is "not scored", so the
  engine decides which sheets count (all criteria scored) and reports the others as incomplete.
* **Names** are read the way the sheet file reads them — Unicode NFKC, spaces trimmed — so the names in the
  export, the published payload and ``dajia tally``'s output are the same strings. A project is named by its
  title; when two invited projects have the same title (two providers may both offer 职工心理减压工作坊), each
  is named ``title(provider name)``. Two evaluators whose names read the same after normalisation are
  named ``name#id``.
* **Method, trim_min and group weights** are the session's frozen ones; weights are stored as decimal strings
  ("0.4") and read exactly (2/5). A number stored by mistake as a JSON float is read from its shortest text.
* **Selection** uses the budget, the minimum score, each invited project's proposed amount and the chair's
  recorded tie-break order (see :func:`recorded_tie_break`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property

from django.db.models import F, IntegerField
from django.db.models.functions import Cast, Round

from dajia.consultations.models import Criterion, Evaluator, Score, Session, SessionProject, Sheet
from dajia.scoring import engine
from dajia.scoring.diagnostics import Diagnostics, diagnose
from dajia.scoring.engine import ProjectResult, ScoringError, SelectionEntry, SelectionResult, TallyResult
from dajia.scoring.grammar import cell_text

__all__ = [
    "ResultRow",
    "ScoringError",
    "SessionResults",
    "TieGroup",
    "money_text",
    "result_data",
    "score_text",
    "session_tally",
]


def score_text(value: Decimal | None) -> str | None:
    """A reported figure as text with exactly two decimals ("80.50"), the form used by the API and payload."""
    if value is None:
        return None
    return format(value.quantize(Decimal("0.01")), "f")


def money_text(value: Decimal | None) -> str | None:
    return score_text(value)


@dataclass(frozen=True)
class ResultRow:
    """One ranked project, in consideration order (rank order, tied projects in the recorded tie-break order,
    else by name), with its selection outcome."""

    entry: SessionProject
    name: str
    result: ProjectResult
    selection: SelectionEntry

    @property
    def title(self) -> str:
        return self.entry.project.title

    @property
    def organisation(self) -> str:
        return self.entry.project.provider.name


@dataclass(frozen=True)
class TieGroup:
    """Projects sharing one rounded score, with whether the chair's recorded order settles it."""

    score: Decimal
    rank: int
    rows: tuple[ResultRow, ...]
    broken: bool
    reason: str


@dataclass
class SessionResults:
    """What :func:`session_tally` returns beside the engine's :class:`TallyResult`."""

    session: Session
    criteria: list[Criterion]
    engine_criteria: tuple[engine.Criterion, ...]
    entries: list[SessionProject]
    names: dict[int, str]  # entry id → engine project name
    entries_by_name: dict[str, SessionProject]
    sheets_by_key: dict[tuple[str, str], int]  # (evaluator name, project name) → sheet id
    receipts: dict[int, str]  # sheet id → receipt code
    evaluator_names: dict[int, str]  # evaluator id → engine evaluator name
    tally: TallyResult
    selection: SelectionResult
    rows: list[ResultRow]
    unranked: list[SessionProject]
    groups: list[str]
    tie_groups: list[TieGroup]
    tie_break: dict[str, int]
    diagnostics: Diagnostics | None = None

    @property
    def counted_receipts(self) -> list[str]:
        """The receipt codes of the counted sheets, sorted (so the list says nothing about who or what)."""
        return sorted(self.receipts[self.sheets_by_key[(s.evaluator, s.project)]] for s in self.tally.counted)

    @cached_property
    def incomplete_sheets(self) -> list[Sheet]:
        """The sheets left out for a blank score, in the order they were recorded (one query, when asked)."""
        ids = [self.sheets_by_key[(s.evaluator, s.project)] for s in self.tally.incomplete]
        if not ids:
            return []
        return list(
            Sheet.objects.filter(pk__in=ids).select_related("evaluator", "entry__project").order_by("id")
        )

    @property
    def canonical_sheet_file(self) -> str:
        return engine.canonical_sheet_file(self.engine_criteria, self.tally.counted)

    @property
    def digest(self) -> str:
        return engine.digest(self.engine_criteria, self.tally.counted)

    @property
    def tie_break_needed(self) -> bool:
        return self.selection.tie_break_needed

    @property
    def pending_ties(self) -> list[TieGroup]:
        return [t for t in self.tie_groups if not t.broken]


def _weight_text(raw: object) -> str:
    if isinstance(raw, float):
        return repr(raw)
    return str(raw)


def session_weights(session: Session) -> dict[str, Fraction] | None:
    """The session's group weights, keyed by normalised group name, as exact fractions (None: one pool)."""
    if not session.group_weights:
        return None
    return {
        cell_text(name): engine.parse_weight(_weight_text(raw)) for name, raw in session.group_weights.items()
    }


def _unique_names(items: list[tuple[int, str, str]]) -> dict[int, str]:
    """id → name, for items given as (id, base name, name when the base is shared by two items)."""
    counts: dict[str, int] = {}
    for _, base, _ in items:
        counts[base] = counts.get(base, 0) + 1
    return {pk: base if counts[base] == 1 else qualified for pk, base, qualified in items}


def entry_names(entries: list[SessionProject]) -> dict[int, str]:
    """Entry id → the project's name in the engine, the export and ``dajia tally``: its title, or
    ``title(provider)`` when another invited project has the same title."""
    return _unique_names(
        [
            (e.pk, cell_text(e.project.title), cell_text(f"{e.project.title}({e.project.provider.name})"))
            for e in entries
        ]
    )


def panel_names(evaluators: list[Evaluator]) -> dict[int, str]:
    """Evaluator id → name in the engine and the export (``name#id`` if two names read the same)."""
    return _unique_names([(v.pk, cell_text(v.name), f"{cell_text(v.name)}#{v.pk}") for v in evaluators])


def recorded_tie_break(
    projects: tuple[ProjectResult, ...], entries_by_name: Mapping[str, SessionProject]
) -> tuple[dict[str, int], list[tuple[list[ProjectResult], bool, str]]]:
    """The chair's recorded order (project name → place, as the engine's ``select`` takes it) and the ties.

    A tie-break is recorded as places 1..k on the k projects of one tie (see
    ``services_results.tie_break_record``). It is applied only while it still describes a current tie
    exactly — every project sharing that rounded score has a place and the places are 1..k; otherwise (a
    sheet entered afterwards made or unmade a tie) it is ignored and the tie is reported as needing a
    decision, so a stale decision can never order projects it was not made about.
    """
    by_score: dict[int, list[ProjectResult]] = {}
    for p in projects:
        by_score.setdefault(p.hundredths, []).append(p)
    order: dict[str, int] = {}
    ties: list[tuple[list[ProjectResult], bool, str]] = []
    for members in by_score.values():
        if len(members) < 2:
            continue
        places = [entries_by_name[m.project].tie_break_order for m in members]
        broken = None not in places and sorted(places) == list(range(1, len(members) + 1))  # type: ignore[type-var]
        reason = ""
        if broken:
            for m, place in zip(members, places, strict=True):
                order[m.project] = place  # type: ignore[assignment]
            reasons = {entries_by_name[m.project].tie_break_reason for m in members}
            reason = "；".join(sorted(r for r in reasons if r))
        ties.append((members, broken, reason))
    return order, ties


def session_tally(session: Session, *, diagnostics: bool = False) -> tuple[TallyResult, SessionResults]:
    """Tally ``session`` with the engine; return the engine's result and what pages need beside it.

    A constant number of queries whatever the number of sheets. Raises :class:`ScoringError` when the
    session's data cannot be tallied (e.g. a group without a weight), with the reason in Chinese and English.
    """
    criteria = list(Criterion.objects.filter(session=session).order_by("position", "id"))
    entries = list(
        SessionProject.objects.filter(session=session)
        .select_related("project__provider")
        .order_by("position")
    )
    evaluators = list(Evaluator.objects.filter(session=session).order_by("id"))
    # Plain tuples, not model instances: a session of 200 evaluators × 100 projects has 20,000 sheets and
    # 120,000 scores, and building (and converting) that many objects cost seconds; the scores are read as
    # integer tenths (a score has one decimal, so value × 10 rounds to itself) and shared as one Decimal per
    # distinct value.
    sheets = list(
        Sheet.objects.filter(entry__session=session)
        .order_by("id")
        .values_list("id", "evaluator_id", "entry_id", "receipt")
    )
    points: dict[int, Decimal] = {}
    values: dict[int, dict[int, Decimal | None]] = {}
    for sheet_id, criterion_id, tenths in Score.objects.filter(sheet__entry__session=session).values_list(
        "sheet_id", "criterion_id", Cast(Round(F("value") * 10), IntegerField())
    ):
        if tenths is None:
            value = None
        else:
            value = points.get(tenths)
            if value is None:
                value = points[tenths] = Decimal(tenths).scaleb(-1)
        values.setdefault(sheet_id, {})[criterion_id] = value

    engine_criteria = tuple(engine.Criterion(cell_text(c.name), Fraction(c.max_points)) for c in criteria)
    criterion_names = {c.pk: ec.name for c, ec in zip(criteria, engine_criteria, strict=True)}
    names = entry_names(entries)
    entries_by_name = {names[e.pk]: e for e in entries}
    evaluator_names = panel_names(evaluators)
    evaluator_groups = {v.pk: cell_text(v.group) for v in evaluators}

    engine_sheets: list[engine.Sheet] = []
    sheets_by_key: dict[tuple[str, str], int] = {}
    receipts: dict[int, str] = {}
    for sheet_id, evaluator_id, entry_id, receipt in sheets:
        evaluator = evaluator_names[evaluator_id]
        project = names[entry_id]
        scores = {
            criterion_names[cid]: v for cid, v in values.get(sheet_id, {}).items() if cid in criterion_names
        }
        engine_sheets.append(engine.Sheet(evaluator, evaluator_groups[evaluator_id], project, scores))
        sheets_by_key[(evaluator, project)] = sheet_id
        receipts[sheet_id] = receipt

    result = engine.tally(
        engine_criteria,
        engine_sheets,
        method=session.method,
        trim_min=session.trim_min,
        group_weights=session_weights(session),
        projects=[names[e.pk] for e in entries],
    )
    amounts = {names[e.pk]: e.amount for e in entries}
    tie_break, ties = recorded_tie_break(result.projects, entries_by_name)
    selection = engine.select(
        result, budget=session.budget, minimum=session.minimum_score, amounts=amounts, tie_break=tie_break
    )
    by_name = {p.project: p for p in result.projects}
    rows = [
        ResultRow(entries_by_name[s.project], s.project, by_name[s.project], s) for s in selection.entries
    ]
    row_by_name = {row.name: row for row in rows}
    tie_groups = [
        TieGroup(
            score=members[0].score,
            rank=members[0].rank,
            rows=tuple(sorted((row_by_name[m.project] for m in members), key=rows.index)),
            broken=broken,
            reason=reason,
        )
        for members, broken, reason in ties
    ]
    tie_groups.sort(key=lambda t: t.rank)
    groups = sorted({g for p in result.projects for g in p.groups})
    context = SessionResults(
        session=session,
        criteria=criteria,
        engine_criteria=engine_criteria,
        entries=entries,
        names=names,
        entries_by_name=entries_by_name,
        sheets_by_key=sheets_by_key,
        receipts=receipts,
        evaluator_names=evaluator_names,
        tally=result,
        selection=selection,
        rows=rows,
        unranked=[entries_by_name[name] for name in result.unranked if name in entries_by_name],
        groups=groups,
        tie_groups=tie_groups,
        tie_break=tie_break,
    )
    if diagnostics:
        context.diagnostics = diagnose(
            result, budget=session.budget, minimum=session.minimum_score, amounts=amounts, tie_break=tie_break
        )
    return result, context


def result_data(context: SessionResults) -> dict:
    """The result as JSON-ready data — what the API returns, what publication stores and what the public
    ranking shows. Figures are strings with exactly two decimals ("80.50"); no evaluator names and no
    individual scores (only counts and means)."""
    session = context.session
    tally = context.tally
    weights = session_weights(session)
    criteria_names = [c.name for c in context.engine_criteria]
    projects = []
    for row in context.rows:
        p = row.result
        projects.append(
            {
                "entry_id": row.entry.pk,
                "project": row.name,
                "title": row.title,
                "organisation": row.organisation,
                "rank": p.rank,
                "score": score_text(p.score),
                "tied": p.tied,
                "evaluators": p.evaluators,
                "groups": {g: score_text(v) for g, v in p.groups.items()},
                "criteria": {name: score_text(p.criteria[name]) for name in criteria_names},
                "amount": money_text(row.entry.amount),
                "selected": row.selection.selected,
                "selection_reason": row.selection.reason,
                "tie_break_order": context.tie_break.get(row.name),
                "tie_break_reason": row.entry.tie_break_reason if row.name in context.tie_break else "",
            }
        )
    return {
        "session": session.pk,
        "title": session.title,
        "state": session.state,
        "method": tally.method,
        "trim_min": tally.trim_min,
        "group_weights": {g: engine.decimal_text(w) for g, w in (weights or {}).items()},
        "criteria": [{"name": c.name, "max": engine.decimal_text(c.max)} for c in context.engine_criteria],
        "budget": money_text(session.budget),
        "minimum_score": score_text(session.minimum_score),
        "projects": projects,
        "unranked": [
            {
                "entry_id": e.pk,
                "project": context.names[e.pk],
                "title": e.project.title,
                "organisation": e.project.provider.name,
                "amount": money_text(e.amount),
            }
            for e in context.unranked
        ],
        "selection": {
            "selected": list(context.selection.selected),
            "spent": money_text(context.selection.spent),
            "remaining": money_text(context.selection.remaining),
            "tie_break_needed": context.selection.tie_break_needed,
            "unbroken_ties": [list(t) for t in context.selection.unbroken_ties],
        },
        "counted_sheets": len(tally.counted),
        "incomplete_sheets": len(tally.incomplete),
    }
