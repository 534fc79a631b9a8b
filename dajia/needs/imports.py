"""Reading needs collected on paper from a spreadsheet (xlsx) or a UTF-8 CSV. Plain Python: the command line
(``dajia needs suggest``) reads files with the same code, without a database."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

HEADERS = {
    "text": ("需求内容", "需求", "内容", "need", "text"),
    "union": ("工会", "基层工会", "union"),
    "park": ("园区", "park"),
    "category": ("类别", "服务类别", "category"),
}


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


def read_rows(data: bytes, filename: str) -> list[Row]:
    """The non-blank rows of the file, with their line numbers (1-based, as a spreadsheet shows them)."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as e:  # openpyxl raises many kinds for a damaged file
            raise NeedFileError(
                "无法读取该 Excel 文件，请确认是 .xlsx 格式 / cannot read this Excel file; is it .xlsx?"
            ) from e
        ws = wb.worksheets[0]
        rows = []
        for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = [_cell(v) for v in values]
            if any(cells):
                rows.append(Row(number, cells))
        wb.close()
        return rows
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
        return [
            Row(i, [c.strip() for c in r]) for i, r in enumerate(reader, start=1) if any(c.strip() for c in r)
        ]
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
