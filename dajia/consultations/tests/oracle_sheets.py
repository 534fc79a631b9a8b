"""The oracle: ``services_sheets.sheet_submit`` as it was before the batch service (issue 12), kept verbatim
so the property test can show that ``sheets_submit`` stores and answers exactly what it did, request by
request. Test code only: nothing in the product imports it."""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dajia.accounts.permissions import can_manage_federation
from dajia.consultations.models import Conflict, Evaluator, Score, Session, SessionProject, Sheet
from dajia.consultations.services_base import evaluator_label, publish_event
from dajia.consultations.services_console import progress_counts
from dajia.consultations.services_sheets import (
    SubmitResult,
    _one_decimal,
    parse_scores,
    require_paper_window,
)
from dajia.consultations.services_sheets_facts import new_receipt
from dajia.core import audit


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
