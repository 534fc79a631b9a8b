"""Excel exports: every table a union office sees can be taken to Excel with Chinese headers."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def write_header(ws, headers: list[str], widths: list[int]) -> None:
    """A bold header row, column widths, and the header frozen so it stays visible while scrolling."""
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    """A download whose Chinese file name survives every browser (RFC 5987 encoding)."""
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
