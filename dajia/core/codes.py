"""One-time codes sent by text message, and the keyed hashes that stand for mobile numbers: the one rule for
every app that texts a code (a live viewer's or an objector's code in ``participation``, a provider's
registration code in ``accounts``), kept beside the SMS senders (``core.sms``) and the rate limits
(``core.ratelimit``) that every such app uses too.

Why an HMAC and not a plain SHA-256: there are only about 10^10 mainland mobile numbers, so a plain hash is
reversed by trying them all in minutes. With a server-side key, a copy of the database alone does not reveal
the numbers. The key is ``DAJIA_PARTICIPATION_HASH_KEY`` when set (the name it has had since the live page was
the only app to text codes; deployments set it), else derived from ``SECRET_KEY`` (rotating ``SECRET_KEY`` then
makes every keyed number new: set the dedicated key in production). Each use hashes with its own label, so the
hashes of two uses cannot be joined.

A code is six digits, valid ``DAJIA_PARTICIPATION_CODE_MINUTES`` minutes, used once, and refused after
``DAJIA_PARTICIPATION_CODE_ATTEMPTS`` wrong tries; codes and the client addresses filed with them are kept
``DAJIA_PARTICIPATION_IP_DAYS`` days (个人信息保护法).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dajia.core import sms

CODE_DIGITS = 6


def _key() -> bytes:
    if settings.DAJIA_PARTICIPATION_HASH_KEY:
        return settings.DAJIA_PARTICIPATION_HASH_KEY.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"dajia.participation.mobile", hashlib.sha256).digest()


def keyed(label: str, value: str) -> str:
    """The keyed hash of ``value`` for one use (``label``)."""
    return hmac.new(_key(), f"{label}\x1f{value}".encode(), hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    """Compare two hashes in constant time."""
    return hmac.compare_digest(a.encode(), b.encode())


def new_code() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))


def code_minutes() -> int:
    return settings.DAJIA_PARTICIPATION_CODE_MINUTES


def code_attempts() -> int:
    return settings.DAJIA_PARTICIPATION_CODE_ATTEMPTS


def keep_days() -> int:
    """Days a code, and a client address filed with a person's action, are kept."""
    return settings.DAJIA_PARTICIPATION_IP_DAYS


def clean_code(value) -> str:
    """The six digits a person typed (full-width digits and spaces forgiven), else a ValidationError on "code"."""
    code = unicodedata.normalize("NFKC", str(value or "")).strip().replace(" ", "")
    if not (len(code) == CODE_DIGITS and code.isascii() and code.isdigit()):
        raise ValidationError({"code": _("Please enter the 6-digit code from the text message.")})
    return code


@dataclass(frozen=True)
class CodeOutcome:
    """Not an exception: a wrong code must count as an attempt, which a raised error would roll back."""

    ok: bool
    error: str = ""
    field: str = "code"


def judge_code(row, entered_hash: str, now) -> CodeOutcome | None:
    """The one rule for a one-time code row (any model with ``code_hash``, ``expires_at``, ``attempts`` and
    ``used_at``): None when ``entered_hash`` matches and the row is now used; else the refusal, a wrong attempt
    counted on the row. Call it with the row locked (select_for_update)."""
    if row is None or row.used_at is not None:
        return CodeOutcome(ok=False, error=_("Please ask for a code first."))
    if row.expires_at <= now:
        return CodeOutcome(ok=False, error=_("This code has expired. Please ask for a new one."))
    if row.attempts >= code_attempts():
        return CodeOutcome(ok=False, error=_("Too many wrong attempts. Please ask for a new code."))
    if not same(entered_hash, row.code_hash):
        row.attempts += 1
        row.save(update_fields=["attempts"])
        left = code_attempts() - row.attempts
        if left <= 0:
            return CodeOutcome(ok=False, error=_("Too many wrong attempts. Please ask for a new code."))
        return CodeOutcome(ok=False, error=_("The code is not right; %(n)d attempts left.") % {"n": left})
    row.used_at = now
    row.save(update_fields=["used_at"])
    return None


def send_text(number: str, text: str, *, event: str, params: dict) -> None:
    """Hand a code's text to the SMS sender (the gateway's template ``event`` with ``params``); a failed send is a
    clear message for the person (a ValidationError), not a 500."""
    try:
        sms.send(number, text, event=event, params=params)
    except sms.SmsError:
        raise ValidationError(
            _("The text message could not be sent. Please try again in a minute.")
        ) from None
