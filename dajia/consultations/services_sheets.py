"""Sheets: an evaluator's scores for one project — from a phone, typed in from paper by the office, or
amended — and the conflicts of interest that keep an evaluator from scoring a project.

The key function is :func:`sheet_submit`: idempotent on ``(evaluator, entry, submission_id)`` so a phone may
retry a sheet as often as the venue Wi-Fi requires, and safe when the whole panel submits at once (one sheet per
evaluator and project is a database constraint; the entry row is locked while a sheet is written). Scores are
read by the one score grammar, ``dajia.scoring.grammar``; the sheet file and ``dajia tally`` read them with it
too. Imported files are ``services_results.sheets_import``, which writes each row through :func:`sheet_submit`.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dajia.accounts.permissions import can_manage_federation, require_office
from dajia.consultations.models import Conflict, Criterion, Evaluator, Score, Session, SessionProject, Sheet
from dajia.consultations.services_base import evaluator_label, lock_entry, publish_event
from dajia.consultations.services_console import progress_counts
from dajia.core import audit
from dajia.core.inputs import clean_text
from dajia.scoring.grammar import ScoreRefused, read_score

# Unambiguous for reading aloud and typing back: no 0/O, 1/I/L.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


@dataclass
class SubmitResult:
    sheet: Sheet
    receipt: str
    created: bool
    changed: bool


def new_receipt() -> str:
    """A receipt code such as ``7KQM-3XHD``: 8 characters from an unambiguous alphabet (31^8 ≈ 8.5×10^11)."""
    code = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(8))
    return f"{code[:4]}-{code[4:]}"


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


def _sheet_state(sheet: Sheet, names: dict[int, str]) -> dict:
    return {
        "receipt": sheet.receipt,
        "complete": sheet.complete,
        "scores": {
            names[s.criterion_id]: _one_decimal(s.value)
            for s in sheet.scores.all()
            if s.criterion_id in names
        },
    }


@transaction.atomic
def sheet_submit(
    *,
    evaluator: Evaluator,
    entry: SessionProject,
    scores: Mapping[int, object],
    submission_id: str,
    source: str = Sheet.Source.PHONE,
    actor=None,
) -> SubmitResult:
    """Record one evaluator's sheet for one project — idempotently.

    - The same ``submission_id`` again (a retry, a double tap) returns the stored receipt and changes nothing,
      even after the window has closed: the first attempt did arrive.
    - A different ``submission_id`` for an existing sheet is an amendment: the scores are replaced, a new
      receipt is issued and the change is audited.
    - From a phone only while the project's window is open for scoring; paper/imported sheets (entered by the
      office) while the session is open or closed, never after the reveal.
    """
    if source not in Sheet.Source.values:
        raise ValidationError(_("Unknown sheet source."))
    submission_id = str(submission_id or "").strip()
    if source == Sheet.Source.PHONE:
        if not submission_id or len(submission_id) > 64:
            raise ValidationError(_("The sheet has no valid submission id; please reload the page."))
    elif not submission_id:
        submission_id = f"{source}-{secrets.token_hex(8)}"
    submission_id = submission_id[:64]

    # The entry row is locked (FOR NO KEY UPDATE on PostgreSQL) so a sheet and the closing of its window are
    # serialised, and two submissions for the same project never race on the same sheet. On SQLite the
    # IMMEDIATE transaction already holds the write lock.
    entry = (
        SessionProject.objects.select_for_update(no_key=True, of=("self",))
        .select_related("session", "project")
        .get(pk=entry.pk)
    )
    session = entry.session
    evaluator = Evaluator.objects.get(pk=evaluator.pk)
    if evaluator.session_id != entry.session_id:
        raise PermissionDenied(_("This project is not part of your session."))

    existing = Sheet.objects.filter(evaluator=evaluator, entry=entry).first()
    if existing is not None and existing.submission_id == submission_id:
        return SubmitResult(sheet=existing, receipt=existing.receipt, created=False, changed=False)

    if source == Sheet.Source.PHONE:
        if session.state != Session.State.OPEN or entry.window == SessionProject.Window.CLOSED:
            raise ValidationError(
                _("The scoring window for this project is closed; this sheet was not accepted."),
                code="closed",
            )
        if entry.window != SessionProject.Window.SCORING:
            raise ValidationError(_("Scoring for this project has not started yet."), code="not_open")
    else:
        if actor is None or not can_manage_federation(actor, session.federation_id):
            raise PermissionDenied(_("Only the union office may enter paper sheets."))
        require_paper_window(session)
    if Conflict.objects.filter(evaluator=evaluator, entry=entry).exists():
        raise ValidationError(
            _("A conflict of interest is declared for this project, so this evaluator cannot score it."),
            code="conflict",
        )

    criteria = list(session.criteria.all())
    values = parse_scores(scores, criteria)
    complete = all(v is not None for v in values.values())
    names = {c.pk: c.name for c in criteria}
    now = timezone.now()
    label = evaluator_label(evaluator)
    entered_by = actor if source != Sheet.Source.PHONE else None

    created = False
    for attempt in range(2):
        if attempt:
            # Another request created the sheet (or took the receipt code) between our read and our write.
            existing = Sheet.objects.filter(evaluator=evaluator, entry=entry).first()
            if existing is not None and existing.submission_id == submission_id:
                return SubmitResult(sheet=existing, receipt=existing.receipt, created=False, changed=False)
        try:
            with transaction.atomic():
                if existing is None:
                    sheet = Sheet.objects.create(
                        evaluator=evaluator,
                        entry=entry,
                        receipt=new_receipt(),
                        submission_id=submission_id,
                        complete=complete,
                        source=source,
                        entered_by=entered_by,
                    )
                    Score.objects.bulk_create(
                        [Score(sheet=sheet, criterion_id=cid, value=v) for cid, v in values.items()]
                    )
                    created = True
                    before = None
                else:
                    sheet = existing
                    before = _sheet_state(sheet, names)
                    sheet.receipt = new_receipt()
                    sheet.submission_id = submission_id
                    sheet.complete = complete
                    sheet.source = source
                    sheet.entered_by = entered_by
                    sheet.amendments += 1
                    sheet.save()
                    sheet.scores.all().delete()
                    Score.objects.bulk_create(
                        [Score(sheet=sheet, criterion_id=cid, value=v) for cid, v in values.items()]
                    )
            break
        except IntegrityError:
            if attempt:
                raise
    after = {
        "receipt": sheet.receipt,
        "complete": complete,
        "source": source,
        "scores": {names[cid]: _one_decimal(v) for cid, v in values.items()},
    }
    audit.log(
        actor=actor if source != Sheet.Source.PHONE else None,
        actor_label="" if source != Sheet.Source.PHONE else label,
        action="consultations.sheet.submit" if created else "consultations.sheet.amend",
        obj=sheet,
        before=before,
        after=after,
        federation_id=session.federation_id,
    )
    if source == Sheet.Source.PHONE:
        Evaluator.objects.filter(pk=evaluator.pk).update(last_seen_at=now)
    publish_event(session.pk, "progress", progress_counts(entry))
    return SubmitResult(sheet=sheet, receipt=sheet.receipt, created=created, changed=True)


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
