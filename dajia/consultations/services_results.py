"""Writes on the results side of a session: reveal, tie-breaks, publication, and importing sheet files.

``closed`` → :func:`session_reveal` → ``revealed`` → :func:`session_publish` → ``published``. Until the reveal
only the office sees the results (it may check them, enter paper sheets and import files); the chair's
tie-break decisions are recorded beside the result with :func:`tie_break_record`. Publication freezes the
result: it stores the tally, the canonical sheet file, its SHA-256 digest (the engine's ``digest``) and the
receipt codes of the counted sheets, so anyone holding the export can re-tally it with ``dajia tally`` and
every evaluator can check that their sheets were counted.

Sheets themselves are always written by ``services_sheets.sheet_submit`` (``source="paper"`` or
``"import"``), so a typed-in or imported sheet is validated, receipted and audited exactly like a phone's.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dajia.accounts.permissions import require_office
from dajia.consultations.imports import (
    MAX_IMPORT_ERRORS,
    DryRun,
    ImportRejected,
    ImportReport,
    ImportRow,
    line_message,
    plan_import,
    same_scores,
    scoring_error_text,
)
from dajia.consultations.models import PublishedResult, Session, SessionProject, Sheet
from dajia.consultations.results import (
    ScoringError,
    result_data,
    session_tally,
)
from dajia.consultations.services_base import lock_session, publish_event
from dajia.consultations.services_sheets import require_paper_window, sheet_submit
from dajia.core import audit
from dajia.scoring.sheetfile import parse_bytes


def _tally_or_refuse(session: Session):
    try:
        return session_tally(session)
    except ScoringError as error:
        raise ValidationError(
            _("The results cannot be computed: %(reason)s") % {"reason": scoring_error_text(error)}
        ) from None


@transaction.atomic
def session_reveal(*, actor, session: Session) -> Session:
    """The chair reveals the results (closed → revealed): from now on the ranking is public."""
    session = lock_session(session)
    require_office(actor, session.federation_id)
    if session.state != Session.State.CLOSED:
        raise ValidationError(_("Only a closed session can be revealed: close every scoring window first."))
    _tally_or_refuse(session)
    session.state = Session.State.REVEALED
    session.revealed_at = timezone.now()
    session.save(update_fields=["state", "revealed_at"])
    audit.log(
        actor=actor,
        action="consultations.session.reveal",
        obj=session,
        before={"state": "closed"},
        after={"state": "revealed"},
        federation_id=session.federation_id,
    )
    publish_event(session.pk, "revealed", {"session_id": session.pk, "state": session.state})
    return session


@transaction.atomic
def tie_break_record(*, actor, session: Session, order: list[int], reason: str) -> list[SessionProject]:
    """Record the chair's order among projects tied on the rounded score, and why.

    ``order`` lists the entry ids of *every* project of one tie, first place first. The ranks stay shared (a
    re-tally reproduces them, the tie flagged); the order is used for selection and shown beside the result.
    Only projects actually tied now may be ordered, and only before publication.
    """
    session = lock_session(session)
    require_office(actor, session.federation_id)
    if session.state not in (Session.State.CLOSED, Session.State.REVEALED):
        raise ValidationError(
            _("A tie-break can be recorded once the session is closed and until the results are published.")
        )
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Please give the reason for this order (e.g. 抽签, 评委会表决).")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("The reason is too long (at most 300 characters).")})
    try:
        ids = [int(pk) for pk in order]
    except (TypeError, ValueError):
        raise ValidationError({"order": _("A project in this order is not part of this session.")}) from None
    if len(ids) < 2 or len(set(ids)) != len(ids):
        raise ValidationError({"order": _("List each tied project once, at least two of them.")})
    context = _tally_or_refuse(session)[1]
    names = context.names
    if not set(ids) <= set(names):
        raise ValidationError({"order": _("A project in this order is not part of this session.")})
    ranked = {row.name: row for row in context.rows}
    chosen = [names[pk] for pk in ids]
    if any(name not in ranked for name in chosen):
        raise ValidationError({"order": _("Only ranked projects can be tied.")})
    scores = {ranked[name].result.hundredths for name in chosen}
    tie = [row.name for row in context.rows if row.result.hundredths in scores]
    if len(scores) != 1 or len(tie) < 2:
        raise ValidationError({"order": _("These projects are not tied on the rounded score.")})
    if set(tie) != set(chosen):
        missing = "、".join(context.entries_by_name[name].project.title for name in tie if name not in chosen)
        raise ValidationError(
            {"order": _("Order every project of the tie; missing: %(titles)s.") % {"titles": missing}}
        )
    entries = []
    for place, pk in enumerate(ids, start=1):
        entry = SessionProject.objects.select_for_update().get(pk=pk)
        before = audit.snapshot(entry, ["tie_break_order", "tie_break_reason"])
        entry.tie_break_order = place
        entry.tie_break_reason = reason
        entry.save(update_fields=["tie_break_order", "tie_break_reason"])
        audit.log(
            actor=actor,
            action="consultations.tie_break.record",
            obj=entry,
            before=before,
            after=audit.snapshot(entry, ["tie_break_order", "tie_break_reason"]),
            federation_id=session.federation_id,
        )
        entries.append(entry)
    if session.results_public:
        publish_event(session.pk, "tie_break", {"session_id": session.pk, "state": session.state})
    return entries


@transaction.atomic
def session_publish(*, actor, session: Session) -> PublishedResult:
    """Publish the results (revealed → published) and freeze them with their digest and receipt codes.

    Refused while a tie that could decide a selection (a tie at or above the minimum score) has no recorded
    order: public money is not allotted by alphabetical accident.
    """
    session = lock_session(session)
    require_office(actor, session.federation_id)
    if session.state != Session.State.REVEALED:
        raise ValidationError(_("Only revealed results can be published."))
    context = _tally_or_refuse(session)[1]
    pending = [t for t in context.pending_ties if t.score >= session.minimum_score]
    if pending:
        titles = "；".join("、".join(row.title for row in t.rows) for t in pending)
        raise ValidationError(
            _("Record the tie-break first: these projects are tied at or above the minimum score: %(t)s.")
            % {"t": titles}
        )
    canonical = context.canonical_sheet_file
    digest = context.digest  # the engine's digest, the one `dajia tally` prints for the exported file
    now = timezone.now()
    session.state = Session.State.PUBLISHED
    session.published_at = now
    session.save(update_fields=["state", "published_at"])
    payload = result_data(context)
    payload["state"] = session.state
    payload["digest"] = digest
    published = PublishedResult.objects.create(
        session=session,
        payload=payload,
        canonical_sheets=canonical,
        digest=digest,
        receipts=context.counted_receipts,
        published_by=actor,
    )
    audit.log(
        actor=actor,
        action="consultations.session.publish",
        obj=session,
        before={"state": "revealed"},
        after={"state": "published", "digest": digest, "counted_sheets": len(context.tally.counted)},
        federation_id=session.federation_id,
    )
    publish_event(
        session.pk, "published", {"session_id": session.pk, "state": session.state, "digest": digest}
    )
    return published


# ---- imports -------------------------------------------------------------------------------------------


def sheets_import(
    *, actor, session: Session, data: bytes, filename: str, replace: bool = False, commit: bool = True
) -> ImportReport:
    """Import paper sheets from a sheet file (CSV or XLSX, the format of PRODUCT.md) — all or nothing.

    Evaluators are matched by name and projects by title (both read as the file reads them: NFKC, trimmed);
    the group column must be blank or the evaluator's group. A row identical to the stored sheet changes
    nothing; a row that differs from a stored sheet is refused unless ``replace`` (then it is an amendment,
    with a new receipt). Every error is reported with its line, and nothing is saved unless the whole file
    is valid. ``commit=False`` checks everything, then rolls back: the preview.
    """
    # The file is read before the transaction: on SQLite a transaction holds the database's write lock from its
    # start, and every other user's write would wait for the parse. The checks run again under the lock.
    require_office(actor, session.federation_id)
    require_paper_window(session)
    try:
        sheet_file = parse_bytes(data, filename)
    except ScoringError as error:
        raise ImportRejected([scoring_error_text(error)]) from None
    if not sheet_file.sheets:
        raise ImportRejected([_("The file holds no score sheet (only a header).")])
    return _sheets_store(
        actor=actor,
        session=session,
        sheet_file=sheet_file,
        sha=hashlib.sha256(data).hexdigest(),
        filename=filename,
        replace=replace,
        commit=commit,
    )


@transaction.atomic
def _sheets_store(
    *, actor, session: Session, sheet_file, sha: str, filename: str, replace: bool, commit: bool
) -> ImportReport:
    """The write half of :func:`sheets_import`, under the session's lock."""
    session = lock_session(session)
    require_office(actor, session.federation_id)
    require_paper_window(session)
    planned, errors = plan_import(session, sheet_file)
    if errors:
        raise ImportRejected(errors)
    report = ImportReport(filename=filename, sha256=sha)
    try:
        with transaction.atomic():
            errors = []
            existing = {
                (s.evaluator_id, s.entry_id): s
                for s in Sheet.objects.filter(entry__session=session).prefetch_related("scores")
            }
            for sheet, evaluator, entry, scores in planned:
                complete = all(v is not None for v in scores.values())
                stored = existing.get((evaluator.pk, entry.pk))
                if stored is not None and same_scores(stored, scores):
                    report.rows.append(
                        ImportRow(sheet.line, sheet.evaluator, sheet.project, complete, "unchanged")
                    )
                    continue
                if stored is not None and not replace:
                    errors.append(
                        line_message(
                            sheet.line,
                            _(
                                "%(name)s already has a different sheet for %(t)s (entered by %(source)s); "
                                "tick “Replace existing sheets that differ” to amend it"
                            )
                            % {
                                "name": sheet.evaluator,
                                "t": sheet.project,
                                "source": stored.get_source_display(),
                            },
                        )
                    )
                    continue
                try:
                    sheet_submit(
                        evaluator=evaluator,
                        entry=entry,
                        scores=scores,
                        submission_id=f"import-{sha[:40]}-{sheet.line}",
                        source=Sheet.Source.IMPORT,
                        actor=actor,
                    )
                except ValidationError as error:
                    errors.extend(line_message(sheet.line, m) for m in error.messages)
                    continue
                status = "new" if stored is None else "changed"
                report.rows.append(ImportRow(sheet.line, sheet.evaluator, sheet.project, complete, status))
            if errors:
                raise ImportRejected(errors[:MAX_IMPORT_ERRORS])
            if not commit:
                raise DryRun(report)
    except DryRun:
        return report
    report.committed = True
    audit.log(
        actor=actor,
        action="consultations.sheets.import",
        obj=session,
        after={
            "file": filename,
            "sha256": sha,
            "rows": len(report.rows),
            "new": report.new,
            "changed": report.changed,
            "unchanged": report.unchanged,
        },
        federation_id=session.federation_id,
    )
    return report
