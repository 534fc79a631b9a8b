"""Inserting many rows of one model in one statement: the core bulk helper the batch services call (issue 12).

Why not ``QuerySet.bulk_create``: a profile of the viewers' supports (``supports_add``, a batch of 64 on the
benchmark's data) put its two bulk inserts — the supports and their audit entries — at a quarter of the batch.
Most of it is the ORM compiling the same ``INSERT`` afresh on every call and preparing every value through
``get_db_prep_save`` (49,000 calls for 40 batches), although within a batch most columns repeat one value: the
session, the time, the action. Here the statement is built once per model and columns, each distinct value of a
column is prepared once per call, and the rows go in multi-row ``VALUES`` chunks within the database's limit of
parameters — or, on PostgreSQL, as one array per column, ``SELECT * FROM UNNEST((%s)::integer[], …)``, as
Django 5.2's ``bulk_create`` does there: that statement's text is the same for any number of rows, so psycopg
converts it once (it caches no statement of more than 50 parameters; a batch of supports and their audit
entries has 80 and 160) and the server plans one short statement rather than a long ``VALUES`` list.

The rows are model instances, as for ``bulk_create``: the services build them as they would for the ORM
(defaults applied), and get them back with their primary keys set (``RETURNING``, on SQLite 3.35+ and
PostgreSQL; in the order of the rows, as ``bulk_create`` also relies on). No signals are sent and no
``save()`` runs, and ``auto_now`` fields are stamped by their ``pre_save`` — as with ``bulk_create``. A model
with parents (multi-table inheritance) is refused, and a database without ``RETURNING`` takes the ORM's path.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from functools import lru_cache

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Field, Model

# Values of these types are prepared once per distinct value and column (preparing is a pure function of them).
_MEMO = (int, str, datetime.datetime, datetime.date, type(None))
_MAX_PARAMS = 32_766  # SQLite's default limit since 3.32 (PostgreSQL's is 65,535)


@lru_cache(maxsize=64)
def _statement(model: type[Model], vendor: str) -> tuple[tuple, frozenset[str], str, str]:
    """(the fields written, those stamped by ``pre_save``, ``INSERT INTO t (…)``, `` RETURNING pk``) of
    ``model``: every concrete field but an automatic primary key."""
    meta = model._meta
    if meta.parents:
        raise ValueError(f"{meta.label}: a model with parents is written by the ORM")
    fields = tuple(f for f in meta.concrete_fields if not (f.primary_key and f.db_returning))
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
    returning = f" RETURNING {quote(meta.pk.column)}" if meta.pk.db_returning else ""
    # Fields with ``auto_now``/``auto_now_add`` take their value from ``pre_save``, as ``bulk_create`` does.
    stamped = frozenset(
        f.attname for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    )
    return fields, stamped, head, returning


def prepare_rows(fields: Sequence[Field], rows: Sequence[Sequence]) -> list[tuple]:
    """The database's values of ``rows`` (one Python value per field of ``fields``), each distinct value of a
    column prepared once (``get_db_prep_save`` is a pure function of the value for the types memoised)."""
    # This thread's connection itself, not the ``connection`` proxy: every attribute the fields read of the
    # proxy (``ops``, ``features``…) looks the thread's connection up again, and a profile of a batch of 16
    # supports found those lookups at 7 % of the batch.
    db = connections[DEFAULT_DB_ALIAS]
    columns = []
    for index, field in enumerate(fields):
        prepared: dict = {}
        values = []
        for row in rows:
            value = row[index]
            if isinstance(value, _MEMO):
                key = (type(value), value)
                if key not in prepared:
                    prepared[key] = field.get_db_prep_save(value, db)
                values.append(prepared[key])
            else:
                values.append(field.get_db_prep_save(value, db))
        columns.append(values)
    return list(zip(*columns, strict=True))


@lru_cache(maxsize=64)
def _unnest(fields: tuple[Field, ...], vendor: str) -> str | None:
    """``SELECT * FROM UNNEST((%s)::integer[], …)`` for ``fields`` on PostgreSQL, or None where the rows go as
    ``VALUES`` (another database, or a field an array cannot carry: the same test as Django's compiler)."""
    if vendor != "postgresql" or any(
        hasattr(f, "get_placeholder")
        or (f.target_field if f.is_relation else f).get_internal_type() not in connection.data_types
        for f in fields
    ):
        return None
    # The type without its parameters, as Django does: varchar[] rather than varchar(50)[].
    casts = ", ".join(f"(%s)::{f.db_type(connection).split('(')[0]}[]" for f in fields)
    return f"SELECT * FROM UNNEST({casts})"  # noqa: S608 (the types of the model's own fields)


def insert_values(
    head: str, fields: Sequence[Field], rows: Sequence[Sequence], tail: str = "", *, fetch: bool = False
) -> list[tuple]:
    """Run ``head`` (``INSERT INTO t (…) ``) with the prepared ``rows`` of ``fields`` (``prepare_rows``) and
    ``tail`` (``ON CONFLICT …``, ``RETURNING …``): on PostgreSQL one statement of one array per column, elsewhere
    ``VALUES (%s, …), (%s, …)…`` in as few statements as the database's limit of parameters allows. With
    ``fetch``, the rows the statements return (``RETURNING``), in the order of ``rows``."""
    if not rows:
        return []
    unnest = _unnest(tuple(fields), connection.vendor)
    if unnest is not None:
        with connection.cursor() as cursor:
            cursor.execute(head + unnest + tail, [list(column) for column in zip(*rows, strict=True)])
            return cursor.fetchall() if fetch else []
    width = len(rows[0])
    limit = min(connection.features.max_query_params or _MAX_PARAMS, _MAX_PARAMS)
    per_statement = max(1, limit // max(1, width))
    one = "(" + ", ".join(["%s"] * width) + ")"
    out: list[tuple] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            cursor.execute(
                head + "VALUES " + ", ".join([one] * len(chunk)) + tail, [v for row in chunk for v in row]
            )
            if fetch:
                out.extend(cursor.fetchall())
    return out


def insert_instances(objs: Sequence[Model]) -> list[Model]:
    """Insert the unsaved instances ``objs`` of one model in their order, in as few statements as the
    database's limit of parameters allows, and set their primary keys. Returns ``objs``."""
    if not objs:
        return list(objs)
    model = type(objs[0])
    if not connection.features.can_return_rows_from_bulk_insert:
        return model.objects.bulk_create(objs)  # the ORM's own path (and its checks)
    fields, stamped, head, returning = _statement(model, connection.vendor)
    rows = prepare_rows(
        fields,
        [
            [f.pre_save(obj, True) if f.attname in stamped else getattr(obj, f.attname) for f in fields]
            for obj in objs
        ],
    )
    keys = [row[0] for row in insert_values(head, fields, rows, returning, fetch=bool(returning))]
    pk, alias = model._meta.pk.attname, connection.alias
    for obj, key in zip(objs, keys or [None] * len(objs), strict=True):
        if key is not None:
            setattr(obj, pk, key)
        obj._state.adding = False
        obj._state.db = alias
    return list(objs)
