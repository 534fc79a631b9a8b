"""The benchmark's databases: the production settings on a throw-away database, a fresh migrated one, the
generated data, and copies of it so that repeated runs each start from the same data without generating it
again (``clone_database``)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from dajia.bench import common
from dajia.bench.common import BenchError


def server_env(db: dict, *, redis_url: str = "", prefix: str = "") -> dict[str, str]:
    """The production settings, on the benchmark's database (``db``: DAJIA_SQLITE_PATH or DATABASE_URL)."""
    return {
        "DJANGO_SETTINGS_MODULE": "dajia.bench.settings",
        "DAJIA_DEBUG": "0",
        "DAJIA_TESTING": "",
        "DAJIA_SECRET_KEY": "bench-only-secret-key-for-a-throw-away-database",
        "DAJIA_SSL_REDIRECT": "0",
        "DAJIA_HTTPS": "0",
        "DAJIA_LOG_LEVEL": "WARNING",
        "REDIS_URL": redis_url,
        "DAJIA_BENCH_REDIS_PREFIX": prefix,
        "DATABASE_URL": db.get("DATABASE_URL", ""),
        "DAJIA_SQLITE_PATH": db.get("DAJIA_SQLITE_PATH", ""),
        "PYTHONUNBUFFERED": "1",
    }


def fresh_database(kind: str, name: str, build: Path, pg_url: str) -> dict:
    """A new, migrated database for one benchmark: a SQLite file under build/bench, or a PostgreSQL database."""
    if kind == "sqlite":
        path = build / f"{name}-bench.sqlite3"
        for suffix in ("", "-wal", "-shm", ".fastpath-lock"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        db = {"DAJIA_SQLITE_PATH": str(path)}
    else:
        import psycopg

        admin, database, parts = _pg_admin(pg_url)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (database,)
            )
            conn.execute(f'DROP DATABASE IF EXISTS "{database}"')
            conn.execute(f'CREATE DATABASE "{database}"')
        db = {"DATABASE_URL": parts._replace(path=f"/{database}").geturl()}
    common.manage(["migrate", "--noinput", "-v", "0"], server_env(db))
    return db


def generate(db: dict, args_list: list[str], fixture: Path) -> dict:
    common.manage(["bench_generate", *args_list, "--fixture", str(fixture)], server_env(db), timeout=1800)
    return json.loads(fixture.read_text(encoding="utf-8"))


def _pg_admin(url: str):
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    database = parts.path.lstrip("/")
    if "bench" not in database:
        raise BenchError(f"refusing to drop a database whose name lacks 'bench': {database}")
    return urlunsplit(parts._replace(path="/postgres")), database, parts


def clone_database(db: dict, name: str, build: Path) -> dict:
    """A copy of the generated database ``db`` for one run: SQLite's online backup into a new file, or a
    PostgreSQL database created from it as a template."""
    if "DAJIA_SQLITE_PATH" in db:
        path = build / f"{name}-bench.sqlite3"
        for suffix in ("", "-wal", "-shm", ".fastpath-lock"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        with sqlite3.connect(db["DAJIA_SQLITE_PATH"]) as source, sqlite3.connect(path) as target:
            source.backup(target)
        return {"DAJIA_SQLITE_PATH": str(path)}
    import psycopg

    admin, template, parts = _pg_admin(db["DATABASE_URL"])
    database = f"{template}_{name}".replace("-", "_")
    with psycopg.connect(admin, autocommit=True) as conn:
        for victim in (database, template):
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (victim,)
            )
        conn.execute(f'DROP DATABASE IF EXISTS "{database}"')
        conn.execute(f'CREATE DATABASE "{database}" TEMPLATE "{template}"')
    return {"DATABASE_URL": parts._replace(path=f"/{database}").geturl()}
