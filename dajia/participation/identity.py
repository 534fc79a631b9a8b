"""Keyed hashes of mobile numbers and codes, and the client address of a request.

Why an HMAC and not a plain SHA-256: there are only about 10^10 mainland mobile numbers, so a plain hash is
reversed by trying them all in minutes. With a server-side key, a copy of the database alone does not reveal
the numbers. The key is ``DAJIA_PARTICIPATION_HASH_KEY`` when set, else derived from ``SECRET_KEY`` (rotating
``SECRET_KEY`` then makes the viewers of a running session verify as new people: set the dedicated key in
production). Each session hashes numbers with its own label, so the viewers of two sessions cannot be joined.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets

from django.conf import settings

CODE_DIGITS = 6


def _key() -> bytes:
    explicit = getattr(settings, "DAJIA_PARTICIPATION_HASH_KEY", "") or os.environ.get(
        "DAJIA_PARTICIPATION_HASH_KEY", ""
    )
    if explicit:
        return explicit.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"dajia.participation.mobile", hashlib.sha256).digest()


def keyed(label: str, value: str) -> str:
    return hmac.new(_key(), f"{label}\x1f{value}".encode(), hashlib.sha256).hexdigest()


def viewer_hash(session_id: int, mobile: str) -> str:
    """The identity of a number within one session (normalised 11-digit number expected)."""
    return keyed(f"viewer:{session_id}", mobile)


def roll_hash(mobile: str) -> str:
    return keyed("roll", mobile)


def rate_subject(mobile: str) -> str:
    """A short keyed token for rate-limit keys (never the number itself)."""
    return keyed("rate", mobile)[:24]


def code_hash(session_id: int, mobile: str, code: str) -> str:
    return keyed(f"code:{session_id}:{mobile}", code)


def new_code() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def client_ip(request) -> str | None:
    """The client's address as the login rate limit reads it (``core.ratelimit.client_address``: behind
    ``DAJIA_TRUSTED_PROXIES`` proxies, the unforgeable part of X-Forwarded-For); None when it is no address."""
    from dajia.core.ratelimit import client_address

    address = client_address(request)
    return None if address == "unknown" else address
