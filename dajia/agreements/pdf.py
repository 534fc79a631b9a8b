"""The printable agreement (A4, Chinese) with reportlab's built-in CID font STSong-Light (no font file needed)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT = "STSong-Light"
_registered = False


def _font() -> str:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True
    return FONT


def agreement_pdf(agreement, version, signatures) -> bytes:
    """The text of ``version`` and the signatures recorded on it (party, name, time, SHA-256)."""
    font = _font()
    body = ParagraphStyle("body", fontName=font, fontSize=11, leading=18, wordWrap="CJK", spaceAfter=4)
    title = ParagraphStyle("title", parent=body, fontSize=17, leading=26, alignment=1, spaceAfter=10)
    small = ParagraphStyle("small", parent=body, fontSize=8.5, leading=12, textColor="#444444")
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=22 * mm,
        rightMargin=22 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=f"服务协议 {agreement.number}",
        author=agreement.federation.name,
    )
    lines = version.text.splitlines()
    story = []
    if lines:
        story.append(Paragraph(escape(lines[0]), title))
        lines = lines[1:]
    for line in lines:
        if not line.strip():
            story.append(Spacer(1, 4))
            continue
        story.append(Paragraph(escape(line), body))
    story.append(Spacer(1, 12))
    by_party = {s.party: s for s in signatures}
    rows = [["", "甲方（购买方）", "乙方（服务方）"]]
    rows.append(
        [
            "单位",
            Paragraph(escape(agreement.federation.name), body),
            Paragraph(escape(agreement.provider.name), body),
        ]
    )

    def cell(party, what):
        s = by_party.get(party)
        if s is None:
            return "（未签署）" if what == "name" else ""
        if what == "name":
            return s.signer_name
        return timezone.localtime(s.signed_at).strftime("%Y-%m-%d %H:%M")

    rows.append(["签署人", cell("federation", "name"), cell("provider", "name")])
    rows.append(["签署时间", cell("federation", "time"), cell("provider", "time")])
    rows.append(["（盖章）", "", ""])
    table = Table(rows, colWidths=[24 * mm, 70 * mm, 70 * mm], rowHeights=[None, None, None, None, 18 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 10.5),
                ("GRID", (0, 0), (-1, -1), 0.5, "#888888"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (-1, 0), "#EEEEEE"),
            ]
        )
    )
    story.append(table)
    story.append(Spacer(1, 8))
    story.append(
        Paragraph(
            escape(f"协议编号 {agreement.number}，第 {version.number} 版，文本 SHA-256：{version.sha256}"),
            small,
        )
    )
    story.append(
        Paragraph(
            escape("双方在“大家”平台上确认的是上述摘要对应的协议文本；任何改动都会得到不同的摘要。"), small
        )
    )

    def footer(canvas, doc_):
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"{agreement.number}  第 {doc_.page} 页")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()
