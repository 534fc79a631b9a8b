"""xlsx export of the menu (Chinese headers), written through the one export writer ``dajia.core.xlsx``."""

from __future__ import annotations

from django.utils import translation

from dajia.core.xlsx import MONEY, Book, Column

COLUMNS = [
    Column("项目名称", 28),
    Column("服务类别", 12),
    Column("社会组织", 28),
    Column("服务形式", 10),
    Column("服务对象", 20),
    Column("时长（分钟）", 10),
    Column("单价（元/场）", 12, MONEY),
    Column("每场人数上限", 12),
    Column("每年场次", 10),
    Column("服务区域", 20),
    Column("服务内容", 60),
]


def menu_xlsx(projects) -> bytes:
    with translation.override("zh-hans"):
        book = Book()
        sheet = book.sheet("服务菜单", COLUMNS)
        for p in projects:
            sheet.row(
                [
                    p.title,
                    p.category.name_zh,
                    p.provider.name,
                    p.get_format_display(),
                    p.audience,
                    p.duration_minutes,
                    p.price,
                    p.capacity,
                    p.sessions_per_year,
                    p.areas_served,
                    p.description,
                ]
            )
        return book.bytes()
