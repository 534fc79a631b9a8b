"""The keyed hashes of participation: a mobile number within one session (a viewer), on a union's roll, and a
code sent for a session. Built on ``core.codes.keyed`` (the key and why it is an HMAC are explained there).
Each session hashes numbers with its own label, so the viewers of two sessions cannot be joined.
"""

from __future__ import annotations

from dajia.core.codes import keyed


def viewer_hash(session_id: int, mobile: str) -> str:
    """The identity of a number within one session (normalised 11-digit number expected)."""
    return keyed(f"viewer:{session_id}", mobile)


def roll_hash(mobile: str) -> str:
    return keyed("roll", mobile)


def code_hash(session_id: int, mobile: str, code: str) -> str:
    return keyed(f"code:{session_id}:{mobile}", code)
