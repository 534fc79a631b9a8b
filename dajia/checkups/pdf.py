"""The printable 《法律风险评估报告》 (A4, Chinese), made as ``dajia/agreements/pdf.py`` makes the agreement: reportlab
with its built-in CID font, so no font file is needed. A red header line, the enterprise, each item's result and
risk level, the recommendations, what was put right (each follow-up case's resolution) and the return visit."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone, translation
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import HRFlowable, Paragraph, SimpleDocTemplate, Table, TableStyle

from dajia.agreements.pdf import _font
from dajia.checkups.models import Area, Risk, SelfAnswer

RED = colors.HexColor("#C8161D")


def _resolution(case) -> str:
    """What the follow-up case says was put right, or where it stands."""
    if case is None:
        return ""
    if case.is_open:
        return f"{case.number} {case.get_status_display()}"
    note = f"：{case.closure_note}" if case.closure_note else ""
    return f"{case.number} {case.get_closure_display()}{note}"


def report_pdf(check, answers) -> bytes:
    """The report of ``check`` with its ``answers`` (their follow-up cases loaded), always in Chinese."""
    with translation.override(settings.LANGUAGE_CODE):
        return _build(check, answers)


def _build(check, answers) -> bytes:
    font = _font()
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK", spaceAfter=3)
    cell = ParagraphStyle("cell", parent=body, fontSize=9, leading=13, spaceAfter=0)
    header = ParagraphStyle("header", parent=body, fontSize=13, leading=20, alignment=1, textColor=RED)
    title = ParagraphStyle("title", parent=body, fontSize=18, leading=28, alignment=1, spaceAfter=6)
    h2 = ParagraphStyle("h2", parent=body, fontSize=12.5, leading=20, spaceBefore=8)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"法律风险评估报告 {check.number}",
        author=check.federation.name,
    )
    story = [
        Paragraph(escape(f"{check.federation.name} · 法治体检"), header),
        HRFlowable(width="100%", thickness=2, color=RED, spaceBefore=2, spaceAfter=8),
        Paragraph("《法律风险评估报告》", title),
    ]
    reported = (
        timezone.localtime(check.reported_at).strftime("%Y-%m-%d") if check.reported_at else "（未出具）"
    )
    facts = [
        ("受检企业", check.enterprise.name),
        ("统一社会信用代码", check.enterprise.uscc or ""),
        ("所在园区", check.park.name),
        ("会诊专家", str(check.reviewer.user.display_name) if check.reviewer else ""),
        ("报告编号", check.number),
        ("出具日期", reported),
    ]
    for label, value in facts:
        story.append(Paragraph(escape(f"{label}：{value}"), body))
    failed = [a for a in answers if a.failed]
    red = [a for a in failed if a.risk == Risk.RED]
    story.append(
        Paragraph(
            escape(
                f"共检查 {len(answers)} 项，合格 {len(answers) - len(failed)} 项，存在风险 {len(failed)} 项"
                f"（其中红色预警 {len(red)} 项）。"
            ),
            body,
        )
    )
    story.append(Paragraph("一、体检结果", h2))
    rows = [["序号", "领域", "检查项目", "企业自查", "结果"]]
    for n, a in enumerate(answers, start=1):
        rows.append(
            [
                str(n),
                Paragraph(escape(str(Area(a.area).label)), cell),
                Paragraph(escape(a.question), cell),
                Paragraph(escape(str(SelfAnswer(a.answer).label)) if a.answer else "", cell),
                Paragraph(escape(str(Risk(a.risk).label)) if a.risk else "", cell),
            ]
        )
    table = Table(rows, colWidths=[10 * mm, 24 * mm, 86 * mm, 24 * mm, 30 * mm], repeatRows=1)
    style = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("GRID", (0, 0), (-1, -1), 0.5, "#888888"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), "#EEEEEE"),
    ]
    for n, a in enumerate(answers, start=1):
        if a.risk == Risk.RED:
            style.append(("BACKGROUND", (4, n), (4, n), "#F9D6D7"))
    table.setStyle(TableStyle(style))
    story.append(table)
    story.append(Paragraph("二、风险提示与整改建议", h2))
    if not failed:
        story.append(Paragraph("未发现法律风险。", body))
    for n, a in enumerate(failed, start=1):
        story.append(
            Paragraph(escape(f"{n}. 【{Risk(a.risk).label}】【{Area(a.area).label}】{a.question}"), body)
        )
        story.append(Paragraph(escape(f"建议：{a.recommendation}"), body))
    story.append(Paragraph("三、整改情况", h2))
    if not failed:
        story.append(Paragraph("无需整改。", body))
    for n, a in enumerate(failed, start=1):
        story.append(
            Paragraph(escape(f"{n}. {a.question[:40]} —— 跟进案件 {_resolution(a.follow_up)}"), body)
        )
    story.append(Paragraph("四、回访", h2))
    if check.visited_on:
        story.append(Paragraph(escape(f"已于 {check.visited_on:%Y-%m-%d} 回访：{check.visit_note}"), body))
    elif check.visit_due:
        story.append(Paragraph(escape(f"计划回访日期：{check.visit_due:%Y-%m-%d}"), body))

    def footer(canvas, doc_):
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"法律风险评估报告 {check.number}  第 {doc_.page} 页")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()
