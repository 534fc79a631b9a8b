"""The one money cleaner and the one text cleaner (``dajia.core.inputs``), and that no app keeps its own copy."""

from __future__ import annotations

import pathlib
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from dajia.core.inputs import clean_money, clean_text, normalise

DAJIA = pathlib.Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("800", Decimal("800.00")),
        ("1200.5", Decimal("1200.50")),
        ("0", Decimal("0.00")),
        ("１２０００．５０", Decimal("12000.50")),
        ("12,000.50", Decimal("12000.50")),
        ("1,234,567", Decimal("1234567.00")),
        ("¥800", Decimal("800.00")),
        ("800元", Decimal("800.00")),
        (" 800 ", Decimal("800.00")),
        (Decimal("18.5"), Decimal("18.50")),
        (200000, Decimal("200000.00")),
    ],
)
def test_clean_money_reads_what_an_office_types(raw, expected):
    assert clean_money(raw, field="amount", label="金额") == expected


@pytest.mark.parametrize(
    "raw",
    ["1e3", "1E3", "-1", "+5", "12.345", "abc", "八百", "", None, "1,00", "12,0000", "1.", ".5", "NaN", True],
)
def test_clean_money_refuses_anything_else_naming_the_field(raw):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        clean_money(raw, field="amount", label="金额")
    assert list(exc.value.message_dict) == ["amount"]
    assert exc.value.message_dict["amount"][0].startswith("金额：请填写不小于 0 的金额")


def test_clean_money_keeps_to_the_column_range():
    assert clean_money("99999999.99", field="price", label="价格", maximum=Decimal("99999999.99")) == Decimal(
        "99999999.99"
    )
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        clean_money("100000000", field="price", label="价格", maximum=Decimal("99999999.99"))
    assert exc.value.message_dict["price"] == ["价格最多为 99,999,999.99 元。"]
    with pytest.raises(ValidationError):
        clean_money("10000000000", field="amount", label="金额")


def test_free_text_keeps_full_width_punctuation_and_cells_fold_it():
    assert normalise("  好的，谢谢！\r\n第二行 ") == "好的，谢谢！\n第二行"
    assert normalise("Ｐ１　", cell=True) == "P1"
    assert clean_text("ＡＢ，", field="name", label="名称", max_length=5, cell=True) == "AB,"
    assert clean_text("ＡＢ，", field="name", label="名称", max_length=5) == "ＡＢ，"


def test_clean_text_requires_and_limits():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        clean_text(" ", field="name", label="名称", max_length=5)
    assert list(exc.value.message_dict) == ["name"]
    with pytest.raises(ValidationError) as exc:
        clean_text("123456", field="name", label="名称", max_length=5)
    assert list(exc.value.message_dict) == ["name"]
    assert clean_text(None, field="name", label="名称", max_length=5, required=False) == ""


def _sources():
    for path in DAJIA.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        yield path, path.read_text(encoding="utf-8")


def test_no_app_keeps_its_own_money_parser_or_office_check():
    """The old copies (``parse_money`` in agreements and consultations, ``parse_price`` in the menu, the
    ``_require_office`` helpers of eight service modules) are gone: every caller uses the one function."""
    copies = re.compile(
        r"^def (parse_money|parse_price|_parse_money|_require_office\w*|require_office)\(", re.M
    )
    found = [
        f"{path.relative_to(DAJIA)}:{m.group(1)}"
        for path, text in _sources()
        for m in copies.finditer(text)
        if path.relative_to(DAJIA).as_posix() != "accounts/permissions.py"
    ]
    assert found == []
