"""The query planner's statistics: ``analyze()`` refreshes them on SQLite (``manage.py analyze_db``).

Why: the pages' plans (the workbench's flagged cases, the office's orders, the ledger's period) rest on indexes
that the planner picks by how many rows each would read. SQLite keeps no statistics until ``ANALYZE`` runs, and
without them it guesses: on a desk's cases it took the federation's index and read every case of the
federation for the few flagged ones. ``dajia serve`` runs it before it starts the servers; run it daily from
cron as well (SQLite samples at most ``ANALYSIS_LIMIT`` rows of each index, so it takes about a second).
PostgreSQL's autovacuum analyses each table as it changes, so there it does nothing — a manual ``ANALYZE``
would only repeat that work (and, run inside a test's transaction, its statistics outlive the rollback).
"""

from __future__ import annotations

from django.db import connection

ANALYSIS_LIMIT = 2000  # rows sampled per index on SQLite: estimates good enough to choose by, bounded in time


def analyze() -> bool:
    """Refresh SQLite's statistics; False on a database that keeps its own (PostgreSQL)."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
    return True
