"""Chinese identifiers: 统一社会信用代码 (GB 32100), mainland mobile numbers, 身份证 (GB 11643).

Plain functions returning messages, so forms, the API and the importers give the same reason.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalise_code(value: str) -> str:
    """Full-width characters to ASCII, spaces removed, upper case."""
    return unicodedata.normalize("NFKC", value or "").replace(" ", "").strip().upper()


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_CHARSET.index(ch) * w for ch, w in zip(first17, _USCC_WEIGHTS, strict=True))
    check = 31 - total % 31
    return USCC_CHARSET[0 if check == 31 else check]


def uscc_error(value: str) -> str | None:
    """Why a 统一社会信用代码 is invalid, or None when it passes the GB 32100 check."""
    code = normalise_code(value)
    if len(code) != 18:
        return str(
            _("The unified social credit code must have 18 characters (it has %(n)s).") % {"n": len(code)}
        )
    bad = sorted({ch for ch in code if ch not in USCC_CHARSET})
    if bad:
        return str(
            _("The unified social credit code contains characters that are not allowed: %(chars)s.")
            % {"chars": "".join(bad)}
        )
    if uscc_check_char(code[:17]) != code[17]:
        return str(
            _("The check character of the unified social credit code is wrong; please check the code.")
        )
    return None


def uscc_org_code_warning(value: str) -> str | None:
    """The inner GB 11714 organisation-code check. Some issued codes fail it, so it only ever warns."""
    code = normalise_code(value)
    if len(code) != 18:
        return None
    body, check = code[8:16], code[16]

    def val(ch: str) -> int:
        return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10

    try:
        total = sum(val(ch) * w for ch, w in zip(body, _ORG_WEIGHTS, strict=True))
    except ValueError:
        return None
    c = 11 - total % 11
    expected = "X" if c == 10 else "0" if c == 11 else str(c)
    if expected != check:
        return str(
            _("The organisation code inside the credit code does not pass its own check; please verify it.")
        )
    return None


def validate_uscc(value: str) -> None:
    error = uscc_error(value)
    if error:
        raise ValidationError(error, code="uscc")


def make_uscc(first17: str) -> str:
    """Complete 17 characters with the GB 32100 check character (demo data and tests)."""
    return first17 + uscc_check_char(first17)


def mobile_error(value: str) -> str | None:
    number = normalise_code(value).replace("-", "")
    if number.startswith("+86"):
        number = number[3:]
    if not _MOBILE_RE.match(number):
        return str(_("Please enter an 11-digit mainland mobile number starting with 1 (e.g. 13812345678)."))
    return None


def normalise_mobile(value: str) -> str:
    number = normalise_code(value).replace("-", "")
    return number[3:] if number.startswith("+86") else number


def validate_mobile(value: str) -> None:
    error = mobile_error(value)
    if error:
        raise ValidationError(error, code="mobile")


def id_card_error(value: str) -> str | None:
    code = normalise_code(value)
    if not re.match(r"^\d{17}[\dX]$", code):
        return str(_("An ID card number has 17 digits followed by a digit or X."))
    total = sum(int(ch) * w for ch, w in zip(code[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != code[17]:
        return str(_("The check digit of the ID card number is wrong."))
    return None


def validate_id_card(value: str) -> None:
    error = id_card_error(value)
    if error:
        raise ValidationError(error, code="id_card")


def mask_name(name: str) -> str:
    """公示 masking: the second character becomes ＊ (张三 → 张＊, 欧阳娜娜 → 欧＊娜娜)."""
    if not name:
        return name
    if len(name) == 1:
        return "＊"
    return name[0] + "＊" + name[2:]


def mask_mobile(number: str) -> str:
    n = normalise_mobile(number)
    return n[:3] + "****" + n[-4:] if len(n) == 11 else "****"


def mask_id_card(code: str) -> str:
    c = normalise_code(code)
    return c[:6] + "********" + c[-4:] if len(c) == 18 else "****"
