"""The worksheet 网络人气 of the results workbook (written from :func:`selectors.audience_index`)."""

from __future__ import annotations

from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from dajia.participation.selectors import AudienceIndex, audience_index

SHEET_TITLE = "网络人气"
HEADER = ["顺序", "项目", "社会组织", "支持数", "占比(%)"]
NOTE = "网络人气（仅供参考）：已验证的网上观众每人最多支持 {k} 个项目；不计入评委评分，不影响评审结果。"


def write_audience_sheet(wb, session, index: AudienceIndex | None = None):
    """Add the audience index to workbook ``wb`` as its own worksheet; returns the worksheet."""
    index = index or audience_index(session)
    ws = wb.create_sheet(SHEET_TITLE)
    ws.append(HEADER)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in index.rows:
        ws.append([row.position, row.title, row.organisation, row.supports, float(row.share)])
        ws.cell(row=ws.max_row, column=5).number_format = "0.0"
        for cell in ws[ws.max_row][1:3]:
            if cell.data_type == "f":
                cell.data_type = "s"
    ws.append([])
    ws.append(["已验证观众", index.viewers])
    ws.append(["支持总数", index.total_supports])
    ws.append([NOTE.format(k=index.support_limit)])
    for column, width in enumerate([6, 30, 30, 10, 10], start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = "A2"
    return ws
