"""The needs import is bounded (issue 10): size and row caps, stated on the page, checked before openpyxl."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dajia.core.tests.test_spreadsheets import inflating, no_openpyxl, xlsx  # noqa: F401
from dajia.needs.imports import NeedFileError, read_rows
from dajia.needs.models import Need

pytestmark = pytest.mark.django_db


def test_the_import_page_states_the_caps(client, office_user):
    client.force_login(office_user)
    response = client.get(reverse("needs:import"))
    assert response.status_code == 200 and "2 MB" in response.content.decode()


@pytest.mark.usefixtures("no_openpyxl")
def test_a_crafted_xlsx_is_refused_before_openpyxl_with_the_cap(client, office_user, federation):
    client.force_login(office_user)
    upload = SimpleUploadedFile("需求.xlsx", inflating(xlsx([["需求内容"], ["食堂太挤"]]), 40))
    response = client.post(reverse("needs:import"), {"federation": federation.pk, "file": upload})
    assert response.status_code == 400
    assert "2 MB" in response.content.decode() and "5000" in response.content.decode()
    assert not Need.objects.exists()


def test_a_file_larger_than_the_cap_is_refused_unread(client, office_user, federation, settings):
    settings.DAJIA_IMPORT_CAPS = {
        **settings.DAJIA_IMPORT_CAPS,
        "needs": {**settings.DAJIA_IMPORT_CAPS["needs"], "max_bytes": 100},
    }
    client.force_login(office_user)
    upload = SimpleUploadedFile(
        "需求.csv", ("需求内容\n" + "食堂太挤\n" * 50).encode(), content_type="text/csv"
    )
    response = client.post(reverse("needs:import"), {"federation": federation.pk, "file": upload})
    assert response.status_code == 400 and "too large" in response.content.decode()


def test_the_command_line_reader_has_caps_too():
    with pytest.raises(NeedFileError):
        read_rows(b"x\n" * 6000, "needs.csv")


def test_a_malformed_csv_is_refused_with_its_line():
    data = "需求内容\n食堂太挤\n".encode() + b'"' + "很长".encode() * 70000 + b'"\n'
    with pytest.raises(NeedFileError) as raised:
        read_rows(data, "needs.csv")
    assert "line 3" in str(raised.value) and "CSV" in str(raised.value)
