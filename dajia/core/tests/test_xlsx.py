"""The export writer itself: text cells never formulas or errors, numbers with their column's format, the
header row, the CSV guard and the download response. Every export view is checked in test_exports_every.py."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from dajia.core.xlsx import MONEY, PERCENT, Book, Column, csv_bytes, csv_text, moment_text, xlsx_response


def _read_back(book: Book):
    return load_workbook(io.BytesIO(book.bytes()))


def test_text_that_looks_like_a_formula_or_an_error_reads_back_as_that_text():
    book = Book()
    sheet = book.sheet("表", [Column("=SUM(A2:A9)", 10), Column("内容", 20)])
    sheet.row(['=HYPERLINK("https://evil.example","x")', "#N/A"])
    sheet.row(["=", "@SUM(1)"])
    ws = _read_back(book)["表"]
    assert [(c.value, c.data_type) for c in ws[1]] == [("=SUM(A2:A9)", "s"), ("内容", "s")]
    assert [(c.value, c.data_type) for c in ws[2]] == [
        ('=HYPERLINK("https://evil.example","x")', "s"),
        ("#N/A", "s"),
    ]
    assert [(c.value, c.data_type) for c in ws[3]] == [("=", "s"), ("@SUM(1)", "s")]


def test_numbers_stay_numbers_with_their_columns_format_and_text_in_a_number_column_stays_text():
    book = Book()
    sheet = book.sheet("表", [Column("金额", 12, MONEY), Column("比率", 8, PERCENT)])
    sheet.row([Decimal("2800.00"), 0.25])
    sheet.row(["=1+1", None])
    sheet.row([Decimal("5"), 3], formats={1: MONEY})
    ws = _read_back(book)["表"]
    assert (ws["A2"].data_type, ws["A2"].number_format, float(ws["A2"].value)) == ("n", MONEY, 2800.0)
    assert (ws["B2"].number_format, ws["B2"].value) == (PERCENT, 0.25)
    assert (ws["A3"].value, ws["A3"].data_type, ws["A3"].number_format) == ("=1+1", "s", "General")
    assert ws["B3"].value is None
    assert ws["B4"].number_format == MONEY


def test_the_header_is_bold_frozen_and_sized_and_an_empty_row_keeps_its_place():
    book = Book()
    sheet = book.sheet("第一", [Column("甲", 30), Column("乙", 8)], freeze="B2")
    sheet.row(["a"])
    sheet.row()
    sheet.row(["说明"], bold=True)
    book.sheet("第二", [Column("丙")])
    wb = _read_back(book)
    assert wb.sheetnames == ["第一", "第二"]
    ws = wb["第一"]
    assert ws["A1"].font.bold and ws.freeze_panes == "B2"
    assert (ws.column_dimensions["A"].width, ws.column_dimensions["B"].width) == (30, 8)
    assert (ws["A2"].value, ws["A3"].value, ws["A4"].value) == ("a", None, "说明")
    assert ws["A4"].font.bold and not ws["A2"].font.bold


def test_a_foreign_sheet_is_filled_by_its_writer_and_styled_like_the_others():
    book = Book()

    def fill(ws):
        ws.append(["evaluator", "group"])
        ws.append(["王委员", "政协委员"])

    book.foreign_sheet("评分明细", fill, [14, 16], freeze="C2")
    ws = _read_back(book)["评分明细"]
    assert ws["A1"].font.bold and ws.freeze_panes == "C2" and ws.column_dimensions["B"].width == 16
    assert ws["A2"].value == "王委员"


def test_characters_xml_cannot_hold_are_dropped_instead_of_failing_the_export():
    book = Book()
    book.sheet("表", [Column("需求")]).row(["食堂\x07饭菜\x1b太贵\n第二行\t"])
    assert _read_back(book)["表"]["A2"].value == "食堂饭菜太贵\n第二行\t"


def test_lazy_text_is_text_and_an_unexpected_type_is_refused_loudly():
    book = Book()
    sheet = book.sheet("表", [Column("状态")])
    sheet.row([gettext_lazy("Active")])
    with pytest.raises(TypeError, match="date"):
        sheet.row([datetime.date(2026, 1, 1)])
    with pytest.raises(TypeError, match="bool"):
        sheet.row([True])
    assert _read_back(book)["表"]["A2"].data_type == "s"


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_neutralises_each_leading_trigger_with_a_single_quote(lead):
    text = f'{lead}HYPERLINK("https://evil.example")'
    assert csv_text(text) == "'" + text
    data = csv_bytes(["需求", "人数"], [[text, 3]])
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows == [["需求", "人数"], ["'" + text, "3"]]


def test_csv_leaves_ordinary_text_and_numbers_alone():
    assert [csv_text(v) for v in ("职工=大家", "a+b", -5, Decimal("-2.50"), None)] == [
        "职工=大家",
        "a+b",
        "-5",
        "-2.50",
        "",
    ]


def test_the_download_keeps_its_chinese_file_name():
    response = xlsx_response(b"PK", "服务菜单-20260101.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert response["Content-Disposition"] == (
        "attachment; filename*=UTF-8''%E6%9C%8D%E5%8A%A1%E8%8F%9C%E5%8D%95-20260101.xlsx"
    )


def test_times_are_written_to_the_minute_in_shanghai():
    moment = datetime.datetime(2026, 5, 8, 6, 30, 59, tzinfo=datetime.UTC)
    assert (moment_text(moment), moment_text(None)) == ("2026-05-08 14:30", "")
