"""Reads of the 公示 objections, shared by the notice page, the office pages and the job that closes windows."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from dajia.consultations.models import Session
from dajia.core.validators import mask_name
from dajia.notices.models import Objection
from dajia.notices.window import notice_window


def notice_objections(session: Session) -> list[Objection]:
    return list(
        Objection.objects.filter(session=session).select_related("entry__project").order_by("filed_at", "id")
    )


@dataclass(frozen=True)
class ObjectionStates:
    """Which projects (SessionProject ids) of a session have an objection awaiting a response, or upheld."""

    pending: frozenset[int]
    upheld: frozenset[int]


def objection_states(session_ids) -> dict[int, ObjectionStates]:
    """For each session id: the entries with a pending and with an upheld objection (one query for all)."""
    pending: dict[int, set[int]] = {}
    upheld: dict[int, set[int]] = {}
    rows = Objection.objects.filter(
        session_id__in=list(session_ids), status__in=[Objection.Status.PENDING, Objection.Status.UPHELD]
    ).values_list("session_id", "entry_id", "status")
    for session_id, entry_id, status in rows:
        (pending if status == Objection.Status.PENDING else upheld).setdefault(session_id, set()).add(
            entry_id
        )
    return {
        sid: ObjectionStates(frozenset(pending.get(sid, ())), frozenset(upheld.get(sid, ())))
        for sid in session_ids
    }


def pending_counts(sessions) -> dict[int, int]:
    """Objections awaiting a response, per session id (the office's list of sessions)."""
    return dict(
        Objection.objects.filter(session__in=sessions, status=Objection.Status.PENDING)
        .values("session_id")
        .annotate(n=Count("id"))
        .values_list("session_id", "n")
    )


def notice_context(session: Session) -> dict:
    """What the public notice page shows of the 公示: the window (with a warning when it runs into a year whose
    holidays nobody has entered) and the objections, objectors by masked name only, never with a number."""
    window = notice_window(session)
    objections = [
        {
            "project": o.entry.project.title,
            "name": mask_name(o.name),
            "filed": timezone.localtime(o.filed_at),
            "status": o.status,
            "status_display": o.get_status_display(),
            "response": o.response,
        }
        for o in notice_objections(session)
    ]
    return {
        "objection_window": window,
        "objection_window_open": bool(window and window.is_open()),
        "objections": objections,
        "upheld": [o for o in objections if o["status"] == Objection.Status.UPHELD],
    }
