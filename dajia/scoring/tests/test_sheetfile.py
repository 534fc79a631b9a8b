"""The sheet file reader: every edge case PRODUCT.md "The sheet file" names, for CSV and XLSX."""

from __future__ import annotations

import io
import re
import zipfile
from fractions import Fraction
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from dajia.scoring.engine import Criterion, ScoringError, canonical_sheet_file, digest, tally
from dajia.scoring.sheetfile import (
    clean_cell,
    parse_bytes,
    parse_csv_text,
    parse_score,
    read_sheet_file,
    write_xlsx_sheet,
)

HEADER = "evaluator,group,project,内容实用有效(30),方式方法新颖(25)\n"


def _csv(body: str, header: str = HEADER) -> list:
    return list(parse_csv_text(header + body).sheets)


def _error(body: str, header: str = HEADER) -> ScoringError:
    with pytest.raises(ScoringError) as caught:
        parse_csv_text(header + body)
    return caught.value


# --- scores ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("8", 8),
        ("8.5", Fraction(17, 2)),
        ("0", 0),
        ("08.5", Fraction(17, 2)),
        ("８．５", Fraction(17, 2)),
        ("３０", 30),
    ],
)
def test_valid_scores(cell: str, value: Fraction) -> None:
    assert parse_score(clean_cell(cell)) == value


@pytest.mark.parametrize(
    "cell", ["8.50", "+8", "8.", ".5", "1e1", "8分", "-1", "8 .5", "NaN", "١", "8.5.1", "½"]
)
def test_invalid_scores_are_refused_with_the_reason(cell: str) -> None:
    error = _error(f"张三,,P1,{cell},10\n")
    assert error.code == "bad_score" and error.line == 2
    assert "内容实用有效" in error.zh and "at most one decimal" in error.en


def test_score_above_the_maximum() -> None:
    error = _error("张三,,P1,30,25.1\n")
    assert error.code == "score_out_of_range" and error.line == 2 and "0–25" in error.en


def test_blank_score_is_not_scored() -> None:
    sheets = _csv("张三,,P1,30,\n")
    assert sheets[0].scores == {"内容实用有效": 30, "方式方法新颖": None}
    result = tally(parse_csv_text(HEADER + "张三,,P1,30,\n").criteria, sheets)
    assert result.unranked == ("P1",) and len(result.incomplete) == 1


# --- cells and rows -------------------------------------------------------------------------------


def test_cells_are_nfkc_normalised_and_trimmed() -> None:
    sheets = _csv("张三 ,　政协委员　,P1 ,30,25\n李四,政协委员,Ｐ１,20,20\n")
    assert {(s.evaluator, s.group, s.project) for s in sheets} == {
        ("张三", "政协委员", "P1"),
        ("李四", "政协委员", "P1"),
    }


def test_same_project_after_trimming_is_a_duplicate() -> None:
    text = HEADER + "张三,,P1 ,30,25\n张三,,P1,20,20\n"
    file = parse_csv_text(text)
    with pytest.raises(ScoringError) as caught:
        tally(file.criteria, file.sheets)
    assert caught.value.code == "duplicate_sheet" and caught.value.line == 3


def test_blank_rows_are_skipped_and_lines_still_count() -> None:
    sheets = _csv("\n,,,,\n  , ,\n张三,,P1,30,25\n")
    assert [s.line for s in sheets] == [5]


def test_quoted_line_break_keeps_file_line_numbers() -> None:
    sheets = _csv('"张\n三",,P1,30,25\n李四,,P1,30,25\n')
    assert [s.line for s in sheets] == [2, 4]
    error = _error('"张\n三",,P1,30,25\n李四,,P1,30,x\n')
    assert error.line == 4


def test_missing_evaluator_or_project() -> None:
    assert _error(",,P1,30,25\n").code == "missing_evaluator"
    assert _error("张三,,,30,25\n").code == "missing_project"


def test_cells_beyond_the_header_are_refused() -> None:
    error = _error("张三,,P1,30,25,备注\n")
    assert error.code == "extra_cell" and error.line == 2
    assert _csv("张三,,P1,30,25,,\n")[0].scores["方式方法新颖"] == 25


