"""Sheets: an evaluator's scores for one project — from a phone, typed in from paper by the office, or
amended — and the conflicts of interest that keep an evaluator from scoring a project.

The key function is :func:`sheet_submit`: idempotent on ``(evaluator, entry, submission_id)`` so a phone may
retry a sheet as often as the venue Wi-Fi requires, and safe when the whole panel submits at once (one sheet per
evaluator and project is a database constraint; the entry row is locked while a sheet is written). Scores are
read by the one score grammar, ``dajia.scoring.grammar``; the sheet file and ``dajia tally`` read them with it
too. Imported files are ``services_results.sheets_import``, which writes each row through :func:`sheet_submit`.
What a batch reads before deciding (and the receipt codes) is ``services_sheets_facts``.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from dajia.accounts.permissions import require_office
from dajia.consultations.models import Conflict, Criterion, Evaluator, Score, Session, SessionProject, Sheet
from dajia.consultations.services_base import evaluator_label, lock_entry, publish_event
from dajia.consultations.services_console import progress_counts, progress_counts_many
from dajia.consultations.services_sheets_facts import STORED, Facts, SheetFacts, load_facts
from dajia.core import audit
from dajia.core.batches import each_speaking
from dajia.core.bulk import insert_instances
from dajia.core.inputs import clean_text
from dajia.scoring.grammar import ScoreRefused, read_score


@dataclass
class SubmitResult:
    sheet: Sheet
    receipt: str
    created: bool
    changed: bool


def require_paper_window(session: Session) -> None:
    """Paper and imported sheets are entered by the office while the session is open or closed — after the
    last window closes (a phone that failed) but never once the results are revealed."""
    if session.state not in (Session.State.OPEN, Session.State.CLOSED):
        raise ValidationError(
            _(
                "Paper sheets can be entered while the session is open or closed, before the results are "
                "revealed."
            ),
            code="closed",
        )


@transaction.atomic
def conflict_declare(*, evaluator: Evaluator, entry: SessionProject, reason: str = "") -> Conflict:
    """An evaluator declares a conflict of interest for a project: they will have no sheet for it. Refused
    once they have submitted a sheet for it (the office must then decide, so a sheet is never silently lost)."""
    entry = lock_entry(entry)
    evaluator = Evaluator.objects.get(pk=evaluator.pk)
    session = entry.session
    if evaluator.session_id != entry.session_id:
        raise PermissionDenied
    if session.state not in (Session.State.DRAFT, Session.State.OPEN):
        raise ValidationError(_("The session is closed; conflicts can no longer be declared."))
    existing = Conflict.objects.filter(evaluator=evaluator, entry=entry).first()
    if existing:
        return existing
    if Sheet.objects.filter(evaluator=evaluator, entry=entry).exists():
        raise ValidationError(
            _(
                "You have already submitted scores for this project. To withdraw them because of a conflict of "
                "interest, please tell the session staff."
            )
        )
    reason = clean_text(reason, field="reason", label=_("the reason"), max_length=200, required=False)
    conflict = Conflict.objects.create(evaluator=evaluator, entry=entry, reason=reason)
    audit.log(
        actor=None,
        actor_label=evaluator_label(evaluator),
        action="consultations.conflict.declare",
        obj=conflict,
        after={"evaluator": evaluator.pk, "entry": entry.pk, "reason": reason},
        federation_id=session.federation_id,
    )
    publish_event(session.pk, "progress", progress_counts(entry))
    return conflict


def score_refusals() -> dict[str, str]:
    """How a refused score is worded, per reason of ``scoring.grammar`` (placeholders ``%(name)s``,
    ``%(max)s``, ``%(value)s``): the service's errors, and the phone's own check before sending."""
    return {
        "decimals": _("%(name)s: at most one decimal place (e.g. 18.5); the maximum is %(max)s."),
        "unit": _("%(name)s: enter the number only, without 分 or other units (0 to %(max)s)."),
        "negative": _("%(name)s: the score cannot be negative; enter 0 to %(max)s."),
        "format": _("%(name)s: enter a number from 0 to %(max)s with at most one decimal, e.g. 18 or 18.5."),
        "above_max": _("%(name)s: the maximum is %(max)s points; %(value)s is too high."),
    }


def parse_score(raw, criterion: Criterion) -> Decimal | None:
    """One score as typed, read by the score grammar: blank/None = not scored; otherwise a number in [0, max]
    with at most one decimal (full-width digits read as digits). Raises ValidationError naming the criterion
    and its maximum."""
    try:
        value = read_score(raw, criterion.max_points)
    except ScoreRefused as refused:
        params = {
            "name": criterion.name,
            "max": f"{criterion.max_points.normalize():f}",
            "value": refused.text,
        }
        raise ValidationError(score_refusals()[refused.reason] % params, code="score") from None
    if value is None:
        return None
    # Exact: a score has at most one decimal, so numerator / denominator (1, 2, 5 or 10) never rounds.
    return Decimal(value.numerator) / value.denominator


def parse_scores(scores: Mapping, criteria: list[Criterion]) -> dict[int, Decimal | None]:
    """All scores of a sheet, keyed by criterion id. Errors are collected per criterion (key: the id)."""
    by_id = {c.pk: c for c in criteria}
    keyed: dict[int, object] = {}
    for key, raw in (scores or {}).items():
        try:
            cid = int(key)
        except (TypeError, ValueError):
            cid = None
        if cid not in by_id:
            raise ValidationError(
                _("The sheet names a criterion that is not on this session's rubric."), code="criterion"
            )
        keyed[cid] = raw
    values: dict[int, Decimal | None] = {}
    errors: dict[str, list[str]] = {}
    for c in criteria:
        try:
            values[c.pk] = parse_score(keyed.get(c.pk), c)
        except ValidationError as e:
            errors[str(c.pk)] = e.messages
    if errors:
        raise ValidationError(errors)
    return values


def _one_decimal(value: Decimal | None) -> str | None:
    """A score as the canonical sheet file writes it (exactly one decimal), for the audit log."""
    return None if value is None else f"{value:.1f}"


@dataclass(frozen=True)
class SheetRequest:
    """One sheet as a phone, the office's form or an import sends it. The evaluator is named by id, or by the
    token of their link (the phone's request); ``language`` is the one the request was made in (the phones of
    one batch may differ), empty for the active one."""

    entry_id: int
    scores: Mapping
    submission_id: str
    evaluator_id: int | None = None
    token: str = ""
    source: str = Sheet.Source.PHONE
    actor: Any = None
    language: str = ""


@dataclass
class SheetOutcome:
    """What became of one request: ``created``, ``amended``, ``retry`` (the stored receipt, nothing changed) or
    ``refused`` (``error`` says why: a ValidationError with its code, PermissionDenied, or ``Http404`` when the
    evaluator or the project is not found)."""

    kind: str
    receipt: str = ""
    complete: bool = False
    submission_id: str = ""
    error: Exception | None = None
    sheet_id: int | None = None

    @property
    def created(self) -> bool:
        return self.kind == "created"

    @property
    def changed(self) -> bool:
        return self.kind in ("created", "amended")


@dataclass
class _Write:
    """One decided change: the request's index, the sheet's key and its state before (None: a new sheet)."""

    index: int
    key: tuple[int, int]
    before: dict | None
    after: dict
    label: str
    actor: Any
    federation_id: int


def _submission_id(request: SheetRequest) -> str | Exception:
    if request.source not in Sheet.Source.values:
        return ValidationError(_("Unknown sheet source."))
    submission_id = str(request.submission_id or "").strip()
    if request.source == Sheet.Source.PHONE:
        if not submission_id or len(submission_id) > 64:
            return ValidationError(_("The sheet has no valid submission id; please reload the page."))
    elif not submission_id:
        submission_id = f"{request.source}-{secrets.token_hex(8)}"
    return submission_id[:64]


def decide_sheets(requests: list[SheetRequest], facts: Facts) -> tuple[list[SheetOutcome], list[_Write]]:
    """The rule of a sheet, for a batch, in request order: pure (no database, no I/O), so a later request of
    the batch sees the state the earlier ones leave — a second copy of one submission id is a retry, a new id
    for a sheet decided a moment earlier is an amendment of it.

    ``facts.sheets`` is updated in place to the state after the batch.
    """
    outcomes: list[SheetOutcome] = []
    writes: list[_Write] = []
    for index, request in each_speaking(enumerate(requests), lambda pair: pair[1].language):
        outcome, write = _decide_one(index, request, facts)
        outcomes.append(outcome)
        if write is not None:
            writes.append(write)
    return outcomes, writes


def _decide_one(index: int, request: SheetRequest, facts: Facts) -> tuple[SheetOutcome, _Write | None]:
    refused = _submission_id(request)
    if isinstance(refused, Exception):
        return SheetOutcome("refused", error=refused), None
    submission_id = refused
    evaluator = facts.evaluators.get(
        request.evaluator_id if request.evaluator_id is not None else request.token
    )
    entry = facts.entries.get(request.entry_id)
    if evaluator is None or entry is None:
        return SheetOutcome("refused", error=Http404()), None
    if evaluator.session_id != entry.session_id:
        return SheetOutcome(
            "refused", error=PermissionDenied(_("This project is not part of your session."))
        ), None
    session = entry.session
    key = (evaluator.pk, entry.pk)
    existing = facts.sheets.get(key)
    if existing is not None and existing.submission_id == submission_id:
        return SheetOutcome(
            "retry", existing.receipt, existing.complete, existing.submission_id, sheet_id=existing.pk
        ), None
    if request.source == Sheet.Source.PHONE:
        if session.state != Session.State.OPEN or entry.window == SessionProject.Window.CLOSED:
            error = ValidationError(
                _("The scoring window for this project is closed; this sheet was not accepted."),
                code="closed",
            )
            return SheetOutcome("refused", error=error), None
        if entry.window != SessionProject.Window.SCORING:
            error = ValidationError(_("Scoring for this project has not started yet."), code="not_open")
            return SheetOutcome("refused", error=error), None
    else:
        actor = request.actor
        if actor is None or (getattr(actor, "pk", None), session.federation_id) not in facts.office:
            return SheetOutcome(
                "refused", error=PermissionDenied(_("Only the union office may enter paper sheets."))
            ), None
        try:
            require_paper_window(session)
        except ValidationError as error:
            return SheetOutcome("refused", error=error), None
    if key in facts.conflicts:
        error = ValidationError(
            _("A conflict of interest is declared for this project, so this evaluator cannot score it."),
            code="conflict",
        )
        return SheetOutcome("refused", error=error), None
    criteria = facts.criteria.get(session.pk, [])
    try:
        values = parse_scores(request.scores, criteria)
    except ValidationError as error:
        return SheetOutcome("refused", error=error), None
    names = {c.pk: c.name for c in criteria}
    complete = all(v is not None for v in values.values())
    phone = request.source == Sheet.Source.PHONE
    entered_by_id = None if phone else getattr(request.actor, "pk", None)
    receipt = facts.receipts[index]
    before = None
    if existing is not None:
        before = {
            "receipt": existing.receipt,
            "complete": existing.complete,
            "scores": {names[cid]: _one_decimal(v) for cid, v in existing.scores.items() if cid in names},
        }
    facts.sheets[key] = SheetFacts(
        pk=existing.pk if existing else None,
        submission_id=submission_id,
        receipt=receipt,
        complete=complete,
        source=request.source,
        entered_by_id=entered_by_id,
        amendments=existing.amendments + 1 if existing else 0,
        scores=values,
        submitted_at=existing.submitted_at if existing else facts.now,
    )
    after = {
        "receipt": receipt,
        "complete": complete,
        "source": request.source,
        "scores": {names[cid]: _one_decimal(v) for cid, v in values.items()},
    }
    write = _Write(
        index=index,
        key=key,
        before=before,
        after=after,
        label=evaluator_label(evaluator) if phone else "",
        actor=None if phone else request.actor,
        federation_id=session.federation_id,
    )
    kind = "created" if existing is None else "amended"
    return SheetOutcome(kind, receipt, complete, submission_id), write


def _write(
    requests: list[SheetRequest], facts: Facts, writes: list[_Write], outcomes: list[SheetOutcome]
) -> None:
    """Store the decided sheets with bulk operations, audit them in one call and announce the progress."""
    if not writes:
        return
    now = facts.now
    final = {w.key: facts.sheets[w.key] for w in writes}
    new = {key: s for key, s in final.items() if s.pk is None}
    amended = {key: s for key, s in final.items() if s.pk is not None}

    def _row(key, s: SheetFacts) -> Sheet:
        fields = {name: getattr(s, name) for name in STORED}
        fields["submitted_at"] = s.submitted_at or now
        return Sheet(evaluator_id=key[0], entry_id=key[1], updated_at=now, **fields)

    if amended:
        Sheet.objects.bulk_update(
            [_row(key, s) for key, s in amended.items()],
            ["receipt", "submission_id", "complete", "source", "entered_by", "amendments", "updated_at"],
        )
        Score.objects.filter(sheet_id__in=[s.pk for s in amended.values()]).delete()
    if new:
        created = insert_instances([_row(key, s) for key, s in new.items()])
        for s, row in zip(new.values(), created, strict=True):
            s.pk = row.pk
    insert_instances(
        [
            Score(sheet_id=s.pk, criterion_id=cid, value=v)
            for s in final.values()
            for cid, v in s.scores.items()
        ]
    )
    entries: list = []
    for w in writes:
        sheet = final[w.key]
        outcomes[w.index].sheet_id = sheet.pk
        entries.append(
            audit.record(
                actor=w.actor,
                actor_label=w.label,
                action="consultations.sheet.submit" if w.before is None else "consultations.sheet.amend",
                obj=Sheet(pk=sheet.pk, receipt=w.after["receipt"]),
                before=w.before,
                after=w.after,
                federation_id=w.federation_id,
            )
        )
    audit.log_many(entries)
    phones = {w.key[0] for w in writes if requests[w.index].source == Sheet.Source.PHONE}
    if phones:
        Evaluator.objects.filter(pk__in=phones).update(last_seen_at=now)
    counts = progress_counts_many({key[1] for key in final})
    for entry_id, data in counts.items():
        publish_event(facts.entries[entry_id].session_id, "progress", data)


@transaction.atomic
def sheets_submit(*, requests: list[SheetRequest]) -> list[SheetOutcome]:
    """Record many sheets at once — the one implementation of the sheet rule (a single sheet is a batch of
    one, :func:`sheet_submit`). One outcome per request, in request order:

    - The same ``submission_id`` again (a retry, a double tap, a second copy in the same batch) answers with
      the stored receipt and changes nothing, even after the window has closed: the first attempt did arrive.
    - A different ``submission_id`` for an existing sheet is an amendment: the scores are replaced, a new
      receipt is issued and the change is audited.
    - From a phone only while the project's window is open for scoring; paper/imported sheets (entered by the
      office) while the session is open or closed, never after the reveal.

    The facts are read in a few queries, each request decided by :func:`decide_sheets`, the changes written
    with bulk operations and audited with one ``audit.log_many``; progress events go out on commit.
    """
    if not requests:
        return []
    for attempt in range(2):
        facts = load_facts(requests)
        outcomes, writes = decide_sheets(requests, facts)
        try:
            with transaction.atomic():
                _write(requests, facts, writes, outcomes)
            return outcomes
        except IntegrityError:
            # A receipt code drawn twice (about 1 in 10^11), or a sheet another writer created between our
            # read and our write: read again and decide again.
            if attempt:
                raise
    raise AssertionError("unreachable")


def sheet_submit(
    *,
    evaluator: Evaluator,
    entry: SessionProject,
    scores: Mapping[int, object],
    submission_id: str,
    source: str = Sheet.Source.PHONE,
    actor=None,
) -> SubmitResult:
    """Record one evaluator's sheet for one project — idempotently: :func:`sheets_submit` for a batch of one,
    its refusal raised (ValidationError with its code, or PermissionDenied)."""
    (outcome,) = sheets_submit(
        requests=[
            SheetRequest(
                entry_id=entry.pk,
                scores=scores,
                submission_id=submission_id,
                evaluator_id=evaluator.pk,
                source=source,
                actor=actor,
            )
        ]
    )
    if outcome.error is not None:
        if isinstance(outcome.error, Http404):
            raise PermissionDenied(_("This project is not part of your session."))
        raise outcome.error
    return SubmitResult(
        sheet=Sheet.objects.get(pk=outcome.sheet_id),
        receipt=outcome.receipt,
        created=outcome.created,
        changed=outcome.changed,
    )


@transaction.atomic
def paper_sheet_enter(
    *,
    actor,
    session: Session,
    evaluator: Evaluator,
    entry: SessionProject,
    scores: Mapping[int, object],
    submission_id: str,
) -> SubmitResult:
    """The office types in one evaluator's paper sheet (a blank criterion means "not scored").

    ``submission_id`` comes with the form, so submitting the same form twice records it once.
    """
    require_office(actor, session.federation_id)
    require_paper_window(session)
    if evaluator.session_id != session.pk or entry.session_id != session.pk:
        raise PermissionDenied(_("This evaluator or project is not part of this session."))
    return sheet_submit(
        evaluator=evaluator,
        entry=entry,
        scores=scores,
        submission_id=submission_id,
        source=Sheet.Source.PAPER,
        actor=actor,
    )
