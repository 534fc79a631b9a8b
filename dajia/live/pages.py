"""The pages that show live state and then follow it (the big screen, the chair's console, an evaluator's
phone, the viewers' live page): where their browsers' live client starts.

Why: a page shows the state its view read, and its client (``live.js``) opens the stream a moment later. A
client that starts from the server's newest event at that moment misses every event committed in between —
a window opened, the session closed — and the page stays stale until the next event or its slow safety net.
:func:`listening_page` reads the newest event id *before* the view reads anything, so every change the page
does not show has a later id; the template hands it to the client as ``data-live-since`` (or the page's
config), and the client asks for what came after. An event the page already shows may arrive once more,
which live events allow (they carry absolute state).
"""

from __future__ import annotations

import functools

from dajia.live.bus import latest_event_id


def listening_page(view):
    """Decorate the view of a page whose script follows a live channel: ``request.live_since`` is the newest
    event id, read before the view runs."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        request.live_since = latest_event_id()
        return view(request, *args, **kwargs)

    return wrapped
