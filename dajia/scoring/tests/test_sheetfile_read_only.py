"""The sheet file's XLSX reader streams the workbook (openpyxl read-only) and turns an error met while
streaming — a damaged worksheet inside a valid zip — into the engine's "unreadable" refusal, not a crash."""

from __future__ import annotations

import openpyxl
import pytest

from dajia.core.tests.test_spreadsheets import rewrite_sheet, xlsx
from dajia.scoring.engine import ScoringError
from dajia.scoring.sheetfile import parse_xlsx_bytes

HEADER = ["评委", "分组", "项目", "内容(30)"]


def test_the_workbook_is_opened_read_only(monkeypatch):
    opened = []
    real = openpyxl.load_workbook

    def spy(*args, **kwargs):
        opened.append(kwargs.get("read_only"))
        return real(*args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", spy)
    sheet_file = parse_xlsx_bytes(xlsx([HEADER, ["王委员", "", "P1", 25]]))
    assert [s.evaluator for s in sheet_file.sheets] == ["王委员"]
    assert opened and all(opened)


def test_a_worksheet_damaged_inside_a_valid_zip_is_unreadable_not_a_crash():
    damaged = rewrite_sheet(xlsx([HEADER, ["王委员", "", "P1", 25]]), lambda body: body[: len(body) // 2])
    with pytest.raises(ScoringError) as raised:
        parse_xlsx_bytes(damaged)
    assert raised.value.code == "unreadable"
