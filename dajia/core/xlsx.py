"""The one writer of the product's spreadsheet exports (xlsx, and CSV should one be added).

Every table a union office sees can be taken to Excel with Chinese headers, and every export builds its cells
here, so one rule holds everywhere: **text is a text cell, never a formula**. openpyxl turns any string that
starts with "=" into a formula cell and a string such as "#N/A" into an error cell; a worker's need, a
provider's project description or an anonymous survey answer written as ``=HYPERLINK(...)`` would then run in
the office's Excel. Numbers stay number cells (so they add up), money columns carry the ¥ format.

The one exception is the worksheet 评分明细 (the sheet file), which ``dajia.scoring.sheetfile`` writes itself
because the engine may not import Django; :meth:`Book.foreign_sheet` hands it a worksheet and styles it, and
``dajia/core/tests/test_exports_every.py`` holds both writers to the same rule.

API: ``book = Book()``; ``sheet = book.sheet(title, [Column(header, width, number_format)…])``;
``sheet.row([...])`` per line; ``book.bytes()``; a view answers with :func:`xlsx_response`.
CSV: the product has no CSV export today; one added is written with :func:`csv_bytes`, which neutralises a
leading ``= + - @``, tab or carriage return (OWASP, CSV injection). Never the canonical sheet file: the
published digest is computed over its exact bytes (``dajia.scoring.engine.canonical_sheet_file``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Number formats of a column (applied to its number cells only; a text cell in the column stays text).
MONEY = "¥#,##0.00"
SCORE = "0.00"
ONE_DECIMAL = "0.0"
PERCENT = "0.0%"

NUMBER_TYPES = (int, float, Decimal)
CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its Chinese header, its width in characters and the format of its numbers."""

    header: str
    width: int = 12
    number_format: str | None = None


def write_cell(cell, value) -> None:
    """Write ``value`` into an openpyxl cell under the rule: ``str`` → a text cell whatever it starts with,
    a number → a number cell, ``None`` → empty. Characters XML cannot hold (C0 controls other than tab and
    line breaks) are dropped rather than failing the whole export."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        # openpyxl infers "f" (formula) for "=…" and "e" (error) for "#N/A"; both must stay plain text.
        cell.data_type = "s"
        return
    if isinstance(value, bool) or not (value is None or isinstance(value, NUMBER_TYPES)):
        # Dates, booleans and the like are written as text in the office's own words by the caller; refusing
        # here keeps a new export from silently writing a type Excel would show differently.
        raise TypeError(f"export cells are text or numbers, not {type(value).__name__}")
    cell.value = value


def moment_text(moment) -> str:
    """A time as exports show it, to the minute in Asia/Shanghai ("2026-05-08 14:30"); ``None`` → ""."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


class Sheet:
    """A worksheet being filled: a bold, frozen header row, then :meth:`row` per line."""

    def __init__(self, ws, columns: Sequence[Column], *, freeze: str = "A2", wrap_header: bool = False):
        self.ws = ws
        self.columns = list(columns)
        self._next = 1
        self.row([c.header for c in self.columns])
        style_header(ws, [c.width for c in self.columns], freeze=freeze, wrap=wrap_header)

    def row(
        self, values: Iterable[object] = (), *, bold: bool = False, formats: dict[int, str] | None = None
    ):
        """Append one line (an empty one keeps notes apart from the table). A number gets its column's
        format, or ``formats[index]`` (0-based) on a line whose numbers differ in kind from the column's."""
        formats = formats or {}
        for index, value in enumerate(values):
            cell = self.ws.cell(row=self._next, column=index + 1)
            write_cell(cell, value)
            if bold:
                cell.font = Font(bold=True)
            default = self.columns[index].number_format if index < len(self.columns) else None
            number_format = formats.get(index, default)
            if number_format and isinstance(value, NUMBER_TYPES):
                cell.number_format = number_format
        self._next += 1


def style_header(ws, widths: Sequence[int], *, freeze: str = "A2", wrap: bool = False) -> None:
    """Row 1 bold (wrapped when asked), the column widths, and the header frozen so it stays visible while
    scrolling."""
    for cell in ws[1]:
        cell.font = Font(bold=True)
        if wrap:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = freeze


class Book:
    """A workbook of :class:`Sheet` s, saved with :meth:`bytes`."""

    def __init__(self):
        self.wb = Workbook()
        self._fresh = True  # the workbook's default worksheet is still unused

    def _worksheet(self, title: str):
        if self._fresh:
            self._fresh = False
            ws = self.wb.active
            ws.title = title
            return ws
        return self.wb.create_sheet(title)

    def sheet(self, title: str, columns: Sequence[Column], **options) -> Sheet:
        return Sheet(self._worksheet(title), columns, **options)

    def foreign_sheet(self, title: str, fill, widths: Sequence[int], *, freeze: str = "A2"):
        """A worksheet whose cells another writer fills (``fill(ws)``) — only the engine's sheet file, which
        follows the same text-cell rule itself — styled like every other sheet."""
        ws = self._worksheet(title)
        fill(ws)
        style_header(ws, widths, freeze=freeze)
        return ws

    def bytes(self) -> bytes:
        buf = io.BytesIO()
        self.wb.save(buf)
        return buf.getvalue()


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    """A workbook download whose Chinese file name survives every browser (RFC 5987 encoding)."""
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def csv_text(value) -> str:
    """One CSV field made inert for a spreadsheet: a text that starts with ``= + - @``, a tab or a carriage
    return gets a leading single quote (OWASP, CSV injection), so Excel and WPS show it instead of running it."""
    if value is None:
        return ""
    if isinstance(value, NUMBER_TYPES) and not isinstance(value, bool):
        # A number is not text: -5 stays -5 rather than '-5.
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(CSV_TRIGGERS) else text


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """A CSV export (UTF-8 with a BOM, so Excel opens Chinese text correctly). Never used for the sheet file."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([csv_text(h) for h in headers])
    for row in rows:
        writer.writerow([csv_text(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
