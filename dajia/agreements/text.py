"""Agreement text: placeholders, rendering, the amount in Chinese capitals (大写) and the SHA-256 of the text."""

from __future__ import annotations

import hashlib
import re
from decimal import ROUND_DOWN, Decimal

PLACEHOLDER = re.compile(r"\{([^{}\s]{1,20})\}")

# Every placeholder a template may use, with what it stands for (shown beside the template editor).
PLACEHOLDERS = {
    "协议编号": "agreement number",
    "甲方": "Party A: the union federation",
    "乙方": "Party B: the social organisation",
    "统一社会信用代码": "Party B's unified social credit code",
    "项目": "service project",
    "场次": "the consultation session the agreement comes from",
    "服务范围": "scope of service",
    "服务场次": "number of sessions",
    "每场人数": "attendees per session",
    "质量标准": "quality standard",
    "起始日期": "first day of the period",
    "终止日期": "last day of the period",
    "金额": "amount in yuan (figures)",
    "金额大写": "amount in Chinese capitals",
    "每场金额": "amount per session",
    "付款方式": "price and payment schedule",
    "违约责任": "liability for breach",
    "份数": "number of copies",
}


def unknown_placeholders(body: str) -> list[str]:
    return sorted({name for name in PLACEHOLDER.findall(body) if name not in PLACEHOLDERS})


def render(body: str, values: dict[str, str]) -> str:
    """Replace each known ``{name}``; unknown braces are left as written (the editor refuses them)."""
    text = PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), body)
    return text.replace("\r\n", "\n").strip() + "\n"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):,.2f}"


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL = ["", "拾", "佰", "仟"]
_BIG = ["", "万", "亿", "兆"]


def _section(n: int) -> str:
    """Capitals for 0 < n < 10000, with inner zeros collapsed."""
    out = ""
    zero = False
    for pos in range(3, -1, -1):
        d = n // 10**pos % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += _DIGITS[d] + _SMALL[pos]
    return out


def rmb_upper(value: Decimal) -> str:
    """人民币大写, e.g. 12345.60 → 壹万贰仟叁佰肆拾伍元陆角整; 0 → 零元整."""
    value = value.quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    if value < 0:
        return "负" + rmb_upper(-value)
    yuan = int(value)
    cents = int((value - yuan) * 100)
    parts = []
    sections = []
    n = yuan
    while n:
        sections.append(n % 10000)
        n //= 10000
    need_zero = False
    for i in range(len(sections) - 1, -1, -1):
        sec = sections[i]
        if sec == 0:
            need_zero = bool(parts)
            continue
        if parts and (need_zero or sec < 1000):
            parts.append("零")
        parts.append(_section(sec) + _BIG[i])
        need_zero = False
    text = "".join(parts)
    jiao, fen = divmod(cents, 10)
    if not text and not cents:
        return "零元整"
    if text:
        text += "元"
    if jiao == 0 and fen == 0:
        return text + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif text:
        text += "零"
    if fen:
        text += _DIGITS[fen] + "分"
    else:
        text += "整"
    return text
