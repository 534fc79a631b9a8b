"""Operations commands: ``dajia backup FILE`` and ``dajia restore FILE`` (``dajia serve`` is in cli_serve)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dajia.settings")
    import django

    django.setup()
    from django.db import connections

    return connections["default"].settings_dict


def _backup(args: argparse.Namespace) -> int:
    from dajia.core.backup import BackupError, backup

    try:
        path = backup(_django(), Path(args.file))
    except (BackupError, OSError) as e:
        print(f"备份失败 / backup failed: {e}", file=sys.stderr)
        return 2
    print(f"已备份到 / backed up to {path}")
    return 0


def _restore(args: argparse.Namespace) -> int:
    from dajia.core.backup import BackupError, restore

    if not args.yes:
        print(
            "恢复会覆盖当前数据库，请加 --yes 确认 / restore replaces the database: add --yes",
            file=sys.stderr,
        )
        return 2
    try:
        restore(_django(), Path(args.file))
    except (BackupError, OSError) as e:
        print(f"恢复失败 / restore failed: {e}", file=sys.stderr)
        return 2
    print("已恢复 / restored")
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("backup", help="备份数据库 / back up the database")
    p.add_argument("file")
    p.set_defaults(func=_backup)
    p = sub.add_parser("restore", help="从备份恢复数据库 / restore the database from a backup")
    p.add_argument("file")
    p.add_argument("--yes", action="store_true", help="确认覆盖 / confirm replacing the database")
    p.set_defaults(func=_restore)
