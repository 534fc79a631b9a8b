"""The results workbook and the PDF report."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
import zlib
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dajia.consultations import services_results
from dajia.consultations.exports import report_pdf, tally_command
from dajia.consultations.models import Session
from dajia.consultations.results import result_data, session_tally
from dajia.consultations.tests.test_results_support import (
    build_session,
    make_grouped_session,
)
from dajia.scoring import engine
from dajia.scoring.sheetfile import parse_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def grouped_session(federation, make_project):
    return make_grouped_session(federation, make_project)


def _xlsx(client, office_user, session) -> bytes:
    client.force_login(office_user)
    response = client.get(reverse("consultations:results_xlsx", args=[session.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    return response.content


def test_summary_worksheet_has_chinese_headers_and_the_engine_figures(client, office_user, grouped_session):
    wb = load_workbook(io.BytesIO(_xlsx(client, office_user, grouped_session)))
    assert wb.sheetnames == ["评审结果", "评分明细", "计分规则"]
    rows = list(wb["评审结果"].iter_rows(values_only=True))
    assert list(rows[0]) == [
        "排名",
        "项目",
        "社会组织",
        "得分",
        "并列",
        "评委数",
        "基层工会主席得分",
        "政协委员得分",
        "内容实用有效(均分)",
        "方式方法新颖(均分)",
        "成熟度吸引力(均分)",
        "受众接纳参与(均分)",
        "报价",
        "是否入选",
        "说明",
    ]
    _, context = session_tally(grouped_session)
    for row, line in zip(context.rows, rows[1:], strict=True):
        p = row.result
        assert line[0] == p.rank and line[1] == row.title and line[2] == row.organisation
        assert Decimal(str(line[3])) == p.score
        assert line[5] == p.evaluators
        assert Decimal(str(line[6])) == p.groups["基层工会主席"]
        assert Decimal(str(line[8])) == p.criteria["内容实用有效"]
        assert line[13] == ("是" if row.selection.selected else "否")


def test_detail_worksheet_is_the_sheet_file_of_the_counted_sheets(client, office_user, grouped_session):
    data = _xlsx(client, office_user, grouped_session)
    detail = list(load_workbook(io.BytesIO(data))["评分明细"].iter_rows(values_only=True))
    assert list(detail[0]) == [
        "evaluator",
        "group",
        "project",
        "内容实用有效(30)",
        "方式方法新颖(20)",
        "成熟度吸引力(25)",
        "受众接纳参与(25)",
    ]
    assert len(detail) == 1 + 23  # one row per counted sheet, the incomplete one left out
    result, context = session_tally(grouped_session)
    parsed = parse_bytes(data, "results.xlsx")
    assert engine.digest(parsed.criteria, parsed.sheets) == context.digest
    again = engine.tally(
        parsed.criteria, parsed.sheets, group_weights={"政协委员": "0.4", "基层工会主席": "0.6"}
    )
    assert engine.result_payload(again) == engine.result_payload(result)


def test_rules_worksheet_gives_the_command_to_check_it(client, office_user, grouped_session):
    rules = dict(
        load_workbook(io.BytesIO(_xlsx(client, office_user, grouped_session)))["计分规则"].iter_rows(
            values_only=True
        )
    )
    _, context = session_tally(grouped_session)
    assert rules["评分明细 SHA-256"] == context.digest
    assert rules["复核命令"] == tally_command(context)
    assert "--group-weight 基层工会主席=0.6 --group-weight 政协委员=0.4" in rules["复核命令"]


def test_a_title_starting_with_equals_stays_text(client, office_user, federation, make_project):
    session = build_session(
        federation,
        make_project,
        projects=[("=1+1 讲座", "1000")],
        evaluators=[("王委员", "")],
        sheets={("王委员", "=1+1 讲座"): [20, 15, 20, 20]},
    )
    wb = load_workbook(io.BytesIO(_xlsx(client, office_user, session)))
    assert wb["评审结果"]["B2"].value == "=1+1 讲座"
    assert wb["评审结果"]["B2"].data_type == "s"
    assert wb["评分明细"]["C2"].data_type == "s"


# ---- the PDF -------------------------------------------------------------------------------------------


def _pdf_text(data: bytes) -> str:
    """The text drawn on the pages, without a PDF library: inflate each content stream (ASCII85 + Flate, as
    reportlab writes them), take the string operands of Tj and decode them as the CID font's UCS-2."""
    text = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.DOTALL):
        raw = match.group(1).strip()
        try:
            if raw.endswith(b"~>"):
                raw = base64.a85decode(raw[:-2])
            content = zlib.decompress(raw)
        except (ValueError, zlib.error):
            continue  # a font or image stream
        for literal in re.finditer(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", content, re.DOTALL):
            text.append(_unescape(literal.group(1)).decode("utf-16-be", errors="replace"))
    return "".join(text)


def _unescape(literal: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(literal):
        c = literal[i]
        if c != 0x5C:  # backslash
            out.append(c)
            i += 1
            continue
        nxt = literal[i + 1 : i + 2]
        if nxt.isdigit():
            digits = re.match(rb"[0-7]{1,3}", literal[i + 1 : i + 4]).group(0)
            out.append(int(digits, 8))
            i += 1 + len(digits)
        else:
            out += {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(nxt, nxt)
            i += 2
    return bytes(out)


def _published(grouped_session, office_user):
    services_results.session_reveal(actor=office_user, session=grouped_session)
    return services_results.session_publish(actor=office_user, session=grouped_session)


def test_pdf_report_is_a_pdf_with_the_chinese_font_and_text(client, grouped_session, office_user):
    published = _published(grouped_session, office_user)
    response = client.get(reverse("consultations:results_report_pdf", args=[grouped_session.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    data = response.content
    assert data.startswith(b"%PDF")
    assert b"STSong-Light" in data
    text = _pdf_text(data)
    assert "评审结果报告" in text
    assert "职工心理减压工作坊" in text
    assert published.digest in text
    assert published.payload["projects"][0]["score"] in text


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_pdf_report_text_extracts_with_pdftotext(grouped_session, office_user, tmp_path):
    published = _published(grouped_session, office_user)
    _, context = session_tally(grouped_session)
    path = tmp_path / "report.pdf"
    path.write_bytes(report_pdf(grouped_session, published.payload, published))
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert "评审结果报告" in text
    assert "职工心理减压工作坊" in text
    assert str(context.rows[0].result.score) in text
    assert published.digest in text.replace("\n", "")


def test_pdf_report_before_publication_says_so(grouped_session):
    Session.objects.filter(pk=grouped_session.pk).update(state="revealed")
    grouped_session.refresh_from_db()
    _, context = session_tally(grouped_session)
    data = report_pdf(grouped_session, result_data(context), None)
    assert "结果尚未公布" in _pdf_text(data)
