"""Settlement for finance (xlsx): the amount due per agreement and the confirmed sessions behind it."""

from __future__ import annotations

import io

from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.styles import Font

from dajia.agreements.selectors import SettlementRow, session_shares
from dajia.core.xlsx import write_header

SUMMARY = [
    "协议编号",
    "社会组织",
    "服务项目",
    "状态",
    "协议金额（元）",
    "协议场次",
    "每场金额（元）",
    "已确认场次",
    "待确认场次",
    "应付金额（元）",
]
DETAIL = ["协议编号", "订单编号", "基层工会", "服务时间", "确认时间", "第几场", "本场金额（元）"]


def settlement_xlsx(rows: list[SettlementRow], confirmed_orders) -> bytes:
    """``confirmed_orders``: the confirmed orders of those agreements (union joined), any order."""
    with translation.override("zh-hans"):
        wb = Workbook()
        ws = wb.active
        ws.title = "结算汇总"
        write_header(ws, SUMMARY, [18, 30, 28, 12, 14, 10, 14, 12, 12, 14])
        for row in rows:
            a = row.agreement
            ws.append(
                [
                    a.number,
                    a.provider.name,
                    a.project.title,
                    str(a.get_state_display()),
                    a.amount,
                    a.sessions,
                    a.unit_price,
                    row.confirmed,
                    row.delivered_unconfirmed,
                    row.due,
                ]
            )
            for col in (5, 7, 10):
                ws.cell(row=ws.max_row, column=col).number_format = "#,##0.00"
        total_row = ws.max_row + 1
        ws.append(["合计", "", "", "", None, None, None, None, None, sum((r.due for r in rows), start=0)])
        ws.cell(row=total_row, column=10).number_format = "#,##0.00"
        ws.cell(row=total_row, column=1).font = Font(bold=True)

        detail = wb.create_sheet("场次明细")
        write_header(detail, DETAIL, [18, 20, 32, 18, 18, 8, 14])
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
                detail.append(
                    [
                        a.number,
                        order.number,
                        order.union.name,
                        timezone.localtime(order.starts_at).strftime("%Y-%m-%d %H:%M"),
                        timezone.localtime(order.confirmed_at).strftime("%Y-%m-%d %H:%M")
                        if order.confirmed_at
                        else "",
                        i + 1,
                        shares[i],
                    ]
                )
                detail.cell(row=detail.max_row, column=7).number_format = "#,##0.00"
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()
