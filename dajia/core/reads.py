"""Reads compiled once: a hot read's SQL built by the ORM on its first use, then run with other values (issue 12).

Why: the live session's batches — the viewers' supports, the evaluators' sheets — read the same shapes of
query on every batch (the sessions, the viewers, their supports, the sheets and their scores, the progress
counts, the audience index) inside SQLite's one queue of writers, where each millisecond bounds the rate of
every process. On the benchmark's machine building and compiling such a QuerySet took 0.3–0.5 ms (the
audience index's, with its two subqueries, more), and the database ran it in 0.03–0.07 ms. ``bulk`` and
``counters`` do the same for the writes.

:func:`compiled_read` wraps a function that builds a QuerySet from its arguments. For each shape of
arguments it calls the function once with stand-in values, compiles the query and notes where each stand-in
landed among the SQL's parameters; afterwards it puts the real values there, runs the SQL and turns the rows
into what the QuerySet would have returned — model instances (``Model.from_db``) or ``values_list`` tuples —
through the fields' own converters, as ``SQLCompiler.results_iter`` does.

Its limits are checked when a shape is compiled, never guessed: the arguments are ints, strings or
collections of either (a collection is padded to the next power of two by repeating a value, so its length
makes few shapes, and ``IN`` does not mind a repeat); each stand-in must reach the parameters exactly once and
unchanged (a lookup that rewrites its value, as ``icontains`` does, is refused); the QuerySet selects one
model's own columns (no ``select_related``, annotations or prefetching) or is a ``values_list``, not flat or
named, whose tuples come in the order of the SQL's columns, as Django 5.2 returns them. An empty collection
is answered by the ORM itself — what it means depends on the query (nothing under AND, no condition under
OR), and there is nothing to save. A read built with ``select_for_update`` keeps its ``FOR UPDATE`` and, as
the ORM requires, runs only inside a transaction.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, ValuesListIterable
from django.db.transaction import TransactionManagementError

# Each stand-in is one of these with its position among the arguments: an int far above any key the database
# hands out, a string no one types.
_STAND_IN = 7_300_000_000_000_000_000
_STAND_IN_TEXT = "\u27e6dajia.core.reads stand-in {}\u27e7"
_KINDS = (int, str)


@dataclass(frozen=True)
class _Shape:
    sql: str
    params: tuple
    slots: tuple[tuple[int, int, int], ...]  # (parameter index, argument index, element index or -1)
    converters: dict
    model: type[Model] | None  # instances of this model, or None: values_list tuples
    attnames: tuple[str, ...]
    locks: bool  # FOR UPDATE: the ORM's rule holds, inside a transaction only


def _padded(size: int) -> int:
    return 1 << (size - 1).bit_length()


def compiled_read(build: Callable[..., QuerySet]) -> Callable[..., list]:
    """``build(*args)`` as a read compiled once per shape of ``args`` (the module's docstring has the rules)."""
    shapes: dict[tuple, _Shape] = {}

    @functools.wraps(build)
    def read(*args: int | str | Iterable[int] | Iterable[str]) -> list:
        args = tuple(arg if type(arg) in _KINDS else list(arg) for arg in args)
        if any(arg == [] for arg in args):
            return list(build(*args))
        values: list = []
        key: list = [connection.alias, connection.vendor]
        for items in args:
            if type(items) in _KINDS:
                values.append(items)
                key.append(type(items))
                continue
            kind = type(items[0])
            if kind not in _KINDS or any(type(item) is not kind for item in items):
                raise TypeError(f"{build.__qualname__}: a compiled read takes ints or strings, got {items!r}")
            size = _padded(len(items))
            values.append(items + [items[-1]] * (size - len(items)))
            key.append((kind, size))
        shape = shapes.get(tuple(key))
        if shape is None:
            shape = shapes[tuple(key)] = _compile(build, key[2:])
        if shape.locks and not connection.in_atomic_block:
            raise TransactionManagementError(f"{build.__qualname__}: select_for_update outside a transaction")
        params = list(shape.params)
        for position, index, element in shape.slots:
            params[position] = values[index] if element < 0 else values[index][element]
        with connection.cursor() as cursor:
            cursor.execute(shape.sql, params)
            rows = cursor.fetchall()
        if shape.converters:
            rows = _converted(rows, shape.converters)
        if shape.model is None:
            return [tuple(row) for row in rows]
        alias = connection.alias
        return [shape.model.from_db(alias, shape.attnames, row) for row in rows]

    return read


def _converted(rows: list[tuple], converters: dict) -> list[list]:
    """``rows`` through the fields' converters, as ``SQLCompiler.apply_converters`` does, given this thread's
    connection. The backend's own converters are methods of the compiling thread's connection; they read its
    settings (the time zone), which every thread's connection shares, never its cursor."""
    steps = list(converters.items())
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself, not the proxy (``core.bulk.prepare_rows``)
    out = []
    for row in map(list, rows):
        for position, (functions, expression) in steps:
            value = row[position]
            for function in functions:
                value = function(value, expression, db)
            row[position] = value
        out.append(row)
    return out


def _stand_in(kind: type, number: int) -> int | str:
    return _STAND_IN + number if kind is int else _STAND_IN_TEXT.format(number)


def _compile(build: Callable[..., QuerySet], kinds: list) -> _Shape:
    name = build.__qualname__
    stand_ins: list = []
    wanted: dict[int | str, tuple[int, int]] = {}
    for index, kind in enumerate(kinds):
        if isinstance(kind, type):
            stand_ins.append(_stand_in(kind, len(wanted)))
            wanted[stand_ins[-1]] = (index, -1)
        else:
            kind, size = kind
            stand_ins.append([_stand_in(kind, len(wanted) + j) for j in range(size)])
            wanted.update({value: (index, j) for j, value in enumerate(stand_ins[-1])})
    queryset = build(*stand_ins)
    query = queryset.query
    if queryset._prefetch_related_lookups or query.extra_select:
        raise ValueError(f"{name}: a compiled read does not prefetch or select extra columns")
    compiler = query.get_compiler(connection.alias)
    locks = bool(query.select_for_update and connection.features.has_select_for_update)
    sql, params = compiler.as_sql()
    slots = [
        (position, *wanted[param])
        for position, param in enumerate(params)
        if type(param) in _KINDS and param in wanted
    ]
    if sorted(slot[1:] for slot in slots) != sorted(wanted.values()):
        raise ValueError(f"{name}: each argument must reach the SQL's parameters once and unchanged")
    columns = [column[0] for column in compiler.select[: compiler.col_count]]
    if compiler.has_extra_select or compiler.has_composite_fields(columns):
        raise ValueError(f"{name}: a compiled read selects plain columns only")
    converters = compiler.get_converters(columns)
    if queryset._iterable_class is ValuesListIterable:
        return _Shape(sql, tuple(params), tuple(slots), converters, None, (), locks)
    if queryset._iterable_class is not ModelIterable or compiler.annotation_col_map:
        raise ValueError(f"{name}: a compiled read returns model instances or values_list tuples")
    info = compiler.klass_info
    if info.get("related_klass_infos") or info["select_fields"] != list(range(len(columns))):
        raise ValueError(f"{name}: a compiled read selects one model's own columns")
    attnames = tuple(column.target.attname for column in columns)
    return _Shape(sql, tuple(params), tuple(slots), converters, info["model"], attnames, locks)
