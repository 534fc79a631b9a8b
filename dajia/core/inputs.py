"""Numbers, ids, dates and text from the outside (query strings, forms, uploaded files): the one place that says
what is acceptable, and how a refusal is answered.

Every id or whole number typed into an address or a form is ASCII digits (full-width digits, as a Chinese input
method types them, are read as digits; "²", "١" and other Unicode digits are not) within the database's range
(64-bit signed; an id is at least 1). Every date is within :data:`DATE_MIN`…:data:`DATE_MAX`: year 1 or 99999
is a typing error, and beyond what the database and the time zone arithmetic handle.

A bad value in a query string is never silently ignored: the query parsers raise :class:`BadInput`, which
:class:`BadInputMiddleware` answers with a 400 carrying the message (Chinese first; ``{"detail": ...}`` for
JSON endpoints). Services use :func:`clean_whole`/:func:`clean_date`, which raise ``ValidationError`` keyed by
field, as forms do. Form fields are bounded by ``dajia.core.forms``, using the same rules.

Each kind of input has one cleaner here, so the same amount or the same name is read the same way on every
page, import and API: text (``clean_text``), mobile numbers (``clean_mobile``), whole numbers (``clean_whole``),
dates (``clean_date``) and money (``clean_money``).
"""

from __future__ import annotations

import datetime
import json
import re
import unicodedata
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from dajia.core.errors import json_client
from dajia.core.validators import mobile_error, normalise_mobile
from dajia.scoring.grammar import cell_text

DB_INT_MAX = 2**63 - 1
DB_INT_MIN = -(2**63)
DATE_MIN = datetime.date(1900, 1, 1)
DATE_MAX = datetime.date(2199, 12, 31)

_FULL_WIDTH = str.maketrans("０１２３４５６７８９－＋", "0123456789-+")
_WHOLE = re.compile(r"[+-]?[0-9]+", re.ASCII)
_URL_INTEGER = re.compile(r"^[+-]?[0-9]+(?:\.0*)?$")


