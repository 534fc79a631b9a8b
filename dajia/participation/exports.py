"""The worksheet 网络人气 of the results workbook (written from :func:`selectors.audience_index`).

Written through the one export writer ``dajia.core.xlsx``, so a project title starting with "=" stays text.
"""

from __future__ import annotations

from dajia.core.xlsx import ONE_DECIMAL, Book, Column
from dajia.participation.selectors import AudienceIndex, audience_index

SHEET_TITLE = "网络人气"
COLUMNS = [
    Column("顺序", 6),
    Column("项目", 30),
    Column("社会组织", 30),
    Column("支持数", 10),
    Column("占比(%)", 10, ONE_DECIMAL),
]
NOTE = "网络人气（仅供参考）：已验证的网上观众每人最多支持 {k} 个项目；不计入评委评分，不影响评审结果。"


def write_audience_sheet(book: Book, session, index: AudienceIndex | None = None):
    """Add the audience index to ``book`` as its own worksheet; returns the :class:`~dajia.core.xlsx.Sheet`."""
    index = index or audience_index(session)
    sheet = book.sheet(SHEET_TITLE, COLUMNS)
    for row in index.rows:
        sheet.row([row.position, row.title, row.organisation, row.supports, float(row.share)])
    sheet.row()
    sheet.row(["已验证观众", index.viewers])
    sheet.row(["支持总数", index.total_supports])
    sheet.row([NOTE.format(k=index.support_limit)])
    return sheet
