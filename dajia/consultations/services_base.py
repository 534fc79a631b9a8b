"""What every write on the panel side of a session shares: the live event, the office check, the row locks,
text cleaning and the evaluator's masked label.

The services are split by concern (``services_setup``, ``services_roster``, ``services_console``,
``services_sheets``, ``services_results``); the little rules they all apply live here once, so a lock order or
the office check cannot drift between them.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from dajia.consultations.models import Evaluator, Session, SessionProject
from dajia.core.validators import mask_name
from dajia.live.bus import publish


def publish_event(session_id: int, event: str, data: dict) -> None:
    """Publish a public live event (counts, states, ids — never scores or names). The bus defers the send
    to ``transaction.on_commit`` itself, so a rolled-back change is never announced."""
    publish(channel=f"session-{session_id}", event=event, data=data)


def lock_session(session: Session) -> Session:
    return Session.objects.select_for_update().get(pk=session.pk)


def lock_entry(entry: SessionProject) -> SessionProject:
    return (
        SessionProject.objects.select_for_update(of=("self",))
        .select_related("session", "project")
        .get(pk=entry.pk)
    )


def evaluator_label(evaluator: Evaluator) -> str:
    """How an evaluator appears in the audit log (masked: the log is read by office staff)."""
    return f"{_('Evaluator')} {mask_name(evaluator.name)}"
