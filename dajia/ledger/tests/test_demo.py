"""Acceptance 3 and 4 on the demo: the ledger of 武义县 gives exactly the seed's figures this branch's records
make — 225 problems solved by the desk (the health checks' 38 follow-ups join on merge), 185 legal consultations,
1,753 enterprises with loans, ¥1,141,000,000.00 granted — on the page, in the xlsx and through the API, each from
its query; and none of them shows a party's name, a mobile number or an ID number."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from dajia.accounts.models import Role, User
from dajia.desk.models import Case, Consultation, Party

pytestmark = pytest.mark.django_db

# The seed's figures for 武义县's teams: 263 problems solved (225 desk cases + 38 health-check follow-ups), 185 legal
# consultations, 5 lectures, 405 enterprises checked, 1,753 enterprises with loans, ¥1,141,000,000.00 granted.
EXPECTED = {
    "problems_solved": 263,
    "legal_consultations": 185,
    "lectures": 5,
    "health_checks": 405,
    "enterprises_with_loans": 1753,
    "loans_granted": Decimal("1141000000.00"),
}


def _secrets() -> set[str]:
    found = set()
    for name, mobile, id_card in Party.objects.values_list("name", "mobile", "id_card"):
        found |= {name, mobile, id_card}
    found |= set(Case.objects.values_list("contact_mobile", flat=True))
    found |= set(User.objects.values_list("mobile", flat=True))
    return {s for s in found if s}


def test_the_demo_ledger_gives_the_seeds_figures_everywhere_without_personal_data(client):
    call_command("load_demo")
    office = User.objects.filter(roles__role=Role.OFFICE, roles__federation__name="武义县总工会").first()
    assert office is not None
    client.force_login(office)
    # a consultation that became a case is one consultation (and the demo has some)
    assert Consultation.objects.filter(specialty="lawyer", case__isnull=False).count() > 0

    page = client.get(reverse("ledger:home")).text
    for key, value in EXPECTED.items():
        assert f'data-figure="{key}" data-value="{value}"' in page, key
    assert "¥1,141,000,000.00" in page

    book = load_workbook(io.BytesIO(client.get(reverse("ledger:export")).content))
    sheet = list(book.worksheets[0].iter_rows(values_only=True))
    from dajia.ledger.selectors import FIGURES

    got = {row[0]: row[1] for row in sheet[1 : 1 + len(FIGURES)]}

    assert {f.key: got[str(f.label)] for f in FIGURES} == {
        k: (float(v) if isinstance(v, Decimal) else v) for k, v in EXPECTED.items()
    }

    api = client.get("/api/ledger/").json()
    assert {f["key"]: f["total"] for f in api["figures"]} == {k: str(v) for k, v in EXPECTED.items()}

    xlsx_text = " ".join(
        str(cell) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for cell in row if cell
    )
    api_text = client.get("/api/ledger/").text
    secrets = _secrets()
    assert len(secrets) > 10
    for secret in secrets:
        assert secret not in page and secret not in xlsx_text and secret not in api_text, secret
