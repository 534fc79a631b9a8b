"""Backup then restore into an empty database gives the same data (SQLite and PostgreSQL)."""

import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from dajia.core.backup import backup, restore

pytestmark = pytest.mark.django_db(transaction=True)


def _table_digest(cursor, tables):
    out = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - table names from introspection
        out[table] = cursor.fetchone()[0]
    return out


def _published_views(client) -> dict:
    """What the office and the public see of the published demo session: results page, ranking, export cells."""
    import io
    import re

    from openpyxl import load_workbook

    from dajia.accounts.models import User
    from dajia.consultations.models import Session

    session = Session.objects.get(state="published", title__startswith="2020")  # the seed's session
    client.force_login(User.objects.get(username="office"))
    out = {}
    for name in ("results", "ranking", "results_notice"):
        html = client.get(reverse(f"consultations:{name}", args=[session.pk])).content.decode()
        # The CSRF token differs per request; everything else on the page must be identical.
        out[name] = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"|content="[A-Za-z0-9]{64}"', "", html)
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("consultations:results_xlsx", args=[session.pk])).content)
    )
    # The export's own time (导出时间, to the minute) is not data: before and after may fall in different minutes.
    out["xlsx"] = {
        ws.title: [list(r) for r in ws.iter_rows(values_only=True) if r and r[0] != "导出时间"]
        for ws in workbook.worksheets
    }
    return out


def _switch_database(name: str) -> None:
    connection.close()
    connection.settings_dict["NAME"] = name


def test_backup_and_restore_round_trip(tmp_path, client):
    call_command("load_demo")
    db = dict(connection.settings_dict)
    pages_before = _published_views(client)
    tables = sorted(t for t in connection.introspection.table_names() if not t.startswith("sqlite_"))
    with connection.cursor() as cur:
        before = _table_digest(cur, tables)
    assert before["menu_serviceproject"] > 20

    dump = backup(db, tmp_path / "dajia.backup")
    assert dump.stat().st_size > 0

    if db["ENGINE"].endswith("sqlite3"):
        target = dict(db, NAME=str(tmp_path / "restored.sqlite3"))
        restore(target, dump)
        import sqlite3

        cur = sqlite3.connect(target["NAME"]).cursor()
        after = _table_digest(cur, tables)
        restored_name = target["NAME"]
    else:
        import psycopg

        name = f"dajia_restore_{os.getpid()}"
        admin = psycopg.connect(
            host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname="postgres", autocommit=True
        )
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            restore(dict(db, NAME=name), dump)
            with psycopg.connect(
                host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=name
            ) as conn:
                after = _table_digest(conn.cursor(), tables)
            _switch_database(name)
            try:
                pages_after = _published_views(client)
            finally:
                _switch_database(db["NAME"])
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()
    assert after == before
    if db["ENGINE"].endswith("sqlite3"):
        _switch_database(restored_name)
        try:
            pages_after = _published_views(client)
        finally:
            _switch_database(db["NAME"])
    assert pages_after == pages_before


def test_restore_refuses_without_confirmation(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "dajia.cli", "restore", str(tmp_path / "x")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2 and "--yes" in result.stderr
