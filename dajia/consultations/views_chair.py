"""The chair's console (office only): the stage, the scoring windows, who has not yet scored."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dajia.consultations import services_console
from dajia.consultations.models import Conflict, Session, SessionProject, Sheet
from dajia.consultations.views_setup import office_session
from dajia.live.pages import listening_page


def panel_progress(session: Session) -> list[dict]:
    """Per invited project: sheets in, sheets expected and — for the office only — who is missing.
    Four queries whatever the size of the panel."""
    evaluators = list(session.evaluators.all())
    entries = list(session.entries.select_related("project", "project__provider").order_by("position"))
    sheets: dict[int, dict[int, bool]] = defaultdict(dict)
    for entry_id, evaluator_id, complete in Sheet.objects.filter(entry__session=session).values_list(
        "entry_id", "evaluator_id", "complete"
    ):
        sheets[entry_id][evaluator_id] = complete
    conflicts: dict[int, set[int]] = defaultdict(set)
    for entry_id, evaluator_id in Conflict.objects.filter(entry__session=session).values_list(
        "entry_id", "evaluator_id"
    ):
        conflicts[entry_id].add(evaluator_id)
    rows = []
    for entry in entries:
        got = sheets.get(entry.pk, {})
        excused = conflicts.get(entry.pk, set())
        expected = len(evaluators) - len(excused)
        missing = [ev for ev in evaluators if ev.pk not in got and ev.pk not in excused]
        rows.append(
            {
                "entry": entry,
                "submitted": len(got),
                "incomplete": sum(1 for c in got.values() if not c),
                "expected": expected,
                "percent": round(100 * len(got) / expected) if expected else 0,
                "missing": missing,
                "conflicts": [ev for ev in evaluators if ev.pk in excused],
                "on_stage": session.on_stage_id == entry.pk,
            }
        )
    return rows


def _context(session: Session) -> dict:
    rows = panel_progress(session)
    on_stage = next((r["entry"] for r in rows if r["on_stage"]), None)
    return {
        "session": session,
        "rows": rows,
        "on_stage": on_stage,
        "all_closed": bool(rows) and all(r["entry"].window == "closed" for r in rows),
        "results_url": f"/sessions/{session.pk}/results/",
    }


@login_required
@listening_page
def chair(request, pk: int):
    session = office_session(request, pk)
    return render(request, "consultations/chair.html", _context(session))


@login_required
def chair_progress(request, pk: int):
    """The console's live part (htmx): re-rendered on every live event and by polling."""
    session = office_session(request, pk)
    return render(request, "consultations/_chair_progress.html", _context(session))


def _chair_action(request, pk: int, entry_id: int, action):
    session = office_session(request, pk)
    entry = get_object_or_404(SessionProject.objects.select_related("project"), pk=entry_id, session=session)
    status = 200
    try:
        action(actor=request.user, entry=entry)
    except ValidationError as e:
        for m in e.messages:
            messages.error(request, m)
        status = 400
    if request.headers.get("HX-Request"):
        session.refresh_from_db()
        ctx = _context(session)
        ctx["errors"] = [] if status == 200 else [str(m) for m in messages.get_messages(request)]
        return render(request, "consultations/_chair_progress.html", ctx, status=status)
    return redirect("consultations:chair", pk=pk)


@login_required
@require_POST
def entry_stage(request, pk: int, entry_id: int):
    return _chair_action(request, pk, entry_id, services_console.entry_stage)


@login_required
@require_POST
def window_open(request, pk: int, entry_id: int):
    return _chair_action(request, pk, entry_id, services_console.window_open)


@login_required
@require_POST
def window_close(request, pk: int, entry_id: int):
    return _chair_action(request, pk, entry_id, services_console.window_close)


@login_required
@require_POST
def session_close(request, pk: int):
    session = office_session(request, pk)
    try:
        services_console.session_close(actor=request.user, session=session)
    except ValidationError as e:
        for m in e.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("The session is closed. The results can now be checked and revealed."))
    return redirect("consultations:chair", pk=pk)
