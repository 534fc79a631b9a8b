"""``dajia needs suggest FILE``: suggest a service category for each need in a file, without a database.

FILE is a text file with one need per line (UTF-8), or an .xlsx whose first column holds the needs (a header
cell such as 需求内容 is skipped). One line is printed per need: ``<category>\\t<need text>``, the category
being its Chinese name (未分类 when nothing in the text points at one). The suggestion is the web page's, with
the default categories and keyword lists of ``dajia/menu/defaults.py`` (nothing the office edited or taught).

Exit status: 0 with the lines; 2 when the file cannot be read (missing, not UTF-8, not an xlsx), with the reason
on stderr, Chinese first, then English.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

__all__ = ["UNCLASSIFIED", "add_parser", "run_suggest"]

UNCLASSIFIED = "未分类"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``needs`` (with its ``suggest`` subcommand) on an ``argparse`` subparsers object."""
    parser = subparsers.add_parser(
        "needs",
        help="职工需求工具 / needs tools",
        description="职工需求工具 / tools for workers' needs",
    )
    sub = parser.add_subparsers(dest="needs_command", metavar="COMMAND")
    suggest = sub.add_parser(
        "suggest",
        help="为每条需求推荐服务类别 / suggest a service category for each need",
        description=(
            "为文件中的每条需求推荐服务类别（默认类别和关键词，无需数据库），每行输出“类别<TAB>需求”。"
            " / Suggest a service category for each need in FILE (default categories and keywords, no database);"
            " prints '<category>\\t<need>' per need."
        ),
    )
    suggest.add_argument(
        "file",
        metavar="FILE",
        help="每行一条需求的文本文件，或第一列为需求的 .xlsx / a text file or an .xlsx",
    )
    suggest.set_defaults(func=run_suggest)
    parser.set_defaults(func=lambda args: (parser.print_help(), 0)[1])
    return parser


def _write(stream: TextIO, text: str) -> None:
    try:
        stream.write(text)
    except UnicodeEncodeError:
        stream.flush()
        stream.buffer.write(text.encode("utf-8"))  # type: ignore[attr-defined]
    stream.flush()


def suggest_lines(texts: list[str]) -> list[str]:
    from dajia.needs.suggest import default_suggester

    suggester = default_suggester()
    out = []
    for text in texts:
        one_line = " ".join(text.split())
        s = suggester.suggest(one_line)
        out.append(f"{s.name if s else UNCLASSIFIED}\t{one_line}")
    return out


def run_suggest(args: argparse.Namespace) -> int:
    from dajia.needs.imports import NeedFileError, need_texts

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as e:
        _write(
            sys.stderr,
            f"错误：无法读取文件 {path}（{e.strerror}）\nerror: cannot read {path}: {e.strerror}\n",
        )
        return 2
    try:
        texts = need_texts(data, path.name)
    except NeedFileError as e:
        zh, _sep, en = str(e).partition(" / ")
        _write(sys.stderr, f"错误：{zh}\nerror: {en or zh}\n")
        return 2
    lines = suggest_lines(texts)
    _write(sys.stdout, "".join(line + "\n" for line in lines))
    return 0
