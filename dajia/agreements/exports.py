"""Settlement for finance (xlsx): the amount due per agreement and the confirmed sessions behind it.

Written through the one export writer ``dajia.core.xlsx`` (text cells never formulas, money with the ¥ format).
"""

from __future__ import annotations

from django.utils import translation

from dajia.agreements.selectors import SettlementRow, session_shares
from dajia.core.xlsx import MONEY, Book, Column, moment_text

SUMMARY = [
    Column("协议编号", 18),
    Column("社会组织", 30),
    Column("服务项目", 28),
    Column("状态", 12),
    Column("协议金额（元）", 14, MONEY),
    Column("协议场次", 10),
    Column("每场金额（元）", 14, MONEY),
    Column("已确认场次", 12),
    Column("待确认场次", 12),
    Column("应付金额（元）", 14, MONEY),
]
DETAIL = [
    Column("协议编号", 18),
    Column("订单编号", 20),
    Column("基层工会", 32),
    Column("服务时间", 18),
    Column("确认时间", 18),
    Column("第几场", 8),
    Column("本场金额（元）", 14, MONEY),
]


def settlement_xlsx(rows: list[SettlementRow], confirmed_orders) -> bytes:
    """``confirmed_orders``: the confirmed orders of those agreements (union joined), any order."""
    with translation.override("zh-hans"):
        book = Book()
        summary = book.sheet("结算汇总", SUMMARY)
        for row in rows:
            a = row.agreement
            summary.row(
                [
                    a.number,
                    a.provider.name,
                    a.project.title,
                    a.get_state_display(),
                    a.amount,
                    a.sessions,
                    a.unit_price,
                    row.confirmed,
                    row.delivered_unconfirmed,
                    row.due,
                ]
            )
        total = sum((r.due for r in rows), start=0)
        summary.row(["合计", None, None, None, None, None, None, None, None, total], bold=True)

        detail = book.sheet("场次明细", DETAIL)
        agreements = {r.agreement.pk: r.agreement for r in rows}
        by_agreement: dict[int, list] = {}
        for order in confirmed_orders:
            by_agreement.setdefault(order.agreement_id, []).append(order)
        for agreement_id, orders in by_agreement.items():
            a = agreements.get(agreement_id)
            if a is None:
                continue
            shares = session_shares(a.amount, a.sessions)
            orders.sort(key=lambda o: (o.confirmed_at or o.starts_at, o.pk))
            for i, order in enumerate(orders[: a.sessions]):
                detail.row(
                    [
                        a.number,
                        order.number,
                        order.union.name,
                        moment_text(order.starts_at),
                        moment_text(order.confirmed_at),
                        i + 1,
                        shares[i],
                    ]
                )
        return book.bytes()
