"""The header's unread count: one query for a signed-in person, none for anyone else (and none on a page
that does not show the header, since the count is only taken when the template reads it)."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from dajia.notifications.selectors import unread_count


def unread(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_count": SimpleLazyObject(lambda: unread_count(user))}
