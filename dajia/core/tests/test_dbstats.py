"""``manage.py analyze_db`` leaves the planner statistics of every indexed table (what dajia serve runs)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db


def test_analyze_db_gives_the_planner_statistics_of_the_indexes(office_user, capsys):
    call_command("analyze_db")
    assert "database statistics refreshed" in capsys.readouterr().out
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT tbl, idx FROM sqlite_stat1 WHERE tbl = 'accounts_user'")
        else:
            cursor.execute(
                "SELECT relname, last_analyze FROM pg_stat_user_tables WHERE relname = 'accounts_user'"
                " AND last_analyze IS NOT NULL"
            )
        assert cursor.fetchall()
