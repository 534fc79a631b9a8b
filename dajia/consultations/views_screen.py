"""The big screen in the hall (public, no login): the stage, the timer and progress — counts only, never a
name or a score. After the chair's reveal it shows the ranking from the results side. A QR code in the corner
takes the audience to the session's live page (watch, support, comment)."""

from __future__ import annotations

from django.db.models import Count
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache

from dajia.consultations.models import Session
from dajia.live.pages import listening_page
from dajia.participation.views import live_url


def _context(session: Session) -> dict:
    n_evaluators = session.evaluators.count()
    entries = (
        session.entries.select_related("project", "project__provider")
        .annotate(n_sheets=Count("sheets", distinct=True), n_conflicts=Count("conflicts", distinct=True))
        .order_by("position")
    )
    rows = []
    for e in entries:
        expected = n_evaluators - e.n_conflicts
        rows.append(
            {
                "entry": e,
                "submitted": e.n_sheets,
                "expected": expected,
                "percent": round(100 * e.n_sheets / expected) if expected else 0,
                "on_stage": e.pk == session.on_stage_id,
            }
        )
    on_stage = next((r for r in rows if r["on_stage"]), None)
    scoring = [r for r in rows if r["entry"].window == "scoring"]
    return {
        "session": session,
        "rows": rows,
        "on_stage": on_stage,
        "scoring": scoring,
        "n_closed": sum(1 for r in rows if r["entry"].window == "closed"),
        "ranking_url": f"/sessions/{session.pk}/ranking/partial",
    }


def _session(pk: int) -> Session:
    # A draft is shown too (as "about to start"), so the screen can be set up in the hall before the chair
    # opens the session; it then follows live. Evaluators are counted here, never named.
    return get_object_or_404(Session, pk=pk)


@never_cache
@listening_page
def screen(request, pk: int):
    session = _session(pk)
    # The QR image itself is the live page's own (participation:live_qr), drawn from the same address.
    return render(
        request, "consultations/screen.html", _context(session) | {"join_url": live_url(request, session)}
    )


@never_cache
def screen_progress(request, pk: int):
    session = _session(pk)
    return render(request, "consultations/_screen_progress.html", _context(session))
