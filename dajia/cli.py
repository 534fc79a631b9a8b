"""The ``dajia`` command: the office's tools outside the browser.

``dajia tally FILE`` re-computes a result from a sheet file with the same engine the web pages use.
Django's management commands stay reachable as ``dajia manage ...``.
"""

from __future__ import annotations

import argparse
import os
import sys
from importlib import import_module

# Each module adds its subcommands with ``add_parser(subparsers)``; the tally and needs commands need no
# database, so they are plain Python on top of the pure engines.
COMMAND_MODULES = ["dajia.cli_tally", "dajia.cli_needs", "dajia.cli_ops", "dajia.cli_serve"]


def _manage(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dajia.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["dajia manage", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dajia",
        description="大家 Dajia — 工会购买服务协商平台命令行 / trade-union service purchasing command line",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        try:
            module = import_module(module_name)
        except ModuleNotFoundError as e:
            if e.name != module_name:
                raise
            continue
        module.add_parser(sub)
    manage = sub.add_parser("manage", help="运行 Django 管理命令 / run a Django management command")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
