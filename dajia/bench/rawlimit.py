"""The raw-limit baseline: the least an ASGI server can do per write, to measure the server stack against.

One POST = one row inserted and committed, nothing else: no framework, no validation, no audit. Served by the
same uvicorn with the same number of workers as Dajia, it tells what this machine can write at best, so that
``ingestion ÷ raw limit`` says how much of that Dajia's real write path keeps.

SQLite (WAL, ``synchronous=NORMAL`` as Dajia's settings) by default; with ``DAJIA_RAW_DATABASE_URL`` set to a
``postgres://`` URL it inserts into PostgreSQL instead (one connection per worker process).

Run: ``DAJIA_RAW_SQLITE=/tmp/raw.sqlite3 uvicorn dajia.bench.rawlimit:app --workers 2``.
"""

from __future__ import annotations

import os
import sqlite3
import threading

_local = threading.local()
_SQL_CREATE = (
    "CREATE TABLE IF NOT EXISTS raw_write (id INTEGER PRIMARY KEY, k TEXT NOT NULL, body TEXT NOT NULL)"
)


def _sqlite() -> sqlite3.Connection:
    conn = getattr(_local, "conn", None)
    if conn is None:
        path = os.environ.get("DAJIA_RAW_SQLITE", "raw.sqlite3")
        conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(_SQL_CREATE)
        _local.conn = conn
    return conn


def _pg():
    conn = getattr(_local, "pg", None)
    if conn is None:
        import psycopg

        conn = psycopg.connect(os.environ["DAJIA_RAW_DATABASE_URL"], autocommit=True)
        conn.execute(
            "CREATE TABLE IF NOT EXISTS raw_write (id BIGSERIAL PRIMARY KEY, k TEXT NOT NULL, body TEXT NOT NULL)"
        )
        _local.pg = conn
    return conn


def setup(database_url: str = "", sqlite_path: str = "") -> None:
    """Create the table (the harness calls it before starting the server)."""
    if database_url:
        os.environ["DAJIA_RAW_DATABASE_URL"] = database_url
        _pg()
    else:
        os.environ["DAJIA_RAW_SQLITE"] = sqlite_path
        _sqlite()


def count(database_url: str = "", sqlite_path: str = "") -> int:
    if database_url:
        import psycopg

        with psycopg.connect(database_url) as conn:
            return conn.execute("SELECT count(*) FROM raw_write").fetchone()[0]
    with sqlite3.connect(sqlite_path) as conn:
        return conn.execute("SELECT count(*) FROM raw_write").fetchone()[0]


_OK = {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]}


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    if scope["method"] == "POST":
        key = scope["path"]
        if os.environ.get("DAJIA_RAW_DATABASE_URL"):
            _pg().execute("INSERT INTO raw_write (k, body) VALUES (%s, %s)", (key, body.decode()))
        else:
            _sqlite().execute("INSERT INTO raw_write (k, body) VALUES (?, ?)", (key, body.decode()))
    await send(_OK)
    await send({"type": "http.response.body", "body": b'{"ok":true}'})
