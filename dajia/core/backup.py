"""Backup and restore of the whole database.

SQLite: the online backup API, so a backup taken while the server runs is consistent. PostgreSQL: ``pg_dump``
in its custom format and ``pg_restore`` (both from the PostgreSQL client package).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path


class BackupError(RuntimeError):
    pass


def _pg_env(db: dict) -> dict:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def _pg_args(db: dict) -> list[str]:
    args = []
    if db.get("HOST"):
        args += ["-h", db["HOST"]]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", db["USER"]]
    return args


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(
            f"找不到 {name}，请安装 PostgreSQL 客户端 / {name} not found: install the PostgreSQL client"
        )
    return path


def backup(db: dict, target: Path) -> Path:
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if db["ENGINE"].endswith("sqlite3"):
        source = sqlite3.connect(db["NAME"])
        dest = sqlite3.connect(target)
        try:
            with dest:
                source.backup(dest)
        finally:
            dest.close()
            source.close()
        return target
    if db["ENGINE"].endswith("postgresql"):
        subprocess.run(  # noqa: S603 - fixed tool, arguments from settings
            [_tool("pg_dump"), *_pg_args(db), "-Fc", "--no-owner", "-f", str(target), db["NAME"]],
            check=True,
            env=_pg_env(db),
            capture_output=True,
        )
        return target
    raise BackupError(f"不支持的数据库 / unsupported database engine: {db['ENGINE']}")


def restore(db: dict, source: Path) -> None:
    """Replace the database's contents with the backup's (the target should be empty or disposable)."""
    source = Path(source)
    if not source.exists():
        raise BackupError(f"备份文件不存在 / backup file not found: {source}")
    if db["ENGINE"].endswith("sqlite3"):
        src = sqlite3.connect(source)
        dest = sqlite3.connect(db["NAME"])
        try:
            with dest:
                src.backup(dest)
        finally:
            dest.close()
            src.close()
        return
    if db["ENGINE"].endswith("postgresql"):
        subprocess.run(  # noqa: S603 - fixed tool, arguments from settings
            [
                _tool("pg_restore"),
                *_pg_args(db),
                "--clean",
                "--if-exists",
                "--no-owner",
                "-d",
                db["NAME"],
                str(source),
            ],
            check=True,
            env=_pg_env(db),
            capture_output=True,
        )
        return
    raise BackupError(f"不支持的数据库 / unsupported database engine: {db['ENGINE']}")
