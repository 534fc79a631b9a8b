"""Maintained counters: add to many counter rows in one statement, creating the rows that are missing.

Why raw SQL, and why here once: the ORM needs an ``INSERT … ON CONFLICT DO NOTHING`` for the missing rows and
then an ``UPDATE`` with one ``CASE`` branch per row, two statements compiled afresh on every call. A profile of
the viewers' supports (a batch of 17 through ``supports_add``) put that at a fifth of the batch's time.
``INSERT … ON CONFLICT (…) DO UPDATE`` is the same statement on SQLite (3.24+) and PostgreSQL. The rows are
written in key order, so two transactions lock them in the same order and never deadlock (PostgreSQL).

Callers: the rate-limit windows (``core.ratelimit``) and the audience's support counts
(``participation.services_supports``).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.db.models import Model


def add_to_counters(
    model: type[Model],
    *,
    key: Sequence[str],
    counter: str,
    rows: Sequence[tuple],
    also: Sequence[str] = (),
    floor: int | None = None,
) -> None:
    """For each row ``(*key values, *also values, change)`` add ``change`` to ``counter`` of the row with that
    key, creating it at ``change`` (with the ``also`` fields, which only a new row needs) when there is none.
    ``key`` names the primary key or a unique constraint of ``model``; with ``floor`` no counter goes below
    it (a new row included)."""
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in (*key, *also, counter)]
    ops = connection.ops
    table = ops.quote_name(model._meta.db_table)
    columns = [ops.quote_name(f.column) for f in fields]
    target = columns[-1]
    # The change is bound again in the UPDATE rather than read from ``excluded``: a new row is inserted at the
    # floor, but an existing one must move by the whole change.
    added = f"{table}.{target} + %s"
    if floor is not None:
        added = f"CASE WHEN {added} < {int(floor)} THEN {int(floor)} ELSE {added} END"
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "  # noqa: S608
        f"ON CONFLICT ({', '.join(columns[: len(key)])}) DO UPDATE SET {target} = {added}"
    )
    params = []
    for row in sorted(rows, key=lambda r: r[: len(key)]):
        *values, change = row
        start = change if floor is None else max(change, floor)
        prepared = [f.get_db_prep_save(v, connection) for f, v in zip(fields, (*values, start), strict=True)]
        params.append([*prepared, *([change] * added.count("%s"))])
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
