"""The chair's console while a session is open: the project on stage, each project's scoring window
(waiting → scoring → closed), closing the session, and the public progress counts.

The entry row is locked before a window changes, as ``services_sheets.sheet_submit`` locks it before a sheet is
written, so a sheet and the closing of its window are serialised.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from dajia.accounts.permissions import require_office
from dajia.consultations.models import Conflict, Evaluator, Session, SessionProject, Sheet
from dajia.consultations.services_base import lock_entry, lock_session, publish_event
from dajia.core import audit
from dajia.core.reads import compiled_read


def _require_open(session: Session) -> None:
    if session.state != Session.State.OPEN:
        raise ValidationError(_("The session is not open."))


@transaction.atomic
def entry_stage(*, actor, entry: SessionProject) -> SessionProject:
    """Put a project on stage and start its presentation timer."""
    entry = lock_entry(entry)
    session = lock_session(entry.session)
    require_office(actor, session.federation_id)
    _require_open(session)
    entry.stage_started_at = timezone.now()
    entry.save(update_fields=["stage_started_at"])
    before = session.on_stage_id
    session.on_stage = entry
    session.save(update_fields=["on_stage"])
    audit.log(
        actor=actor,
        action="consultations.entry.stage",
        obj=entry,
        before={"on_stage": before},
        after={"on_stage": entry.pk, "stage_started_at": entry.stage_started_at},
        federation_id=session.federation_id,
    )
    publish_event(
        session.pk,
        "stage",
        {
            "session_id": session.pk,
            "entry_id": entry.pk,
            "started_at": entry.stage_started_at.isoformat(),
            "minutes": entry.presentation_minutes,
        },
    )
    return entry


@transaction.atomic
def window_open(*, actor, entry: SessionProject) -> SessionProject:
    """Open the project's scoring window (waiting → scoring)."""
    entry = lock_entry(entry)
    session = entry.session
    require_office(actor, session.federation_id)
    _require_open(session)
    if entry.window != SessionProject.Window.WAITING:
        msg = (
            _("Scoring for %(t)s is already open.")
            if entry.window == SessionProject.Window.SCORING
            else _(
                "Scoring for %(t)s is closed; a closed window cannot be reopened (enter paper sheets instead)."
            )
        )
        raise ValidationError(msg % {"t": entry.project.title})
    entry.window = SessionProject.Window.SCORING
    entry.window_opened_at = timezone.now()
    entry.save(update_fields=["window", "window_opened_at"])
    audit.log(
        actor=actor,
        action="consultations.window.open",
        obj=entry,
        before={"window": "waiting"},
        after={"window": "scoring"},
        federation_id=session.federation_id,
    )
    publish_event(
        session.pk, "window", {"session_id": session.pk, "entry_id": entry.pk, "window": entry.window}
    )
    return entry


@transaction.atomic
def window_close(*, actor, entry: SessionProject) -> SessionProject:
    """Close the project's scoring window (scoring → closed). Phones can no longer submit or amend."""
    entry = lock_entry(entry)
    session = entry.session
    require_office(actor, session.federation_id)
    _require_open(session)
    if entry.window != SessionProject.Window.SCORING:
        raise ValidationError(_("Scoring for %(t)s is not open.") % {"t": entry.project.title})
    entry.window = SessionProject.Window.CLOSED
    entry.window_closed_at = timezone.now()
    entry.save(update_fields=["window", "window_closed_at"])
    counts = progress_counts(entry)
    audit.log(
        actor=actor,
        action="consultations.window.close",
        obj=entry,
        before={"window": "scoring"},
        after={"window": "closed", **counts},
        federation_id=session.federation_id,
    )
    publish_event(
        session.pk, "window", {"session_id": session.pk, "entry_id": entry.pk, "window": entry.window}
    )
    return entry


@transaction.atomic
def session_close(*, actor, session: Session) -> Session:
    """Close the session once every scoring window is closed."""
    session = lock_session(session)
    require_office(actor, session.federation_id)
    _require_open(session)
    still = [e.project.title for e in session.entries.select_related("project") if e.window != "closed"]
    if still:
        raise ValidationError(
            _("Close every scoring window first; still open or not yet scored: %(t)s.")
            % {"t": "、".join(still)}
        )
    session.state = Session.State.CLOSED
    session.closed_at = timezone.now()
    session.on_stage = None
    session.save(update_fields=["state", "closed_at", "on_stage"])
    audit.log(
        actor=actor,
        action="consultations.session.close",
        obj=session,
        before={"state": "open"},
        after={"state": "closed"},
        federation_id=session.federation_id,
    )
    publish_event(session.pk, "session", {"session_id": session.pk, "state": session.state})
    return session


# ---- progress (public counts) ------------------------------------------------------------------------------


def progress_counts(entry: SessionProject) -> dict:
    """Counts only (public): sheets in, and how many are expected (evaluators minus declared conflicts)."""
    return progress_counts_many([entry.pk])[entry.pk]


@compiled_read
def _sessions_of_entries(entry_ids):
    return SessionProject.objects.filter(pk__in=entry_ids).values_list("pk", "session_id")


def _rows_per(model, column: str):
    """A compiled read of ``(value of column, rows of model)`` for the given values of ``column``."""

    @compiled_read
    def count(values):
        rows = model.objects.filter(**{f"{column}__in": values})
        return rows.values_list(column).annotate(n=Count("pk")).order_by()

    return count


_evaluators_per_session = _rows_per(Evaluator, "session_id")
_conflicts_per_entry = _rows_per(Conflict, "entry_id")
_sheets_per_entry = _rows_per(Sheet, "entry_id")


def progress_counts_many(entry_ids) -> dict[int, dict]:
    """:func:`progress_counts` of many projects in four queries (a batch of sheets announces each once), each
    compiled once (``core.reads``: the batch runs them inside the writers' queue)."""
    entries = dict(_sessions_of_entries(entry_ids))
    evaluators = dict(_evaluators_per_session(set(entries.values())))
    conflicts = dict(_conflicts_per_entry(entries))
    sheets = dict(_sheets_per_entry(entries))
    return {
        pk: {
            "entry_id": pk,
            "submitted": sheets.get(pk, 0),
            "expected": evaluators.get(session_id, 0) - conflicts.get(pk, 0),
        }
        for pk, session_id in entries.items()
    }


def publish_all_progress(session: Session) -> None:
    for entry in session.entries.all():
        publish_event(session.pk, "progress", progress_counts(entry))
