"""The member roll import is bounded and parsed outside any transaction (issue 10): a file beyond its caps is
refused before openpyxl is called, and other users' writes go on while a roll is being read."""

from __future__ import annotations

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from dajia.core.tests.test_spreadsheets import declaring_rows, inflating, no_openpyxl, xlsx  # noqa: F401
from dajia.orgs.models import Union
from dajia.participation import services_roll
from dajia.participation.models import RollMember


@pytest.mark.django_db
def test_the_roll_page_states_the_caps(client, office_user, federation):
    client.force_login(office_user)
    response = client.get("/participation/roll/", {"federation": federation.pk})
    assert response.status_code == 200
    assert "5 MB" in response.content.decode() and "50000" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("megabytes_or_rows", [("inflate", 60), ("rows", 2_000_000)])
@pytest.mark.usefixtures("no_openpyxl")
def test_a_crafted_roll_is_refused_before_openpyxl(
    client,
    office_user,
    federation,
    megabytes_or_rows,
):
    how, n = megabytes_or_rows
    small = xlsx([["姓名", "手机号"], ["张三", "13800001111"]])
    data = inflating(small, n) if how == "inflate" else declaring_rows(small, n)
    client.force_login(office_user)
    response = client.post(
        "/participation/roll/", {"federation": federation.pk, "file": SimpleUploadedFile("名册.xlsx", data)}
    )
    assert response.status_code == 400
    assert "5 MB" in response.content.decode() and "50000" in response.content.decode()
    assert not RollMember.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_other_users_can_write_while_a_roll_is_being_parsed(
    client, office_user, federation, union, other_union, monkeypatch
):
    """SQLite with IMMEDIATE transactions: a parse inside the import's transaction would hold the write lock,
    and this second writer would wait for it (and, on a real server, fail with "database is locked")."""
    outcome = []

    def other_user_writes():
        try:
            Union.objects.filter(pk=other_union.pk).update(name="另一个用户改的名字")
            outcome.append("written")
        finally:
            connection.close()

    reader = services_roll.xlsx_rows

    def rows_while_someone_writes(data, caps):
        for number, (line, values) in enumerate(reader(data, caps)):
            if number == 1:  # in the middle of the parse
                writer = threading.Thread(target=other_user_writes)
                writer.start()
                writer.join(timeout=10)
                outcome.append("joined" if not writer.is_alive() else "blocked")
            yield line, values

    monkeypatch.setattr(services_roll, "xlsx_rows", rows_while_someone_writes)
    client.force_login(office_user)
    data = xlsx(
        [["姓名", "手机号", "工会"], ["张三", "13800001111", union.name], ["李四", "13800002222", union.name]]
    )
    response = client.post(
        "/participation/roll/", {"federation": federation.pk, "file": SimpleUploadedFile("名册.xlsx", data)}
    )
    assert outcome == ["written", "joined"]
    assert response.status_code == 302
    assert RollMember.objects.count() == 2
    assert Union.objects.get(pk=other_union.pk).name == "另一个用户改的名字"
