"""Opening an uploaded spreadsheet (xlsx) or text file (CSV) safely: every importer goes through here.

An xlsx is a zip of XML: an 800 KB upload can inflate to hundreds of megabytes and take minutes and gigabytes to
parse. So the caps are checked before any parser runs: the upload's size, the zip members' uncompressed sizes
(``zipfile`` never inflates a member beyond the size its directory declares), and the row count a worksheet
declares (``<dimension ref="A1:C999999"/>``) or, for a CSV, its lines. Then the rows are read by openpyxl in
read-only mode (streamed, not loaded whole) and reading stops at the row cap, since a dimension can lie.

Plain Python on purpose: the command line (``dajia needs suggest``) reads files without Django. Messages are
Chinese first, then English, as the other file readers' are. The caps of each import are settings
(``DAJIA_IMPORT_CAPS``), read by :func:`import_caps`.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

MB = 1024 * 1024
MAX_MEMBERS = 500
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"[A-Z]*[0-9]*:?[A-Z]*([0-9]+)\"")


class SpreadsheetRefused(ValueError):
    """A file refused before or while it was read; the message is Chinese first, then English."""

    def __init__(self, message: str, *, line: int | None = None):
        if line is not None:
            message = f"第 {line} 行 / line {line}: {message}"
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Caps:
    """The limits of one import: file size, total inflated size of an xlsx's parts, rows (the header aside)."""

    max_bytes: int
    max_rows: int
    max_inflated: int

    @property
    def mb(self) -> str:
        return f"{self.max_bytes / MB:g}"

    def text(self) -> str:
        return f"文件不超过 {self.mb} MB、{self.max_rows} 行 / at most {self.mb} MB and {self.max_rows} rows"


def import_caps(kind: str) -> Caps:
    """The caps of the import ``kind`` ("sheets", "needs", "roll") from ``settings.DAJIA_IMPORT_CAPS``."""
    from django.conf import settings

    return Caps(**settings.DAJIA_IMPORT_CAPS[kind])


def _too_large(caps: Caps) -> SpreadsheetRefused:
    return SpreadsheetRefused(f"文件太大（{caps.text()}）/ the file is too large ({caps.text()})")


def _too_many_rows(caps: Caps) -> SpreadsheetRefused:
    return SpreadsheetRefused(f"行数太多（{caps.text()}）/ the file has too many rows ({caps.text()})")


def _unreadable() -> SpreadsheetRefused:
    return SpreadsheetRefused(
        "无法读取该 Excel 文件，请确认是 .xlsx 格式 / cannot read this Excel file; is it a valid .xlsx?"
    )


def read_upload(upload, caps: Caps) -> bytes:
    """The bytes of an uploaded file (Django's ``UploadedFile``), refused unread when larger than the cap."""
    if upload.size > caps.max_bytes:
        raise _too_large(caps)
    return upload.read()


def check_xlsx(data: bytes, caps: Caps) -> None:
    """Refuse an xlsx beyond ``caps`` without parsing any XML: size, inflated size, declared rows."""
    if len(data) > caps.max_bytes:
        raise _too_large(caps)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _unreadable() from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > caps.max_inflated:
            raise _too_large(caps)
        for member in members:
            if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
                try:
                    with archive.open(member) as stream:
                        head = stream.read(4096)
                except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
                    raise _unreadable() from None
                found = _DIMENSION.search(head)
                if found and int(found.group(1)) > caps.max_rows + 1:
                    raise _too_many_rows(caps)


def check_text(data: bytes, caps: Caps) -> None:
    """Refuse a CSV or text file beyond ``caps`` before it is decoded."""
    if len(data) > caps.max_bytes:
        raise _too_large(caps)
    if data.count(b"\n") > caps.max_rows + 1:
        raise _too_many_rows(caps)


def check_upload(data: bytes, filename: str, caps: Caps) -> None:
    """The checks for ``filename``'s kind: :func:`check_xlsx` for .xlsx, :func:`check_text` for anything else."""
    if filename.lower().endswith(".xlsx"):
        check_xlsx(data, caps)
    else:
        check_text(data, caps)


def xlsx_rows(data: bytes, caps: Caps) -> Iterator[tuple[int, tuple]]:
    """``(line, values)`` for each row of the first worksheet, after :func:`check_xlsx`; stops with a refusal
    at the row cap, and turns any error of the reader into a refusal naming the line it reached."""
    check_xlsx(data, caps)
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise _unreadable() from None
    line = 0
    try:
        if not workbook.worksheets:
            raise SpreadsheetRefused("工作簿中没有工作表 / the workbook has no worksheet")
        for line, values in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1):
            if line > caps.max_rows + 1:
                raise _too_many_rows(caps)
            yield line, values
    except SpreadsheetRefused:
        raise
    except Exception as error:  # e.g. openpyxl's ValueError for a row number beyond Excel's limit
        raise SpreadsheetRefused(
            f"无法读取此行（{type(error).__name__}）/ this row cannot be read ({type(error).__name__})",
            line=line + 1,
        ) from None
    finally:
        workbook.close()
