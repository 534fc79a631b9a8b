"""Opening an uploaded spreadsheet safely (dajia.core.spreadsheets): caps checked before openpyxl is called,
reading stopped at the row cap, reader errors turned into refusals with the line."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest

from dajia.core import spreadsheets
from dajia.core.spreadsheets import Caps, SpreadsheetRefused

CAPS = Caps(max_bytes=1024 * 1024, max_rows=10, max_inflated=2 * 1024 * 1024)


def xlsx(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def rewrite_sheet(data: bytes, change) -> bytes:
    """The same workbook with its first worksheet's XML changed by ``change``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            body = zin.read(item.filename)
            zout.writestr(
                item.filename, change(body) if item.filename == "xl/worksheets/sheet1.xml" else body
            )
    return out.getvalue()


def inflating(data: bytes, megabytes: int) -> bytes:
    """A small file whose worksheet XML inflates to ``megabytes`` MB (a comment of zeros after the root)."""
    return rewrite_sheet(data, lambda body: body + b"<!--" + b"0" * (megabytes * 1024 * 1024) + b"-->")


def declaring_rows(data: bytes, rows: int) -> bytes:
    return rewrite_sheet(
        data, lambda body: body.replace(b'<dimension ref="A1:B2"', f'<dimension ref="A1:B{rows}"'.encode())
    )


@pytest.fixture
def no_openpyxl(monkeypatch):
    """Fails the test if openpyxl is asked to open anything: the refusal must come before it."""

    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl was called for a file that the caps refuse")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def test_rows_are_read_in_read_only_mode_with_their_lines():
    data = xlsx([["姓名", "手机号"], ["张三", 13800001111]])
    assert list(spreadsheets.xlsx_rows(data, CAPS)) == [(1, ("姓名", "手机号")), (2, ("张三", 13800001111))]


def test_a_file_that_inflates_beyond_the_cap_is_refused_before_openpyxl(no_openpyxl):
    crafted = inflating(xlsx([["a", "b"], [1, 2]]), 3)
    assert len(crafted) < 100 * 1024  # small on the wire
    with pytest.raises(SpreadsheetRefused) as raised:
        list(spreadsheets.xlsx_rows(crafted, CAPS))
    assert "1 MB" in str(raised.value) and "10" in str(raised.value)


def test_a_sheet_declaring_a_million_rows_is_refused_before_openpyxl(no_openpyxl):
    crafted = declaring_rows(xlsx([["a", "b"], [1, 2]]), 1_000_000)
    with pytest.raises(SpreadsheetRefused) as raised:
        spreadsheets.check_xlsx(crafted, CAPS)
    assert "too many rows" in str(raised.value) and "行数太多" in str(raised.value)


def test_a_file_larger_than_the_cap_is_refused_unread(no_openpyxl):
    with pytest.raises(SpreadsheetRefused) as raised:
        spreadsheets.check_upload(b"x" * (CAPS.max_bytes + 1), "sheets.xlsx", CAPS)
    assert "too large" in str(raised.value)
    with pytest.raises(SpreadsheetRefused):
        spreadsheets.check_upload(b"a,b\n" * (CAPS.max_rows + 2), "sheets.csv", CAPS)
    spreadsheets.check_upload(b"a,b\n" * CAPS.max_rows, "sheets.csv", CAPS)


def test_reading_stops_at_the_row_cap_when_no_dimension_is_declared():
    data = xlsx([["a", "b"]] + [[i, i] for i in range(30)])
    data = rewrite_sheet(data, lambda body: re.sub(rb'<dimension ref="[^"]*" />', b"", body))
    seen = []
    with pytest.raises(SpreadsheetRefused):
        for line, _values in spreadsheets.xlsx_rows(data, CAPS):
            seen.append(line)
    assert seen == list(range(1, CAPS.max_rows + 2))  # the header and 10 rows, not one more


def test_a_damaged_file_is_a_refusal_not_an_exception():
    with pytest.raises(SpreadsheetRefused) as raised:
        list(spreadsheets.xlsx_rows(b"PK\x03\x04 not really a zip", CAPS))
    assert "无法读取" in str(raised.value)
    damaged = rewrite_sheet(xlsx([["a"], [1]]), lambda body: body.replace(b"</sheetData>", b"<row r="))
    with pytest.raises(SpreadsheetRefused) as raised:
        list(spreadsheets.xlsx_rows(damaged, CAPS))
    assert "line" in str(raised.value) or "无法读取" in str(raised.value)


def test_the_caps_are_settings_and_say_themselves(settings):
    settings.DAJIA_IMPORT_CAPS = {
        **settings.DAJIA_IMPORT_CAPS,
        "roll": {"max_bytes": 3 * 1024 * 1024, "max_rows": 7, "max_inflated": 1},
    }
    caps = spreadsheets.import_caps("roll")
    assert caps.mb == "3" and "3 MB" in caps.text() and "7" in caps.text()
