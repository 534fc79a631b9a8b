"""The sheet file: paper score sheets typed in, the export's worksheet 评分明细, and the input of ``dajia
tally``.

Format (PRODUCT.md, "The sheet file"):

* CSV in UTF-8 (a BOM and CRLF line ends are fine) or XLSX, told by the file's extension. Any other encoding
  is refused with a hint to save as UTF-8 — guessing GBK versus Big5 could silently change names, and a
  changed name is a different evaluator or project.
* XLSX: the worksheet named 评分明细, else the first worksheet; formula cells are read as the value Excel
  cached; a number cell is read as its shortest decimal form (12.3, not 12.299999999999999).
* Line 1 is the header ``evaluator,group,project`` (or ``评委,分组,项目``; case and surrounding spaces
  ignored), then one column per criterion written ``name(max)`` — the last parenthesised part is the maximum,
  so ``成熟度(吸引力)(25)`` is criterion 成熟度(吸引力) with maximum 25. No other columns.
* Every cell is NFKC-normalised and trimmed, so full-width digits count as digits and ``P1 `` is ``P1``. A
  score must then match ``^[0-9]+(\\.[0-9])?$`` (the score grammar, ``dajia.scoring.grammar``): ``8.50``,
  ``+8``, ``8.``, ``.5``, ``1e1`` and ``8分`` are refused rather than guessed at. A blank score means "not
  scored"; an entirely blank row is skipped.

Line numbers in errors are 1-based lines of the file (for XLSX, row numbers); the header is line 1.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from dajia.scoring.engine import Criterion, ScoringError, Sheet, canonical_table, decimal_text
from dajia.scoring.grammar import ScoreRefused, cell_text, read_score

__all__ = [
    "SHEET_NAME",
    "SheetFile",
    "clean_cell",
    "parse_bytes",
    "parse_rows",
    "parse_score",
    "read_sheet_file",
    "write_xlsx_sheet",
]

SHEET_NAME = "评分明细"
_HEADER = (("evaluator", "评委"), ("group", "分组"), ("project", "项目"))
_CRITERION_RE = re.compile(r"(.*)\(\s*([0-9]+(?:\.[0-9]+)?)\s*\)", re.ASCII | re.DOTALL)
_UTF8_HINT_ZH = "请在 Excel 中“另存为”→“CSV UTF-8（逗号分隔）”，或在 WPS/记事本中以 UTF-8 编码保存后重试"
_UTF8_HINT_EN = (
    "save it as 'CSV UTF-8 (Comma delimited)' in Excel, or with UTF-8 encoding in your editor, and retry"
)


@dataclass(frozen=True)
class SheetFile:
    """What a sheet file holds: the rubric from its header and one :class:`Sheet` per non-blank row."""

    criteria: tuple[Criterion, ...]
    sheets: tuple[Sheet, ...]


# A cell reads the way a score field reads (one rule, in ``grammar``): the names in the first columns too.
clean_cell = cell_text


def parse_score(
    text: str, *, criterion: str = "", maximum: Fraction | None = None, line: int | None = None
) -> Fraction | None:
    """Read one cleaned score cell by the score grammar: ``""`` → ``None`` (not scored), else an exact
    ``Fraction``.

    Refused (``ScoringError``): anything but digits with at most one decimal, and a value above ``maximum``.
    """
    try:
        return read_score(text, maximum)
    except ScoreRefused as refused:
        where_zh = f"「{criterion}」的" if criterion else ""
        where_en = f" for {criterion!r}" if criterion else ""
        if refused.reason == "above_max":
            raise ScoringError(
                "score_out_of_range",
                f"{where_zh}分数 {text} 超出范围 0–{decimal_text(maximum)}",
                f"score {text}{where_en} is outside 0–{decimal_text(maximum)}",
                line=line,
            ) from None
        raise ScoringError(
            "bad_score",
            f"{where_zh}分数「{text}」无效：分数只能是数字，最多一位小数（如 8 或 8.5）",
            f"score {text!r}{where_en} is invalid: digits with at most one decimal only (e.g. 8 or 8.5)",
            line=line,
        ) from None


def _header(cells: Sequence[str]) -> tuple[list[tuple[int, Criterion]], set[int]]:
    """Check line 1; return the criterion columns (index, criterion) and the blank (ignored) columns."""
    for index, (english, chinese) in enumerate(_HEADER):
        cell = cells[index] if index < len(cells) else ""
        if cell.casefold() not in (english, chinese):
            found_zh = f"，实为「{cell}」" if cell else ""
            found_en = f", found {cell!r}" if cell else ""
            raise ScoringError(
                "missing_column",
                f"缺少列「{english}」（{chinese}）：第 {index + 1} 列应为 {english}"
                f"（或 {chinese}）{found_zh}；"
                "表头应为 evaluator,group,project（或 评委,分组,项目），然后是各评分项 名称(满分)",
                f"missing column {english!r}: column {index + 1} must be {english} (or {chinese}){found_en}; "
                "the header is evaluator,group,project (or 评委,分组,项目) then one name(max) per criterion",
                line=1,
            )
    criteria: list[tuple[int, Criterion]] = []
    blank: set[int] = set()
    names: set[str] = set()
    for index in range(3, len(cells)):
        cell = cells[index]
        if cell == "":
            blank.add(index)
            continue
        match = _CRITERION_RE.fullmatch(cell)
        name = match.group(1).strip() if match else ""
        if not match or not name:
            raise ScoringError(
                "bad_column",
                f"第 {index + 1} 列「{cell}」不是评分项：评分项应写作 名称(满分)，"
                "如 内容实用有效(30)；不允许其他列",
                f"column {index + 1} {cell!r} is not a criterion: write criteria as name(max), "
                "e.g. 内容实用有效(30); no other columns are allowed",
                line=1,
            )
        maximum = Fraction(match.group(2))
        if maximum <= 0:
            raise ScoringError(
                "bad_column",
                f"评分项「{name}」的满分必须大于 0",
                f"the maximum of criterion {name!r} must be above 0",
                line=1,
            )
        if name in names:
            raise ScoringError(
                "duplicate_criterion",
                f"评分项「{name}」出现了两次",
                f"criterion {name!r} appears twice",
                line=1,
            )
        names.add(name)
        criteria.append((index, Criterion(name, maximum)))
    if not criteria:
        raise ScoringError(
            "missing_column",
            "没有评分项列：表头在 evaluator,group,project 之后应有各评分项 名称(满分)",
            "no criterion columns: the header needs one name(max) column per criterion "
            "after evaluator,group,project",
            line=1,
        )
    return criteria, blank


def parse_rows(rows: Iterable[tuple[int, Sequence[object]]]) -> SheetFile:
    """Parse a sheet file given as (line number, raw cells) pairs, the first being the header on line 1.

    Shared by the CSV and XLSX readers (and usable for rows typed into a web form), so both apply the same
    rules.
    """
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None or first[0] != 1 or not any(clean_cell(c) for c in first[1]):
        raise ScoringError(
            "missing_header",
            "第 1 行应为表头 evaluator,group,project,评分项(满分)…（或 评委,分组,项目,…）",
            "line 1 must be the header evaluator,group,project,criterion(max)… (or 评委,分组,项目,…)",
            line=1,
        )
    header = [clean_cell(c) for c in first[1]]
    columns, blank = _header(header)
    width = len(header)
    cache: dict[str, Fraction] = {}
    sheets: list[Sheet] = []
    for line, raw in iterator:
        cells = [clean_cell(c) for c in raw]
        if not any(cells):
            continue
        for index in range(len(cells)):
            if cells[index] and (index >= width or index in blank):
                raise ScoringError(
                    "extra_cell",
                    f"第 {index + 1} 列「{cells[index]}」没有表头；不允许其他列",
                    f"column {index + 1} ({cells[index]!r}) has no heading; no other columns are allowed",
                    line=line,
                )
        if len(cells) < width:
            cells += [""] * (width - len(cells))
        evaluator, group, project = cells[0], cells[1], cells[2]
        if not evaluator:
            raise ScoringError("missing_evaluator", "缺少评委姓名", "the evaluator is missing", line=line)
        if not project:
            raise ScoringError("missing_project", "缺少项目名称", "the project is missing", line=line)
        scores: dict[str, Fraction | None] = {}
        for index, criterion in columns:
            text = cells[index]
            value = cache.get(text) if text else None
            if text and (value is None or value > criterion.max):
                # Not seen yet, or out of range for this criterion: parse_score refuses it with the reason.
                value = parse_score(text, criterion=criterion.name, maximum=criterion.max, line=line)
                cache[text] = value  # type: ignore[assignment]
            scores[criterion.name] = value
        sheets.append(Sheet(evaluator, group, project, scores, line))
    return SheetFile(tuple(c for _, c in columns), tuple(sheets))


# ----------------------------------------------------------------------------------------------------
# CSV


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise ScoringError(
            "not_utf8",
            f"文件是 UTF-16/UTF-32 编码，不是 UTF-8；{_UTF8_HINT_ZH}",
            f"the file is UTF-16/UTF-32, not UTF-8; {_UTF8_HINT_EN}",
        )
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ScoringError(
            "not_utf8",
            f"文件不是 UTF-8 编码（可能是 GBK/ANSI）；{_UTF8_HINT_ZH}",
            f"the file is not UTF-8 (perhaps GBK/ANSI); {_UTF8_HINT_EN}",
            line=line,
        ) from None
    if "\x00" in text:
        raise ScoringError(
            "not_utf8",
            f"文件含有空字符，不是 UTF-8 文本；{_UTF8_HINT_ZH}",
            f"the file holds NUL characters and is not UTF-8 text; {_UTF8_HINT_EN}",
        )
    return text


def _csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """CSV records with the file line each starts on (a quoted field may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    previous = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise ScoringError(
                "bad_csv", f"CSV 格式错误（{error}）", f"malformed CSV ({error})", line=reader.line_num
            ) from None
        start = previous + 1
        previous = reader.line_num
        yield start, row


def parse_csv_text(text: str) -> SheetFile:
    """Parse a sheet file already decoded to text."""
    return parse_rows(_csv_rows(text))


# ----------------------------------------------------------------------------------------------------
# XLSX


# What openpyxl raises for a damaged workbook, at load or (read-only) while the rows are streamed.
_READ_ERRORS = (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, IndexError, SyntaxError)


def _load_workbook(data: bytes, *, data_only: bool) -> Any:
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it drops (data validation, default styles); they don't matter
            # here.
            warnings.simplefilter("ignore")
            # read-only: the XML is streamed, not loaded whole (an import's caps bound it beforehand)
            return load_workbook(io.BytesIO(data), data_only=data_only, read_only=True)
    except _READ_ERRORS as error:
        raise _unreadable(error) from None


def _unreadable(error: Exception) -> ScoringError:
    return ScoringError(
        "unreadable",
        f"无法读取 XLSX 文件（{type(error).__name__}）；请确认它是有效的 Excel 工作簿",
        f"cannot read the XLSX file ({type(error).__name__}); is it a valid Excel workbook?",
    )


def _worksheet(workbook: Any) -> Any:
    if SHEET_NAME in workbook.sheetnames and workbook[SHEET_NAME] in workbook.worksheets:
        return workbook[SHEET_NAME]
    if not workbook.worksheets:
        raise ScoringError("unreadable", "工作簿中没有工作表", "the workbook has no worksheet")
    return workbook.worksheets[0]


def parse_xlsx_bytes(data: bytes) -> SheetFile:
    """Parse an XLSX sheet file (worksheet 评分明细, else the first one; cached values of formulas)."""
    workbook = _load_workbook(data, data_only=True)
    try:
        rows = [(number, list(values)) for number, values in enumerate(_worksheet(workbook).values, start=1)]
    except _READ_ERRORS as error:
        raise _unreadable(error) from None
    finally:
        workbook.close()
    _check_uncached_formulas(data, rows)
    return parse_rows(rows)


def _check_uncached_formulas(data: bytes, rows: list[tuple[int, list[object]]]) -> None:
    """A formula whose value was never calculated (e.g. a file written by a script, not saved by Excel) reads
    as empty; refuse it instead of silently treating the score as "not scored"."""
    if not rows:
        return
    width = len(rows[0][1])
    suspects = [
        (number, column + 1)
        for number, values in rows
        if any(v is not None for v in values)
        for column in range(min(width, len(values)))
        if values[column] is None
    ]
    if not suspects:
        return
    wanted: dict[int, list[int]] = {}
    for number, column in suspects:
        wanted.setdefault(number, []).append(column)
    workbook = _load_workbook(data, data_only=False)
    try:
        # one pass over the rows: a read-only worksheet finds a single cell by reading from the top
        for number, cells in enumerate(_worksheet(workbook).iter_rows(), start=1):
            for column in wanted.get(number, ()):
                if column <= len(cells) and cells[column - 1].data_type == "f":
                    raise ScoringError(
                        "uncached_formula",
                        f"第 {column} 列的公式没有计算结果；请在 Excel 中打开并保存后重试",
                        f"the formula in column {column} has no calculated value; "
                        "open and save the file in Excel",
                        line=number,
                    )
    except ScoringError:
        raise
    except _READ_ERRORS as error:
        raise _unreadable(error) from None
    finally:
        workbook.close()


# ----------------------------------------------------------------------------------------------------
# Entry points


def parse_bytes(data: bytes, filename: str) -> SheetFile:
    """Parse an uploaded or read sheet file; the format is told by ``filename``'s extension (.csv or
    .xlsx)."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        return parse_csv_text(_decode(data))
    if suffix in (".xlsx", ".xlsm"):
        return parse_xlsx_bytes(data)
    raise ScoringError(
        "bad_extension",
        f"不支持的文件类型「{suffix or filename}」：请使用 .csv（UTF-8）或 .xlsx；旧版 .xls 请另存为 .xlsx",
        f"unsupported file type {suffix or filename!r}: use .csv (UTF-8) or .xlsx; save an old .xls as .xlsx",
    )


def read_sheet_file(path: str | Path) -> SheetFile:
    """Read a sheet file from disk (see :func:`parse_bytes`); an unreadable file is a
    :class:`ScoringError`."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ScoringError("unreadable", f"文件不存在：{path}", f"no such file: {path}") from None
    except OSError as error:
        raise ScoringError(
            "unreadable", f"无法读取文件 {path}（{error.strerror}）", f"cannot read {path} ({error.strerror})"
        ) from None
    return parse_bytes(data, path.name)


def write_xlsx_sheet(ws: Any, criteria: Sequence[Criterion], sheets: Iterable[Sheet]) -> None:
    """Write the canonical rows of the counted sheets into an openpyxl worksheet (header on row 1).

    Scores are written as number cells (8.5, 9) so they add up in Excel; reading the sheet back gives the same
    sheets, hence the same digest. Every text — a criterion in the header, an evaluator, a group, a project —
    is a text cell, never a formula or an error, even when it starts with "=" or reads "#N/A" (the rule of
    ``dajia.core.xlsx``, which this module may not import: the engine is plain Python). Name the worksheet
    评分明细 so ``dajia tally`` finds it in a multi-sheet export.
    """
    header, rows = canonical_table(criteria, sheets)
    lines: list[list[object]] = [list(header)]
    for evaluator, group, project, values in rows:
        lines.append(
            [evaluator, group or None, project, *(v // 10 if v % 10 == 0 else v / 10 for v in values)]
        )
    for number, line in enumerate(lines, start=1):
        for column, value in enumerate(line, start=1):
            cell = ws.cell(row=number, column=column, value=value)
            if isinstance(value, str):
                # openpyxl infers a formula from a leading "=" and an error from "#N/A"; force plain text.
                cell.data_type = "s"
