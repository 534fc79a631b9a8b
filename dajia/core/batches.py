"""Running a batch service for the ASGI edge's writer thread (``dajia.live.edge`` imports no database code,
so what a batch needs of the database around the service lives here, once): the queue of SQLite's writers,
a batch that fails on the database closing its connection so that the next batch opens a new one, and the
language each request of a batch is answered in.

The writes themselves are the services' (``services_sheets.sheets_submit``, ``services_supports.supports_add``).
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from django.db import DatabaseError, connection
from django.utils import translation

logger = logging.getLogger(__name__)
T = TypeVar("T")

_lock_fd: int | None = None


@contextlib.contextmanager
def _sqlite_queue():
    """On SQLite, the writers of all worker processes queue on an OS file lock before taking the database's
    write lock: the kernel wakes the next one the moment the lock is free, where SQLite's busy handler would
    sleep and poll (1, 2, 5, 10… ms), leaving the database idle in between."""
    global _lock_fd
    if connection.vendor != "sqlite":
        yield
        return
    if _lock_fd is None:
        name = str(connection.settings_dict["NAME"])
        _lock_fd = os.open(f"{name}.fastpath-lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(_lock_fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(_lock_fd, fcntl.LOCK_UN)


def speaking(language: str | None):
    """The translations of one request of a batch: ``language`` activated for the block, unless it is already
    the active one (most requests of a batch share it, and each activation costs a context-local write that a
    profile of a 256-support batch showed at about 8 % of its time)."""
    if not language or language == translation.get_language():
        return contextlib.nullcontext()
    return translation.override(language)


def each_speaking(items: Iterable[T], language: Callable[[T], str | None]) -> Iterator[T]:
    """Each of ``items`` with the language ``language(item)`` names active (:func:`speaking`), activated once
    per run of items in the same language rather than once per item: the requests of a batch mostly share
    one, and even the check that a language is already active costs a context-local read (a profile of a
    batch of 64 supports: 320 checks, 7 % of the batch)."""
    for lang, run in itertools.groupby(items, key=language):
        with speaking(lang):
            yield from run


def run_batch(call: Callable[[], T], *, queued: bool = True) -> T | None:
    """``call()`` (a batch service and the reads it needs, in SQLite's writers' queue), or None when the
    database failed — the transaction was rolled back, so nothing was written and Django may serve each
    request. The answers are built from its outcomes after it returns: they read no database, and the queue
    is then free for the next writer. With ``queued=False`` ``call`` only reads (what the requests name,
    before the batch): it runs beside the other processes' writers, as any reader does on WAL, rather than
    in the queue — on SQLite the queue is held by one process at a time, so whatever runs in it bounds every
    process's rate."""
    try:
        with _sqlite_queue() if queued else contextlib.nullcontext():
            return call()
    except DatabaseError:
        logger.warning("batch: the database failed; Django takes the requests", exc_info=True)
        close_connection()  # a broken connection is replaced on the next batch
        return None


def close_connection() -> None:
    """Close this thread's database connection (the next query opens a new one)."""
    connection.close()
