"""The paper-sheet import is bounded (issue 10): a file beyond its caps is refused with the caps stated, before
the engine's sheet-file parser (openpyxl) is called."""

from __future__ import annotations

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dajia.consultations.models import Sheet
from dajia.consultations.tests.test_imports import HEADER, session  # noqa: F401
from dajia.core.tests.test_spreadsheets import declaring_rows, inflating, no_openpyxl, xlsx  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_import_page_states_the_caps(client, session, office_user):  # noqa: F811
    client.force_login(office_user)
    response = client.get(reverse("consultations:sheets_import", args=[session.pk]))
    assert response.status_code == 200
    assert "2 MB" in response.content.decode() and "5000" in response.content.decode()


@pytest.mark.parametrize(
    "crafted",
    [
        pytest.param(lambda: inflating(xlsx([["a", "b"], [1, 2]]), 40), id="inflates-to-40MB"),
        pytest.param(lambda: declaring_rows(xlsx([["a", "b"], [1, 2]]), 1_000_000), id="a-million-rows"),
    ],
)
@pytest.mark.usefixtures("no_openpyxl")
def test_a_crafted_xlsx_is_refused_at_once_before_the_parser(
    client,
    session,  # noqa: F811
    office_user,
    crafted,
):
    client.force_login(office_user)
    upload = SimpleUploadedFile("纸质评分.xlsx", crafted())
    response = client.post(reverse("consultations:sheets_import", args=[session.pk]), {"file": upload})
    assert response.status_code == 400
    text = response.content.decode()
    assert "2 MB" in text and "5000" in text
    assert not Sheet.objects.filter(entry__session=session).exists()


def test_a_csv_with_too_many_rows_is_refused_with_the_cap(client, session, office_user, settings):  # noqa: F811
    settings.DAJIA_IMPORT_CAPS = {
        **settings.DAJIA_IMPORT_CAPS,
        "sheets": {**settings.DAJIA_IMPORT_CAPS["sheets"], "max_rows": 3},
    }
    client.force_login(office_user)
    data = (HEADER + "王委员,政协委员,职工心理减压工作坊,25,16,20,21\n" * 5).encode()
    upload = SimpleUploadedFile("纸质评分.csv", data, content_type="text/csv")
    response = client.post(reverse("consultations:sheets_import", args=[session.pk]), {"file": upload})
    assert response.status_code == 400
    assert "3 行" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_other_users_can_write_while_a_sheet_file_is_being_parsed(
    session,  # noqa: F811
    office_user,
    other_union,
    monkeypatch,
):
    """SQLite with IMMEDIATE transactions: a parse inside the import's transaction would hold the write lock, and
    this second writer would wait for it (on a real server: "database is locked")."""
    from django.db import connection

    from dajia.consultations import services_results
    from dajia.consultations.tests.test_imports import GOOD
    from dajia.orgs.models import Union

    outcome = []

    def other_user_writes():
        try:
            Union.objects.filter(pk=other_union.pk).update(name="另一个用户改的名字")
            outcome.append("written")
        finally:
            connection.close()

    parse = services_results.parse_bytes

    def parse_while_someone_writes(data, filename):
        writer = threading.Thread(target=other_user_writes)
        writer.start()
        writer.join(timeout=10)
        outcome.append("joined" if not writer.is_alive() else "blocked")
        return parse(data, filename)

    monkeypatch.setattr(services_results, "parse_bytes", parse_while_someone_writes)
    report = services_results.sheets_import(
        actor=office_user, session=session, data=GOOD, filename="纸质评分.csv"
    )
    assert outcome == ["written", "joined"]
    assert report.new == 4
    assert Sheet.objects.filter(entry__session=session).count() == 4
    assert Union.objects.get(pk=other_union.pk).name == "另一个用户改的名字"
