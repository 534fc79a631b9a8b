"""The ledger's page, xlsx, API and certificate: who reads which rows ("not yours": 403 without a ledger role,
404 for another volunteer's certificate), the definitions on the page, bad input a 400, and the certificate's
Chinese text read back with pdftotext (which must be installed: the test fails without it)."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dajia.ledger.selectors import FIGURES

pytestmark = pytest.mark.django_db


def test_the_office_reads_the_ledger_with_each_definition(
    client, office_user, lawyer, enterprise, closed_case
):
    closed_case(lawyer, enterprise)
    client.force_login(office_user)
    page = client.get(reverse("ledger:home"))
    assert page.status_code == 200
    assert 'data-figure="problems_solved" data-value="1"' in page.text
    for f in FIGURES:
        assert str(f.label) in page.text
    assert "问题解决" in page.text or "problem solved" in page.text


@pytest.mark.parametrize("who", ["chair_user", "provider_user"])
def test_no_ledger_role_no_ledger(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("ledger:home")).status_code == 403
    assert client.get(reverse("ledger:export")).status_code == 403
    assert client.get("/api/ledger/").status_code == 403


def test_a_volunteer_reads_only_its_own_rows(
    client, lawyer, far_lawyer, enterprise, far_enterprise, closed_case
):
    closed_case(lawyer, enterprise)
    closed_case(far_lawyer, far_enterprise)
    client.force_login(lawyer.user)
    page = client.get(reverse("ledger:home"))
    assert 'data-figure="problems_solved" data-value="1"' in page.text
    assert far_lawyer.user.display_name not in page.text
    api = client.get("/api/ledger/").json()
    assert [f["total"] for f in api["figures"] if f["key"] == "problems_solved"] == ["1"]


def test_a_park_office_reads_its_park(
    client, park_office_user, lawyer, far_lawyer, enterprise, far_enterprise, closed_case
):
    closed_case(lawyer, enterprise)
    closed_case(far_lawyer, far_enterprise)
    client.force_login(park_office_user)
    page = client.get(reverse("ledger:home"))
    assert 'data-figure="problems_solved" data-value="1"' in page.text
    assert "桐琴小微企业园" not in page.text


def test_a_bad_year_is_a_400(client, office_user):
    client.force_login(office_user)
    assert client.get(reverse("ledger:home"), {"year": "²⁰²⁶"}).status_code == 400
    assert client.get("/api/ledger/", {"year": "1e3"}).status_code == 400


def test_the_xlsx_holds_the_figures_and_definitions(client, office_user, lawyer, enterprise, closed_case):
    closed_case(lawyer, enterprise)
    client.force_login(office_user)
    response = client.get(reverse("ledger:export"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[1][1] == 1 and rows[1][2] == str(FIGURES[0].definition)
    assert len(book.worksheets) == 5


def test_a_certificate_is_the_volunteers_own_or_the_offices(
    client, lawyer, far_lawyer, office_user, other_office_user, park_office_user
):
    url = reverse("ledger:certificate", args=[far_lawyer.pk])
    client.force_login(lawyer.user)
    assert client.get(url).status_code == 404
    client.force_login(other_office_user)
    assert client.get(url).status_code == 404
    client.force_login(park_office_user)
    assert client.get(url).status_code == 403
    client.force_login(office_user)
    assert client.get(url).status_code == 200


def test_the_certificate_states_hours_and_outcomes_in_chinese(
    client, lawyer, enterprise, closed_case, tmp_path
):
    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) is required to test the certificate"
    closed_case(lawyer, enterprise, minutes=90)
    closed_case(lawyer, enterprise, closure="advised", minutes=60)
    client.force_login(lawyer.user)
    response = client.get(reverse("ledger:certificate", args=[lawyer.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "certificate.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    flat = "".join(text.split())
    assert "志愿服务证书" in flat
    assert lawyer.user.display_name in flat and "浙江中义律师事务所" in flat
    assert "累计服务2.5小时" in flat and "办结案件2件" in flat and "问题解决1件" in flat


def test_the_ledger_is_on_the_workbench(client, office_user, lawyer):
    client.force_login(office_user)
    assert reverse("ledger:home") in client.get(reverse("workbench:home")).text
    client.force_login(lawyer.user)
    assert reverse("ledger:home") in client.get(reverse("workbench:home")).text