class BadInput(Exception):
    """A value from the outside that cannot be used; ``message`` says why, for the person who sent it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# ---- the rules -------------------------------------------------------------------------------------------


def whole_error(label: str, minimum: int, maximum: int) -> str:
    if maximum >= DB_INT_MAX:
        return _("%(label)s must be a whole number of at least %(a)s.") % {"label": label, "a": minimum}
    return _("%(label)s must be a whole number from %(a)s to %(b)s.") % {
        "label": label,
        "a": minimum,
        "b": maximum,
    }


def id_error(label: str) -> str:
    return _("%(label)s must be a number (an id) made of digits.") % {"label": label}


def parse_id(value, *, label: str) -> int:
    """An id: ASCII (or full-width) digits, 1…2⁶³−1; raises ``ValidationError`` naming ``label``."""
    try:
        return parse_whole(value, label=label, minimum=1)
    except ValidationError:
        raise ValidationError(id_error(label)) from None


def parse_whole(value, *, label: str, minimum: int = DB_INT_MIN, maximum: int = DB_INT_MAX) -> int:
    """A whole number written with ASCII (or full-width) digits, within ``minimum``…``maximum`` (which never
    exceed the database's 64 bits); raises ``ValidationError`` with a message naming ``label``."""
    minimum, maximum = max(minimum, DB_INT_MIN), min(maximum, DB_INT_MAX)
    if isinstance(value, bool):
        value = None
    if isinstance(value, int):
        number = value
    else:
        raw = str(value if value is not None else "").strip().translate(_FULL_WIDTH)
        # 25 characters bound the work of int() on a hostile value; no valid one is longer
        if len(raw) > 25 or not _WHOLE.fullmatch(raw):
            raise ValidationError(whole_error(label, minimum, maximum))
        number = int(raw)
    if not minimum <= number <= maximum:
        raise ValidationError(whole_error(label, minimum, maximum))
    return number


def as_id(value) -> int | None:
    """``value`` as an id (digits, 1…2⁶³−1), else None: for a caller whose own message says "choose one from
    the list"."""
    try:
        return parse_id(value, label="id")
    except ValidationError:
        return None


def clean_whole(value, *, field: str, label: str, minimum: int = 1, maximum: int = 100000) -> int:
    """A whole number in range for a service; the error is keyed by ``field``, as a form's would be."""
    try:
        return parse_whole(value, label=label, minimum=minimum, maximum=maximum)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None


def date_error(label: str) -> str:
    return _("%(label)s must be a date between %(a)s and %(b)s.") % {
        "label": label,
        "a": DATE_MIN.isoformat(),
        "b": DATE_MAX.isoformat(),
    }


def check_date(value: datetime.date, *, label: str) -> datetime.date:
    """``value`` (a date or datetime) when its day is within the supported range, else ``ValidationError``."""
    day = value.date() if isinstance(value, datetime.datetime) else value
    if not DATE_MIN <= day <= DATE_MAX:
        raise ValidationError(date_error(label))
    return value


def parse_date(value, *, label: str) -> datetime.date:
    """A date written as YYYY-MM-DD (full-width digits allowed), within the supported range."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return check_date(value, label=label)
    raw = unicodedata.normalize("NFKC", str(value or "")).strip()[:20] if value is not None else ""
    try:
        day = datetime.date.fromisoformat(raw) if raw.isascii() else None
    except ValueError:
        day = None
    if day is None:
        raise ValidationError(date_error(label))
    return check_date(day, label=label)


def clean_date(value, *, field: str, label: str) -> datetime.date:
    """A date for a service; the error is keyed by ``field``."""
    try:
        return parse_date(value, label=label)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None


_SPACES = re.compile(r"[ \t\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def normalise(value, *, cell: bool = False) -> str:
    """Text read the one way every app reads it.

    Free text is NFC, so a user's full-width Chinese punctuation (，。：) stays as typed: control characters
    dropped, each line trimmed with runs of spaces made one, at most one blank line in a row. A ``cell`` (a name,
    a group, a code, a number typed in a sheet or a search box) is read by the sheet files' own rule
    (``dajia.scoring.grammar.cell_text``: NFKC, trimmed), so full-width letters, digits and spaces read as
    half-width ones and a name typed on a page matches the same name in a sheet (PRODUCT.md)."""
    if cell:
        return cell_text(value)
    text = unicodedata.normalize("NFC", "" if value is None else str(value))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch == "\n" or ch == "\t" or unicodedata.category(ch)[0] != "C")
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def clean_text(
    value,
    *,
    field: str,
    max_length: int,
    label: str | None = None,
    required: bool = True,
    min_length: int = 0,
    cell: bool = False,
) -> str:
    """``normalise`` d text that is filled in (if ``required``), has at least ``min_length`` letters or digits
    (punctuation alone says nothing) and fits ``max_length`` characters. Messages name ``label`` when given."""
    text = normalise(value, cell=cell)
    if required and not text and not min_length:
        raise ValidationError({field: _("Please fill in %(label)s.") % {"label": label or _("this field")}})
    if min_length and (required or text) and sum(ch.isalnum() for ch in text) < min_length:
        raise ValidationError({field: _("Please write at least %(n)d characters.") % {"n": min_length}})
    if len(text) > max_length:
        message = (
            _("%(label)s is too long (at most %(n)s characters).") % {"label": label, "n": max_length}
            if label
            else _("Please keep it within %(n)d characters (now %(m)d).") % {"n": max_length, "m": len(text)}
        )
        raise ValidationError({field: message})
    return text


def clean_mobile(value) -> str:
    """A mainland mobile number as 11 digits (spaces, dashes, +86 and full-width digits allowed)."""
    error = mobile_error(str(value or ""))
    if error:
        raise ValidationError({"mobile": error})
    return normalise_mobile(str(value))


# Yuan: digits with optional thousands separators in groups of three, at most two decimals; no sign, no
# exponent ("1e3" is a typo here, not a thousand), so what the office typed is what is stored.
_MONEY = re.compile(r"^(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]{1,2})?$", re.ASCII)
MONEY_MAX = Decimal("9999999999.99")  # DecimalField(max_digits=12, decimal_places=2)


def clean_money(value, *, field: str, label: str, maximum: Decimal = MONEY_MAX) -> Decimal:
    """An amount of yuan from 0 to ``maximum`` with at most two decimals, as a Decimal with two places.

    Full-width digits are digits (NFKC); a leading "¥" or trailing "元" and thousands separators ("12,000.50")
    are allowed; a sign, an exponent or a third decimal is refused with a message naming ``label``."""
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        text = format(Decimal(value), "f")
    else:
        text = normalise(value, cell=True).removeprefix("¥").removesuffix("元").strip()
    if not _MONEY.match(text):
        raise ValidationError(
            {
                field: _("%(label)s: enter an amount in yuan ≥ 0 with at most two decimals, e.g. 12000.00.")
                % {"label": label}
            }
        )
    amount = Decimal(text.replace(",", ""))
    if amount > maximum:
        raise ValidationError(
            {field: _("%(label)s can be at most %(n)s yuan.") % {"label": label, "n": f"{maximum:,}"}}
        )
    return amount.quantize(Decimal("0.01"))


# ---- query strings and posted lists: a bad value is a 400 ---------------------------------------------------


def _bad(error: ValidationError, name: str):
    return BadInput("；".join(error.messages))


def query_id(params, name: str, *, label: str | None = None) -> int | None:
    """The id in ``params[name]`` (a QueryDict or dict), None when absent or blank; :class:`BadInput` else."""
    raw = params.get(name)
    if raw is None or str(raw).strip() == "":
        return None
    try:
        return parse_id(raw, label=label or f"“{name}”")
    except ValidationError as error:
        raise _bad(error, name) from None


def query_ids(params, name: str, *, label: str | None = None) -> list[int]:
    """Every id posted under ``name`` (``<select multiple>``, checkboxes), blanks skipped; one bad → BadInput."""
    values = params.getlist(name) if hasattr(params, "getlist") else params.get(name, [])
    ids = []
    for raw in values:
        if str(raw).strip() == "":
            continue
        try:
            ids.append(parse_id(raw, label=label or f"“{name}”"))
        except ValidationError as error:
            raise _bad(error, name) from None
    return ids


def query_whole(
    params, name: str, *, minimum: int, maximum: int, default: int | None = None, label: str | None = None
) -> int | None:
    """A whole number in ``params[name]`` within range, ``default`` when absent or blank; BadInput else."""
    raw = params.get(name)
    if raw is None or str(raw).strip() == "":
        return default
    try:
        return parse_whole(raw, label=label or f"“{name}”", minimum=minimum, maximum=maximum)
    except ValidationError as error:
        raise _bad(error, name) from None


def query_page(params, name: str = "page") -> int:
    """A page number for ``Paginator.get_page`` (1 when absent; past the last page shows the last one)."""
    return query_whole(params, name, minimum=1, maximum=DB_INT_MAX, default=1, label=_("The page"))


def query_date(params, name: str, *, label: str | None = None) -> datetime.date | None:
    """A date in ``params[name]``, None when absent or blank; BadInput when not a date in range."""
    raw = params.get(name)
    if raw is None or str(raw).strip() == "":
        return None
    try:
        return parse_date(raw, label=label or f"“{name}”")
    except ValidationError as error:
        raise _bad(error, name) from None


# ---- the answer ------------------------------------------------------------------------------------------


def _address_values(request) -> list[str]:
    """What an address carries: the path's segments and every query value (the values a view may read)."""
    values = request.path.split("/")
    for _name, given in request.GET.lists():
        values.extend(given)
    return values


def number_out_of_range(request) -> bool:
    """Whether an id, offset or other whole number in the URL is beyond 64 bits. The database cannot hold it
    (SQLite raises OverflowError, PostgreSQL "bigint out of range"), so it is bad input, not a server error.
    Checked by :class:`BadInputMiddleware` for every page, so a path's ``<int:pk>`` and a query value no view parses yet are covered."""
    return any(
        len(value) > 18
        and _URL_INTEGER.match(value.strip())
        and not DB_INT_MIN <= int(value.strip().split(".")[0]) <= DB_INT_MAX
        for value in _address_values(request)
    )


def nul_in_address(request) -> bool:
    """Whether the path or the query string holds a NUL character. No name, word or number has one, and
    PostgreSQL's text cannot hold it ("text fields cannot contain NUL"): a search for it would be a server error
    there, and is bad input everywhere. Checked by :class:`BadInputMiddleware` for every page and API."""
    return any("\x00" in value for value in [*_address_values(request), *request.GET])  # names too


def holds_nul(value) -> bool:
    """Whether a decoded JSON value holds a NUL character in any string, names of members included. A JSON body
    may carry one as ``\\u0000`` where a form field cannot (Django's form fields refuse it), and a service that
    stores or looks up the text would reach PostgreSQL with it: a server error there, a stray byte elsewhere."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(holds_nul(key) or holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(holds_nul(item) for item in value)
    return False


def nul_in_json_body(request) -> bool:
    """Whether a JSON request body holds a NUL character (:func:`holds_nul`). A body without the six characters
    of its escape is not decoded here; one that does not decode is the view's to answer, as before."""
    if request.content_type != "application/json" or b"\\u0000" not in request.body:
        return False
    try:
        return holds_nul(json.loads(request.body))
    except ValueError:  # not JSON (UnicodeDecodeError included): the view's parser says so
        return False


def bad_input_response(request, message: str):
    """A 400 that says what was wrong: JSON ``{"detail": ...}`` for JSON clients, else the site's page."""
    if json_client(request):
        return JsonResponse({"detail": message}, status=400)
    return render(request, "core/bad_input.html", {"message": message}, status=400)


class BadInputMiddleware:
    """Turns :class:`BadInput` raised by a view (a filter, a page number, a posted id) into a 400 page, and
    answers an address no page can use (a number beyond 64 bits, a NUL character), and a JSON body with a NUL
    character, before any view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if number_out_of_range(request):
            return bad_input_response(request, _("A number in the address is out of range."))
        if nul_in_address(request):
            return bad_input_response(request, _("The address holds a character that cannot be used (NUL)."))
        if nul_in_json_body(request):
            return bad_input_response(request, _("The request holds a character that cannot be used (NUL)."))
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, BadInput):
            return bad_input_response(request, exception.message)
        return None
