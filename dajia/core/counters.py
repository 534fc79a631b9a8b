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

from dajia.core.bulk import insert_values, prepare_rows


def _floored(expression: str, floor: int | None) -> str:
    """``expression``, raised to ``floor`` where it falls below it (unchanged without a floor)."""
    if floor is None:
        return expression
    return f"CASE WHEN {expression} < {int(floor)} THEN {int(floor)} ELSE {expression} END"


def add_to_counters(
    model: type[Model],
    *,
    key: Sequence[str],
    counter: str,
    rows: Sequence[tuple],
    also: Sequence[str] = (),
    floor: int | None = None,
    returning: bool = False,
) -> dict[tuple, int]:
    """For each row ``(*key values, *also values, change)`` add ``change`` to ``counter`` of the row with that
    key, creating it at ``change`` (with the ``also`` fields, which only a new row needs) when there is none.
    ``key`` names the primary key or a unique constraint of ``model``; with ``floor`` no counter goes below
    it (a new row included). With ``returning``, the counters after the change, by the key values as the
    database returns them (one statement per chunk of rows, each key at most once; not with ``floor``).

    One multi-row statement when the keys are distinct and no change is below the floor; otherwise (a
    withdrawal under ``floor``, a key twice) one execution per row in key order, which is what the floor's
    rule needs: each change is applied to the counter the one before it left."""
    if not rows:
        return {}
    fields = [model._meta.get_field(name) for name in (*key, *also, counter)]
    ops = connection.ops
    table = ops.quote_name(model._meta.db_table)
    columns = [ops.quote_name(f.column) for f in fields]
    target = columns[-1]
    head = f"INSERT INTO {table} ({', '.join(columns)}) "
    conflict = f" ON CONFLICT ({', '.join(columns[: len(key)])}) DO UPDATE SET {target} = "
    ordered = sorted(rows, key=lambda r: r[: len(key)])
    if returning and floor is not None:
        raise ValueError("add_to_counters: returning and floor together are not supported")
    unique = len({r[: len(key)] for r in ordered}) == len(ordered)
    if returning or (unique and (floor is None or all(r[-1] >= floor for r in ordered))):
        # A new row is inserted at its change (no change is below the floor), so ``excluded`` holds every
        # row's change and one multi-row statement moves them all — on PostgreSQL one execution, not one per
        # row. Each key at most once: a statement may update a row only once.
        tail = conflict + _floored(f"{table}.{target} + excluded.{target}", floor)
        if returning:
            tail += f" RETURNING {', '.join(columns[: len(key)])}, {target}"
        returned = insert_values(head, fields, prepare_rows(fields, ordered), tail, fetch=returning)
        return {tuple(row[:-1]): row[-1] for row in returned}
    # A change below the floor, or a key twice: one execution per row, in key order. The change is bound again
    # in the UPDATE rather than read from ``excluded``: a new row is inserted at the floor, but an existing one
    # must move by the whole change.
    added = _floored(f"{table}.{target} + %s", floor)
    sql = head + "VALUES (" + ", ".join(["%s"] * len(columns)) + ")" + conflict + added
    starts = [(*row[:-1], row[-1] if floor is None else max(row[-1], floor)) for row in ordered]
    prepared = prepare_rows(fields, starts)
    params = [
        [*values, *([row[-1]] * added.count("%s"))] for values, row in zip(prepared, ordered, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    return {}
