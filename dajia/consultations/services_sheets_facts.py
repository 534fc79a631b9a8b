"""What a batch of sheets reads before deciding: the evaluators, the projects (locked), their sessions and
rubrics, the sheets already stored with their scores, the declared conflicts, the office's rights, and the
fresh receipt codes the decision may hand out.

``services_sheets.decide_sheets`` is a pure function over :class:`Facts`; this module is the only place that
fills them, in a few queries compiled once per shape (``core.reads``: a batch reads the same shapes every
time). It writes nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from dajia.accounts.permissions import can_manage_federation
from dajia.consultations.models import Conflict, Criterion, Evaluator, Score, SessionProject, Sheet
from dajia.consultations.selectors import sessions_by_pk
from dajia.core.reads import compiled_read

if TYPE_CHECKING:
    from dajia.consultations.services_sheets import SheetRequest

# Unambiguous for reading aloud and typing back: no 0/O, 1/I/L.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_receipt() -> str:
    """A receipt code such as ``7KQM-3XHD``: 8 characters from an unambiguous alphabet (31^8 ≈ 8.5×10^11)."""
    code = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(8))
    return f"{code[:4]}-{code[4:]}"


@dataclass
class SheetFacts:
    """A stored (or, within the batch, decided) sheet as the decision needs it."""

    pk: int | None
    submission_id: str
    receipt: str
    complete: bool
    source: str
    entered_by_id: int | None
    amendments: int
    scores: dict[int, Decimal | None]
    submitted_at: Any = None

    @classmethod
    def of(cls, sheet: Sheet, scores: dict[int, Decimal | None]) -> SheetFacts:
        return cls(scores=scores, **{name: getattr(sheet, name) for name in STORED})


# The sheet's columns a decision carries over unchanged from the row it read to the row it writes
# (``services_sheets`` builds that row: only the services build rows to be saved).
STORED = (
    "pk",
    "submission_id",
    "receipt",
    "complete",
    "source",
    "entered_by_id",
    "amendments",
    "submitted_at",
)


@dataclass
class Facts:
    """What a batch reads before deciding: everything ``decide_sheets`` may look at."""

    evaluators: dict  # id → Evaluator, and token → Evaluator
    entries: dict[int, SessionProject]  # with their sessions
    sheets: dict[tuple[int, int], SheetFacts]  # (evaluator, entry) → the sheet
    conflicts: set[tuple[int, int]]
    criteria: dict[int, list[Criterion]]  # session → its rubric
    office: set[tuple[int, int]]  # (actor id, federation id) pairs where the actor manages the federation
    receipts: list[str]  # fresh receipt codes, one per request
    now: Any = None


@compiled_read
def _evaluators_by_pk(ids):
    return Evaluator.objects.filter(pk__in=ids)


@compiled_read
def _evaluators_by_token(tokens):
    return Evaluator.objects.filter(token__in=tokens)


@compiled_read
def _entries_locked(ids):
    return SessionProject.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk")


@compiled_read
def _sheets_of(evaluator_ids, entry_ids):
    return Sheet.objects.filter(evaluator_id__in=evaluator_ids, entry_id__in=entry_ids)


@compiled_read
def _scores_of(sheet_ids):
    return Score.objects.filter(sheet_id__in=sheet_ids).values_list("sheet_id", "criterion_id", "value")


@compiled_read
def _conflicts_of(evaluator_ids, entry_ids):
    return Conflict.objects.filter(evaluator_id__in=evaluator_ids, entry_id__in=entry_ids).values_list(
        "evaluator_id", "entry_id"
    )


@compiled_read
def _criteria_of(session_ids):
    return Criterion.objects.filter(session_id__in=session_ids)


def load_facts(requests: list[SheetRequest]) -> Facts:
    """Everything the batch decides on, in a few queries compiled once (``core.reads``: a batch reads the
    same shapes every time). The projects' rows are locked (FOR NO KEY UPDATE on PostgreSQL, in id order, so
    two batches never deadlock) so a sheet and the closing of its window are serialised, and two submissions
    for the same project never race on the same sheet. On SQLite the IMMEDIATE transaction already holds the
    write lock."""
    ids = {r.evaluator_id for r in requests if r.evaluator_id is not None}
    tokens = {r.token for r in requests if r.evaluator_id is None and r.token and len(r.token) <= 64}
    evaluators: dict = {}
    for evaluator in [
        *(_evaluators_by_pk(ids) if ids else ()),
        *(_evaluators_by_token(tokens) if tokens else ()),
    ]:
        evaluators[evaluator.pk] = evaluator
        evaluators[evaluator.token] = evaluator
    entries = {e.pk: e for e in _entries_locked(sorted({r.entry_id for r in requests}))}
    sessions = {s.pk: s for s in sessions_by_pk({e.session_id for e in entries.values()})}
    for entry in entries.values():
        entry.session = sessions[entry.session_id]
    sheets: dict[tuple[int, int], SheetFacts] = {}
    conflicts: set[tuple[int, int]] = set()
    ev_ids = {e.pk for e in evaluators.values()}
    if ev_ids and entries:
        found = _sheets_of(ev_ids, entries)
        scores: dict[int, dict[int, Decimal]] = {sheet.pk: {} for sheet in found}
        for sheet_id, criterion_id, value in _scores_of(scores):
            scores[sheet_id][criterion_id] = value
        for sheet in found:
            sheets[(sheet.evaluator_id, sheet.entry_id)] = SheetFacts.of(sheet, scores[sheet.pk])
        conflicts = set(_conflicts_of(ev_ids, entries))
    criteria: dict[int, list[Criterion]] = {}
    for criterion in _criteria_of(sessions):
        criteria.setdefault(criterion.session_id, []).append(criterion)
    office = {
        (r.actor.pk, e.session.federation_id)
        for r in requests
        if r.actor is not None
        and (e := entries.get(r.entry_id)) is not None
        and can_manage_federation(r.actor, e.session.federation_id)
    }
    return Facts(
        evaluators=evaluators,
        entries=entries,
        sheets=sheets,
        conflicts=conflicts,
        criteria=criteria,
        office=office,
        receipts=[new_receipt() for _ in requests],
        now=timezone.now(),
    )
