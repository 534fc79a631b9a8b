"""The attendee's phone, as the server knows it: a device id the server issues and signs, kept in a cookie.

A sign-in counts a person only if the id cannot be chosen by the client. The id is a random token issued when
the sign-in page is opened and sent back signed (``django.core.signing`` with this module's salt), so a POST
that carries no cookie, or one the server did not sign, has no device and is refused; one cookie holds one
sign-in per session and, through it, one rating. Nothing here knows about orders: a lecture's sign-in can use
the same three functions.

Also here: the per-address limit on sign-in attempts (``dajia.core.ratelimit``, the one limiter). A venue's
attendees share one address (the workplace's Wi-Fi), so the limit is never lower than the session's capacity.
"""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.db import DatabaseError

from dajia.core import ratelimit

COOKIE = "dajia_device"
SALT = "dajia.orders.device"
MAX_AGE = 365 * 24 * 3600

logger = logging.getLogger(__name__)


def _new_id() -> str:
    return secrets.token_urlsafe(24)


def device_of(request) -> str:
    """The device id of a cookie this server signed, or "" when there is none (missing, forged or expired)."""
    return request.get_signed_cookie(COOKIE, default="", salt=SALT, max_age=MAX_AGE)


def device_for_page(request) -> tuple[str, bool]:
    """The id to draw the sign-in page for: the phone's own, or a new one (``True``: issue it with
    :func:`issue`)."""
    device = device_of(request)
    return (device, False) if device else (_new_id(), True)


def issue(response, request, device: str) -> None:
    """Send ``device`` to the phone as a signed cookie. Not HttpOnly: signin.js keeps a copy in localStorage and
    puts it back when the cookie alone was cleared (the copy is the signed value; the page's script cannot make
    up another)."""
    response.set_signed_cookie(
        COOKIE, device, salt=SALT, max_age=MAX_AGE, samesite="Lax", secure=request.is_secure(), httponly=False
    )


# ---- per-address limit ------------------------------------------------------------------------------------------


def _address_key(request, scope: str) -> str:
    return f"signin_ip:{scope}:{ratelimit.client_address(request)}"


def address_limit(capacity: int) -> int:
    """Sign-in attempts one address may make for one session in a window: twice the capacity (everyone may
    correct one mistyped form), and never below ``DAJIA_SIGNIN_ATTEMPTS_PER_ADDRESS``."""
    return max(2 * capacity, settings.DAJIA_SIGNIN_ATTEMPTS_PER_ADDRESS)


def address_refused(request, *, scope: str, capacity: int) -> ratelimit.Verdict:
    """Whether this address has used up its attempts for ``scope`` (a session), counting this one when not."""
    window = settings.DAJIA_SIGNIN_RATE_WINDOW_SECONDS
    key = _address_key(request, scope)
    try:
        verdict = ratelimit.hit(key=key, limit=address_limit(capacity), window=window)
    except DatabaseError:
        # As for logins: unreadable counters do not stop a room signing in; the capacity still holds.
        logger.exception("rate limit: could not count a sign-in attempt")
        return ratelimit.Verdict(refused=False, retry_after=0)
    return verdict
