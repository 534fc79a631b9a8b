"""``manage.py analyze_db`` leaves SQLite the planner statistics of every indexed table (what dajia serve runs);
PostgreSQL's autovacuum keeps its own."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def test_analyze_db_gives_sqlite_the_statistics_of_the_indexes(office_user, capsys):
    with CaptureQueriesContext(connection) as queries:
        call_command("analyze_db")
    out = capsys.readouterr().out
    if connection.vendor != "sqlite":
        assert "autovacuum" in out and not queries.captured_queries
        return
    assert "database statistics refreshed" in out
    with connection.cursor() as cursor:
        cursor.execute("SELECT tbl, idx FROM sqlite_stat1 WHERE tbl = 'accounts_user'")
        assert cursor.fetchall()
