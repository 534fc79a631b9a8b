"""Reading needs collected on paper from a spreadsheet (xlsx) or a UTF-8 CSV. Plain Python: the command line
(``dajia needs suggest``) reads files with the same code, without a database."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from dajia.core.spreadsheets import MB, Caps, SpreadsheetRefused, check_text, xlsx_rows

HEADERS = {
    "text": ("需求内容", "需求", "内容", "need", "text"),
    "union": ("工会", "基层工会", "union"),
    "park": ("园区", "park"),
    "category": ("类别", "服务类别", "category"),
}


# The command line reads files without settings; the web import passes ``import_caps("needs")``.
CAPS = Caps(max_bytes=2 * MB, max_rows=5000, max_inflated=25 * MB)


class NeedFileError(ValueError):
    """A file that cannot be read; the message is Chinese first, then English."""


@dataclass
class Row:
    line: int
    cells: list[str]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_rows(data: bytes, filename: str, caps: Caps = CAPS) -> list[Row]:
    """The non-blank rows of the file, with their line numbers (1-based, as a spreadsheet shows them). A file
    beyond ``caps`` is refused before it is parsed (``dajia.core.spreadsheets``)."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        try:
            rows = []
            for number, values in xlsx_rows(data, caps):
                cells = [_cell(v) for v in values]
                if any(cells):
                    rows.append(Row(number, cells))
            return rows
        except SpreadsheetRefused as error:
            raise NeedFileError(str(error)) from None
    try:
        check_text(data, caps)
    except SpreadsheetRefused as error:
        raise NeedFileError(str(error)) from None
    if name.endswith(".csv") or name.endswith(".txt"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise NeedFileError(
                "文件不是 UTF-8 编码，请在 Excel 中“另存为 CSV UTF-8” / the file is not UTF-8; save it as CSV UTF-8"
            ) from None
        if name.endswith(".txt"):
            return [
                Row(i, [line.strip()]) for i, line in enumerate(text.splitlines(), start=1) if line.strip()
            ]
        reader = csv.reader(io.StringIO(text))
        try:
            return [
                Row(i, [c.strip() for c in r])
                for i, r in enumerate(reader, start=1)
                if any(c.strip() for c in r)
            ]
        except csv.Error as error:  # e.g. a field beyond the csv module's limit
            raise NeedFileError(
                str(
                    SpreadsheetRefused(
                        f"CSV 格式错误（{error}）/ malformed CSV ({error})", line=reader.line_num
                    )
                )
            ) from None
    raise NeedFileError("请上传 .xlsx 或 .csv 文件 / please upload an .xlsx or .csv file")


def columns(rows: list[Row]) -> tuple[dict[str, int], list[Row]]:
    """Map the header (if the first row is one) to column indexes; without a header, the first column holds
    the need, then union, park, category."""
    if rows:
        first = [c.lower() for c in rows[0].cells]
        found = {}
        for key, names in HEADERS.items():
            for i, cell in enumerate(first):
                if cell in names:
                    found[key] = i
                    break
        if "text" in found:
            return found, rows[1:]
    return {"text": 0, "union": 1, "park": 2, "category": 3}, rows


def need_texts(data: bytes, filename: str) -> list[str]:
    """For ``dajia needs suggest``: a text file holds one need per line; an xlsx holds them in its first column
    (a header cell such as 需求内容 is skipped)."""
    if filename.lower().endswith(".xlsx"):
        rows = read_rows(data, filename)
        cols, body = columns(rows)
        index = cols["text"]
        return [r.cells[index] for r in body if index < len(r.cells) and r.cells[index]]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NeedFileError(
            "文件不是 UTF-8 编码，请另存为 UTF-8 / the file is not UTF-8; save it as UTF-8"
        ) from None
    return [line.strip() for line in text.splitlines() if line.strip()]
