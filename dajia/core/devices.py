"""The attendee's phone, as the server knows it: a device id the server issues and signs, kept in a cookie.

A sign-in counts a person only if the id cannot be chosen by the client. The id is a random token issued when
a sign-in page is opened and sent back signed (``django.core.signing`` with this module's salt), so a POST
that carries no cookie, or one the server did not sign, has no device and is refused; one cookie holds one
sign-in per parent (an order's session, a lecture) and, through it, one rating. Nothing here knows about orders
or lectures: both apps' sign-in pages call these functions, and ``dajia.core.signins`` holds the sign-in rule.

Also here: the per-address limit on sign-in attempts (``dajia.core.ratelimit``, the one limiter). A venue's
attendees share one address (the workplace's Wi-Fi), so the limit is never lower than the parent's capacity;
and :func:`phone_device`, the check every sign-in POST makes first (a valid cookie, then the address limit).
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from dajia.core import ratelimit

COOKIE = "dajia_device"
# The salt keeps its first name (the module lived in dajia.orders): cookies already issued stay valid, and an
# order's and a lecture's sign-in pages share the one cookie, so a phone is the same device for both.
SALT = "dajia.orders.device"
MAX_AGE = 365 * 24 * 3600
DEVICE_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")

logger = logging.getLogger(__name__)


def _new_id() -> str:
    return secrets.token_urlsafe(24)


def clean_device(device) -> str:
    """The device id a service is given, checked for shape (the cookie's signature was checked by the view)."""
    device = str(device or "").strip()
    if not DEVICE_RE.match(device):
        raise ValidationError(
            _("This phone could not be recognised. Please allow cookies and reload the page.")
        )
    return device


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
    """Sign-in attempts one address may make for one parent in a window: twice the capacity (everyone may
    correct one mistyped form), and never below ``DAJIA_SIGNIN_ATTEMPTS_PER_ADDRESS``."""
    return max(2 * capacity, settings.DAJIA_SIGNIN_ATTEMPTS_PER_ADDRESS)


def address_refused(request, *, scope: str, capacity: int) -> ratelimit.Verdict:
    """Whether this address has used up its attempts for ``scope`` (a parent), counting this one when not."""
    window = settings.DAJIA_SIGNIN_RATE_WINDOW_SECONDS
    key = _address_key(request, scope)
    try:
        verdict = ratelimit.hit(key=key, limit=address_limit(capacity), window=window)
    except DatabaseError:
        # As for logins: unreadable counters do not stop a room signing in; the capacity still holds.
        logger.exception("rate limit: could not count a sign-in attempt")
        return ratelimit.Verdict(refused=False, retry_after=0)
    return verdict


@dataclass(frozen=True)
class PhoneCheck:
    """The outcome of :func:`phone_device`: the device, or why the POST is refused (``status`` 400 or 429)."""

    device: str = ""
    status: int = 0
    message: str = ""
    retry_after: int = 0

    @property
    def refused(self) -> bool:
        return not self.device


def phone_device(request, *, scope: str, capacity: int) -> PhoneCheck:
    """The check every sign-in (or rating) POST makes before its service: the phone's server-issued device id,
    or the refusal — no valid cookie (400), or too many attempts from this address at ``scope`` (429; a scope
    such as ``order-7-signin`` or ``lecture-3-signin``). The page answers the refusal keeping the input."""
    device = device_of(request)
    if not device:
        return PhoneCheck(
            status=400,
            message=_(
                "This phone was not recognised (the page may have been open too long, or cookies are "
                "blocked). Please open the sign-in page again and send it once more."
            ),
        )
    verdict = address_refused(request, scope=scope, capacity=capacity)
    if verdict.refused:
        return PhoneCheck(
            status=429,
            retry_after=verdict.retry_after,
            message=_("Too many attempts from this network. Please try again in %(m)s minutes.")
            % {"m": max(1, verdict.retry_after // 60)},
        )
    return PhoneCheck(device=device)
