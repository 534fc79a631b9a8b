"""Valid-looking 统一社会信用代码 for demo organisations (both the GB 32100 and the inner GB 11714 checks pass)."""

from __future__ import annotations

from dajia.core.validators import make_uscc

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_code(serial: int) -> str:
    body = f"{serial:08d}"
    c = 11 - sum(int(ch) * w for ch, w in zip(body, _ORG_WEIGHTS, strict=True)) % 11
    return body + ("X" if c == 10 else "0" if c == 11 else str(c))


def uscc(kind: str, area: str, serial: int) -> str:
    """kind: '52' social organisation (民政), '91' enterprise (市场监管); area: 6-digit region code."""
    return make_uscc(kind + area + org_code(serial))