def test_malformed_quotes() -> None:
    error = _error('张三,,"P1"x,30,25\n')
    assert error.code == "bad_csv" and error.line == 2


# --- header ---------------------------------------------------------------------------------------


def test_chinese_header_case_and_spaces_ignored() -> None:
    for header in (
        "评委,分组,项目,A(10)\n",
        " Evaluator , GROUP ,Project,A(10)\n",
        "评委,group,项目,A(10)\n",
    ):
        assert parse_csv_text(header).criteria == (Criterion("A", Fraction(10)),)


def test_last_parenthesised_part_is_the_maximum() -> None:
    file = parse_csv_text("evaluator,group,project,成熟度(吸引力)(25),内容（实用）（12.5）, B ( 10 ) \n")
    assert file.criteria == (
        Criterion("成熟度(吸引力)", Fraction(25)),
        Criterion("内容(实用)", Fraction("12.5")),
        Criterion("B", Fraction(10)),
    )


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("evaluator,group,A(10)\n", "missing_column"),
        ("evaluator,project,group,A(10)\n", "missing_column"),
        ("group,evaluator,project,A(10)\n", "missing_column"),
        ("evaluator,group,project\n", "missing_column"),
        ("evaluator,group,project,备注\n", "bad_column"),
        ("evaluator,group,project,A(10),A(20)\n", "duplicate_criterion"),
        ("evaluator,group,project,(10)\n", "bad_column"),
        ("evaluator,group,project,A(0)\n", "bad_column"),
        ("evaluator,group,project,A(-1)\n", "bad_column"),
        ("\nevaluator,group,project,A(10)\n", "missing_header"),
        ("", "missing_header"),
    ],
)
def test_bad_headers(header: str, code: str) -> None:
    with pytest.raises(ScoringError) as caught:
        parse_csv_text(header)
    assert caught.value.code == code and caught.value.line == 1


# --- encodings ------------------------------------------------------------------------------------


def test_bom_and_crlf_are_accepted() -> None:
    data = ("\ufeff" + HEADER + "张三,,P1,30,25\n李四,,P1,20,20\n").replace("\n", "\r\n").encode("utf-8")
    file = parse_bytes(data, "评分.CSV")
    assert [s.evaluator for s in file.sheets] == ["张三", "李四"]
    assert [s.line for s in file.sheets] == [2, 3]
    assert file.criteria[0].name == "内容实用有效"


def test_gbk_is_refused_with_a_hint_to_save_as_utf8() -> None:
    with pytest.raises(ScoringError) as caught:
        parse_bytes((HEADER + "张三,,P1,30,25\n").encode("gbk"), "scores.csv")
    error = caught.value
    assert error.code == "not_utf8" and error.line == 1
    assert "UTF-8" in error.zh and "save it as" in error.en


def test_utf16_is_refused() -> None:
    with pytest.raises(ScoringError, match="UTF-16"):
        parse_bytes((HEADER).encode("utf-16"), "scores.csv")


def test_other_extensions_are_refused(tmp_path: Path) -> None:
    for name in ("scores.xls", "scores.txt", "scores"):
        with pytest.raises(ScoringError) as caught:
            parse_bytes(b"", name)
        assert caught.value.code == "bad_extension"
    with pytest.raises(ScoringError, match="no such file"):
        read_sheet_file(tmp_path / "missing.csv")
    with pytest.raises(ScoringError) as caught:
        read_sheet_file(tmp_path)
    assert caught.value.code == "unreadable"


# --- XLSX -----------------------------------------------------------------------------------------


