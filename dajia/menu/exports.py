"""xlsx export of the menu (Chinese headers), built with openpyxl."""

from __future__ import annotations

import io

from django.utils import translation
from openpyxl import Workbook

from dajia.core.xlsx import write_header

HEADERS = [
    "项目名称",
    "服务类别",
    "社会组织",
    "服务形式",
    "服务对象",
    "时长（分钟）",
    "单价（元/场）",
    "每场人数上限",
    "每年场次",
    "服务区域",
    "服务内容",
]


def menu_xlsx(projects) -> bytes:
    with translation.override("zh-hans"):
        return _menu_xlsx(projects)


def _menu_xlsx(projects) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "服务菜单"
    write_header(ws, HEADERS, [28, 12, 28, 10, 20, 10, 12, 12, 10, 20, 60])
    for p in projects:
        ws.append(
            [
                p.title,
                p.category.name_zh,
                p.provider.name,
                str(p.get_format_display()),
                p.audience,
                p.duration_minutes,
                p.price,
                p.capacity,
                p.sessions_per_year,
                p.areas_served,
                p.description,
            ]
        )
        ws.cell(row=ws.max_row, column=7).number_format = "#,##0.00"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
