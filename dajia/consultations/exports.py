"""The results workbook (xlsx) and the printable report (PDF), both in Chinese.

The workbook's worksheet 评分明细 is written by the engine's ``sheetfile.write_xlsx_sheet`` in the sheet-file
format, one row per counted sheet, so ``dajia tally 评审结果.xlsx --group-weight 政协委员=0.4 …`` reproduces
the scores and ranks of the summary exactly; the worksheet 计分规则 gives that command line.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import timezone, translation

from dajia.consultations.models import PublishedResult, Session
from dajia.consultations.results import SessionResults
from dajia.core.xlsx import MONEY, SCORE, Book, Column, moment_text
from dajia.participation.exports import write_audience_sheet
from dajia.participation.selectors import audience_index
from dajia.scoring import engine
from dajia.scoring.sheetfile import SHEET_NAME, write_xlsx_sheet

METHOD_ZH = {
    "trimmed": "去掉一个最高分和一个最低分后取平均（评分表少于 {trim_min} 张时取平均）",
    "mean": "算术平均",
    "median": "中位数",
}
REASON_ZH = {key: zh for key, (zh, _) in engine.SELECTION_REASONS.items()}
STATE_ZH = {
    "draft": "草稿",
    "open": "评审中",
    "closed": "评分已结束",
    "revealed": "已揭晓",
    "published": "已公布",
}


def method_text(method: str, trim_min: int) -> str:
    return METHOD_ZH.get(method, method).format(trim_min=trim_min)


def tally_command(context: SessionResults, filename: str = "评审结果.xlsx") -> str:
    """The ``dajia tally`` command line that re-computes this result from the exported workbook."""
    parts = [
        "dajia",
        "tally",
        filename,
        "--method",
        context.tally.method,
        "--trim-min",
        str(context.tally.trim_min),
    ]
    for group, weight in (context.tally.group_weights or {}).items():
        parts += ["--group-weight", f"{group}={engine.decimal_text(weight)}"]
    return " ".join(parts)


def results_xlsx(context: SessionResults) -> bytes:
    with translation.override("zh-hans"):
        return _results_xlsx(context)


def _results_xlsx(context: SessionResults) -> bytes:
    book = Book()
    criteria = [c.name for c in context.engine_criteria]
    columns = [
        Column("排名", 6),
        Column("项目", 30),
        Column("社会组织", 30),
        Column("得分", 9, SCORE),
        Column("并列", 6),
        Column("评委数", 8),
        *(Column(f"{g}得分", 12, SCORE) for g in context.groups),
        *(Column(f"{c}(均分)", 12, SCORE) for c in criteria),
        Column("报价", 12, MONEY),
        Column("是否入选", 9),
        Column("说明", 36),
    ]
    summary = book.sheet("评审结果", columns, freeze="C2", wrap_header=True)
    for row in context.rows:
        p = row.result
        note = row.selection.reason_zh
        if p.tied and row.name in context.tie_break:
            note += f"；并列顺序第 {context.tie_break[row.name]} 位（{row.entry.tie_break_reason}）"
        elif p.tied:
            note += "；并列，尚未记录决定顺序"
        summary.row(
            [
                p.rank,
                row.title,
                row.organisation,
                p.score,
                "是" if p.tied else "",
                p.evaluators,
                *(p.groups.get(g) for g in context.groups),
                *(p.criteria[c] for c in criteria),
                row.entry.amount,
                "是" if row.selection.selected else "否",
                note,
            ]
        )
    for entry in context.unranked:
        summary.row(
            [None, entry.project.title, entry.project.provider.name, None, "", 0]
            + [None] * (len(context.groups) + len(criteria))
            + [entry.amount, "否", "没有计入的评分表，未排名"]
        )

    book.foreign_sheet(
        SHEET_NAME,
        lambda ws: write_xlsx_sheet(ws, context.engine_criteria, context.tally.counted),
        [14, 14, 30] + [14] * len(criteria),
        freeze="D2",
    )

    session = context.session
    weights = context.tally.group_weights or {}
    rules = book.sheet("计分规则", [Column("事项", 24), Column("内容", 90)])
    facts = [
        ("协商会", session.title),
        ("计分方法", method_text(context.tally.method, context.tally.trim_min)),
        ("method", context.tally.method),
        ("trim_min", context.tally.trim_min),
        ("分组权重", "；".join(f"{g}={engine.decimal_text(w)}" for g, w in weights.items()) or "不分组"),
        ("预算（元）", session.budget, MONEY),
        ("最低分", session.minimum_score),
        ("已入选金额（元）", context.selection.spent, MONEY),
        ("剩余预算（元）", context.selection.remaining, MONEY),
        ("计入的评分表", len(context.tally.counted)),
        ("不完整（未计入）的评分表", len(context.tally.incomplete)),
        ("评分明细 SHA-256", context.digest),
        ("复核命令", tally_command(context)),
        ("导出时间", moment_text(timezone.now())),
    ]
    for key, value, *number_format in facts:
        rules.row([key, value], formats={1: number_format[0]} if number_format else None)
    # The audience index (网络人气), advisory and kept apart: its own worksheet, from the one selector, for a
    # session that had verified online viewers.
    audience = audience_index(session)
    if audience.viewers or audience.total_supports:
        write_audience_sheet(book, session, audience)
    return book.bytes()


# ---- the PDF report ----------------------------------------------------------------------------------------

FONT = "STSong-Light"


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def report_pdf(session: Session, data: dict, published: PublishedResult | None) -> bytes:
    """A printable A4 report: title, the rule used, the ranking, the selection and — once published — the
    digest. ``data`` is :func:`dajia.consultations.results.result_data` (or the published payload)."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _register_font()
    base = ParagraphStyle("base", fontName=FONT, fontSize=10, leading=14, wordWrap="CJK")
    small = ParagraphStyle("small", parent=base, fontSize=8.5, leading=11)
    title = ParagraphStyle("title", parent=base, fontSize=18, leading=24, alignment=TA_CENTER, spaceAfter=6)
    heading = ParagraphStyle("heading", parent=base, fontSize=13, leading=18, spaceBefore=10, spaceAfter=4)

    def p(text, style=base):
        return Paragraph(escape(str(text)), style)

    story = [p(f"{session.title} 评审结果报告", title)]
    when = timezone.localtime(session.starts_at).strftime("%Y年%m月%d日 %H:%M")
    story.append(
        p(f"{session.federation.name}，{when}{'，' + session.venue if session.venue else ''}", small)
    )
    story.append(p(f"状态：{STATE_ZH.get(data.get('state', session.state), session.state)}", small))

    story.append(p("计分规则", heading))
    weights = data.get("group_weights") or {}
    rules = [
        f"计分方法：{method_text(data['method'], data['trim_min'])}（method={data['method']}，"
        f"trim_min={data['trim_min']}）。",
        "分组权重："
        + (
            "；".join(f"{g} {w}" for g, w in weights.items()) + "，各组先分别计分，再按权重加权平均。"
            if weights
            else "不分组，全体评委一起计分。"
        ),
        "评分表须每项都有分数才计入；得分四舍五入保留两位小数，按得分排名，得分相同者并列。",
        f"入选规则：按排名依次考虑，得分不低于最低分 {data['minimum_score']} 且报价不超过剩余预算者入选；"
        f"预算 {data['budget']} 元。",
        "评分标准：" + "；".join(f"{c['name']}（满分 {c['max']}）" for c in data.get("criteria", [])) + "。",
    ]
    story += [p(line) for line in rules]

    story.append(p("排名", heading))
    groups = sorted({g for item in data["projects"] for g in item["groups"]})
    header = ["排名", "项目", "社会组织", "得分", "并列", "评委数", *groups, "报价（元）", "是否入选"]
    rows = [[p(h, small) for h in header]]
    for item in data["projects"]:
        tied = "是" if item["tied"] else ""
        if item["tied"] and item.get("tie_break_order"):
            tied = f"是（第 {item['tie_break_order']} 位）"
        rows.append(
            [
                p(item["rank"], small),
                p(item["title"], small),
                p(item["organisation"], small),
                p(item["score"], small),
                p(tied, small),
                p(item["evaluators"], small),
                *(p(item["groups"].get(g, "—"), small) for g in groups),
                p(item["amount"], small),
                p(
                    "入选" if item["selected"] else f"未入选：{REASON_ZH.get(item['selection_reason'], '')}",
                    small,
                ),
            ]
        )
    for item in data.get("unranked", []):
        rows.append(
            [
                p("—", small),
                p(item["title"], small),
                p(item["organisation"], small),
                p("—", small),
                p("", small),
            ]
            + [p("0", small)]
            + [p("—", small) for _ in groups]
            + [p(item["amount"], small), p("未排名（没有计入的评分表）", small)]
        )
    page = landscape(A4)
    usable = page[0] - 30 * mm
    fixed = [12 * mm, None, None, 16 * mm, 18 * mm, 14 * mm, *([16 * mm] * len(groups)), 22 * mm, 30 * mm]
    flexible = usable - sum(w for w in fixed if w)
    widths = [w if w else flexible * (0.55 if i == 1 else 0.45) for i, w in enumerate(fixed)]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f1ece6")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(table)

    story.append(p("入选结果", heading))
    selection = data["selection"]
    chosen = [item for item in data["projects"] if item["selected"]]
    if chosen:
        story.append(
            p(
                "入选项目："
                + "；".join(f"{c['title']}（{c['organisation']}，{c['amount']} 元）" for c in chosen)
            )
        )
    else:
        story.append(p("没有项目入选。"))
    story.append(p(f"入选金额合计 {selection['spent']} 元，剩余预算 {selection['remaining']} 元。"))
    reasons = {item["tie_break_reason"] for item in data["projects"] if item.get("tie_break_reason")}
    for reason in sorted(reasons):
        story.append(p(f"并列项目的先后顺序由主持人决定，理由：{reason}。排名仍为并列。"))
    if selection.get("tie_break_needed"):
        story.append(p("注意：有并列项目尚未记录决定顺序，暂按项目名称排列。"))

    story.append(p("核验", heading))
    story.append(
        p(f"计入的评分表 {data['counted_sheets']} 张；不完整未计入 {data['incomplete_sheets']} 张。")
    )
    if published is not None:
        published_at = moment_text(published.published_at)
        story.append(p(f"公布时间：{published_at}"))
        story.append(p(f"评分明细 SHA-256 摘要：{published.digest}", small))
        story.append(
            p(
                f"已计入评分表的回执码共 {len(published.receipts)} 个，公布在结果页面上，评委可核对自己的回执码。"
                "持有导出的评分明细者可用 dajia tally 重新计算并核对摘要。"
            )
        )
    else:
        story.append(p("结果尚未公布，本报告不是正式公布的结果。"))
    story.append(Spacer(1, 6 * mm))
    story.append(p(f"生成时间：{timezone.localtime().strftime('%Y-%m-%d %H:%M')}", small))

    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=page,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"{session.title} 评审结果报告",
        author=session.federation.name,
    )
    doc.build(story)
    return buf.getvalue()


__all__ = ["method_text", "report_pdf", "results_xlsx", "tally_command"]