def _xlsx(build) -> bytes:
    workbook = Workbook()
    build(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cache_formula_values(data: bytes, values: dict[str, str]) -> bytes:
    """Give formula cells a cached value, as Excel does when it saves (openpyxl itself writes none)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                text = content.decode("utf-8")
                for ref, value in values.items():
                    text = re.sub(rf'(<c r="{ref}"[^>]*>(<f>[^<]*</f>))<v ?/>', rf"\1<v>{value}</v>", text)
                content = text.encode("utf-8")
            target.writestr(item, content)
    return out.getvalue()


def test_xlsx_reads_the_sheet_named_评分明细_even_when_not_first() -> None:
    def build(workbook: Workbook) -> None:
        workbook.active.title = "说明"
        workbook.active.append(["这不是评分表"])
        ws = workbook.create_sheet("评分明细")
        ws.append(["评委", "分组", "项目", "内容实用有效(30)", "方式方法新颖(25)"])
        ws.append(["张三", "政协委员", "P1", 12.3, 20])
        ws.append([None, None, None, None, None])
        ws.append(["李四", "政协委员", "P1", 30.0, "２０"])

    file = parse_bytes(_xlsx(build), "export.xlsx")
    assert [(s.evaluator, s.line) for s in file.sheets] == [("张三", 2), ("李四", 4)]
    assert file.sheets[0].scores == {"内容实用有效": Fraction("12.3"), "方式方法新颖": 20}
    assert file.sheets[1].scores == {"内容实用有效": 30, "方式方法新颖": 20}


def test_xlsx_falls_back_to_the_first_sheet() -> None:
    def build(workbook: Workbook) -> None:
        workbook.active.append(["evaluator", "group", "project", "A(10)"])
        workbook.active.append(["e1", None, "P", 7])
        workbook.create_sheet("其他").append(["x"])

    assert parse_bytes(_xlsx(build), "a.xlsx").sheets[0].scores == {"A": 7}


def test_xlsx_formula_cells_are_read_as_cached_values() -> None:
    def build(workbook: Workbook) -> None:
        ws = workbook.active
        ws.append(["evaluator", "group", "project", "A(10)", "B(10)"])
        ws.append(["e1", None, "P", "=4+4.5", "=D2-1"])

    data = _cache_formula_values(_xlsx(build), {"D2": "8.5", "E2": "7.5"})
    assert parse_bytes(data, "a.xlsx").sheets[0].scores == {"A": Fraction(17, 2), "B": Fraction(15, 2)}


def test_xlsx_formula_without_cached_value_is_refused() -> None:
    def build(workbook: Workbook) -> None:
        ws = workbook.active
        ws.append(["evaluator", "group", "project", "A(10)"])
        ws.append(["e1", None, "P", 5])
        ws.append(["e2", None, "P", "=4+4"])

    with pytest.raises(ScoringError) as caught:
        parse_bytes(_xlsx(build), "a.xlsx")
    assert caught.value.code == "uncached_formula" and caught.value.line == 3


def test_xlsx_number_cells_use_the_shortest_decimal() -> None:
    assert clean_cell(12.3) == "12.3"
    assert clean_cell(0.1 + 0.2) == "0.30000000000000004"  # and so is refused as a score
    assert clean_cell(12.0) == "12"
    assert clean_cell(12) == "12"
    assert clean_cell(None) == ""
    assert clean_cell(True) == "TRUE"


def test_not_an_xlsx() -> None:
    with pytest.raises(ScoringError) as caught:
        parse_bytes(b"PK\x03\x04 not really", "a.xlsx")
    assert caught.value.code == "unreadable"


def test_write_xlsx_sheet_round_trips_to_the_same_digest() -> None:
    text = (
        "evaluator,group,project,内容实用有效(30),成熟度(吸引力)(12.5)\n"
        "张三,政协委员,P1,12.3,12.5\n"
        "=cmd,政协委员,P1,8,0\n"
        "李四,政协委员,P2,30,\n"
    )
    file = parse_csv_text(text)
    workbook = Workbook()
    workbook.active.title = "评分明细"
    write_xlsx_sheet(workbook.active, file.criteria, file.sheets)
    buffer = io.BytesIO()
    workbook.save(buffer)
    reread = parse_bytes(buffer.getvalue(), "export.xlsx")
    assert reread.criteria == file.criteria
    assert digest(reread.criteria, reread.sheets) == digest(file.criteria, file.sheets)
    assert canonical_sheet_file(reread.criteria, reread.sheets) == (
        "evaluator,group,project,内容实用有效(30),成熟度(吸引力)(12.5)\n=cmd,政协委员,P1,8.0,0.0\n张三,政协委员,P1,12.3,12.5\n"
    )
    cells = load_workbook(io.BytesIO(buffer.getvalue())).active
    assert cells["A2"].data_type == "s" and cells["A2"].value == "=cmd"  # never a formula
    assert cells["D3"].value == 12.3 and cells["E3"].value == 12.5
