"""Reads of a session's results shared by the pages, the JSON API, the exports and the other apps.

"The result to show" has one rule, here: once published, the frozen publication (what was announced, with its
digest and receipt codes, never re-tallied); before that, the live tally through ``results`` (the one bridge to
the scoring engine). Who may see it (the office at any time, everyone else once revealed) stays with the
callers, since a page, the API and an agreement each answer a refusal differently.

Beside them, :func:`sessions_by_pk`: the sessions a batch of sheets or supports is about, a read compiled once
(``core.reads``) because the batches run it inside the writers' queue.
"""

from __future__ import annotations

from dajia.consultations.models import PublishedResult, Session
from dajia.consultations.results import result_data, session_tally
from dajia.core.reads import compiled_read


@compiled_read
def sessions_by_pk(ids):
    return Session.objects.filter(pk__in=ids)


def published_result(session: Session) -> PublishedResult | None:
    """The session's publication, read afresh (not the cached reverse relation, which may predate it)."""
    return PublishedResult.objects.filter(session=session).first()


def result_to_show(session: Session) -> tuple[dict, PublishedResult | None]:
    """The result as JSON-ready data (:func:`results.result_data`'s shape) and the publication it comes from.

    The published payload once published, else the live tally (publication ``None``). Raises
    ``results.ScoringError`` when an unpublished session cannot be tallied (e.g. a group without a weight).
    """
    published = published_result(session)
    if published is not None:
        return published.payload, published
    _, context = session_tally(session)
    return result_data(context), None
