"""The volunteer's printable service certificate (志愿服务证书, A4, Chinese), made as ``dajia/agreements/pdf.py``
makes its PDF: reportlab with the built-in CID font STSong-Light. Its figures come from the ledger's queries
(``certificate_facts``), so the certificate and the ledger never disagree."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from dajia.agreements.pdf import _font
from dajia.ledger.selectors import CertificateFacts


def certificate_pdf(facts: CertificateFacts) -> bytes:
    font = _font()
    body = ParagraphStyle("body", fontName=font, fontSize=13, leading=24, wordWrap="CJK", firstLineIndent=26)
    title = ParagraphStyle("title", fontName=font, fontSize=26, leading=36, alignment=1, spaceAfter=18)
    right = ParagraphStyle("right", fontName=font, fontSize=13, leading=22, alignment=2)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=28 * mm,
        rightMargin=28 * mm,
        topMargin=36 * mm,
        bottomMargin=24 * mm,
        title=f"志愿服务证书 {facts.name}",
        author=facts.federation,
    )
    v = facts
    hours = f"{v.minutes / 60:.1f}"
    text = (
        f"兹证明 {v.name}（{v.firm}，{v.specialty}）于 {v.period.start:%Y年%m月%d日} 至 "
        f"{v.period.last:%Y年%m月%d日} 参加{v.federation}小微企业园专家服务台志愿服务，"
        f"累计服务 {hours} 小时，办结案件 {v.cases_finished} 件，其中问题解决 {v.problems_solved} 件，"
        f"提供咨询 {v.consultations} 次"
    )
    if v.loans:
        text += f"，为 {v.loan_enterprises} 家企业发放贷款 {v.loans} 笔、共 ¥{v.loan_total:,.2f}"
    text += "。"
    story = [
        Paragraph("志愿服务证书", title),
        Paragraph(escape(text), body),
        Paragraph("特发此证，以资鼓励。", body),
        Spacer(1, 30),
        Paragraph(escape(v.federation), right),
        Paragraph(escape(f"{timezone.localdate():%Y年%m月%d日}"), right),
    ]
    doc.build(story)
    return buf.getvalue()
