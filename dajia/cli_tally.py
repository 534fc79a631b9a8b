"""``dajia tally FILE``: re-compute a result from a sheet file, with the engine the web pages use.

An auditor holding the office's export (worksheet 评分明细, or the canonical CSV) can check a published
result: same scores and ranks to the cent, and the SHA-256 digest printed here must equal the published one.

Exit status: 0 with the result; 2 for invalid input (bad score, duplicate sheet, evaluator in two groups,
group without a weight, ``--trim-min`` below 3, missing column, unreadable or non-UTF-8 file, bad
``--group-weight``), with the line number where there is one and the reason on stderr, Chinese first, then
English — and nothing on stdout, so a script never mistakes a refusal for a result.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from fractions import Fraction
from typing import Any, TextIO

from dajia.scoring.engine import (
    DEFAULT_TRIM_MIN,
    METHODS,
    MIN_TRIM_MIN,
    ScoringError,
    TallyResult,
    decimal_text,
    digest,
    parse_weight,
    result_json,
    tally,
)
from dajia.scoring.grammar import cell_text
from dajia.scoring.sheetfile import read_sheet_file

__all__ = ["add_parser", "run_tally"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register the ``tally`` subcommand on an ``argparse`` subparsers object; it runs :func:`run_tally`."""
    parser = subparsers.add_parser(
        "tally",
        help="按评分明细文件重新计分 / re-tally a sheet file",
        description=(
            "按评分明细文件（CSV UTF-8 或 XLSX）重新计算结果，与网页使用同一计分引擎。"
            " / Re-compute a result from a sheet file (UTF-8 CSV or XLSX) with the engine the web pages use."
        ),
    )
    parser.add_argument("file", metavar="FILE", help="评分明细文件 .csv / .xlsx / the sheet file")
    parser.add_argument(
        "--method",
        default="trimmed",
        metavar="{trimmed,mean,median}",
        help="计分方法（默认 trimmed：去掉一个最高分和一个最低分）/ aggregation method (default trimmed)",
    )
    parser.add_argument(
        "--trim-min",
        default=None,
        metavar="N",
        help=f"至少 N 张评分表才去掉最高最低分（默认 {DEFAULT_TRIM_MIN}，不小于 {MIN_TRIM_MIN}）"
        f" / trim only with at least N sheets (default {DEFAULT_TRIM_MIN}, at least {MIN_TRIM_MIN})",
    )
    parser.add_argument(
        "--group-weight",
        action="append",
        default=[],
        metavar="NAME=W",
        help="分组权重，每个分组一次，W 为正小数 / a group's weight, once per group, W a positive decimal",
    )
    parser.add_argument("--json", action="store_true", help="输出 JSON / print JSON")
    parser.set_defaults(func=run_tally)
    return parser


def _trim_min(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_TRIM_MIN
    text = cell_text(raw)
    if not text.isascii() or not text.isdigit() or int(text) < MIN_TRIM_MIN:
        raise ScoringError(
            "bad_trim_min",
            f"--trim-min 必须是不小于 {MIN_TRIM_MIN} 的整数（当前为「{raw}」）",
            f"--trim-min must be an integer of at least {MIN_TRIM_MIN} (got {raw!r})",
        )
    return int(text)


def _method(raw: str) -> str:
    if raw not in METHODS:
        raise ScoringError(
            "bad_method",
            f"--method 只能是 trimmed、mean 或 median（当前为「{raw}」）",
            f"--method must be trimmed, mean or median (got {raw!r})",
        )
    return raw


def _weights(items: list[str]) -> dict[str, Fraction] | None:
    """Parse ``--group-weight NAME=W``: NAME read like the file's cells (NFKC, trimmed), W exactly."""
    if not items:
        return None
    weights: dict[str, Fraction] = {}
    for item in items:
        name, sign, value = item.rpartition("=")
        name = cell_text(name)
        if not sign or not name:
            raise ScoringError(
                "bad_weight",
                f"--group-weight 应写作 分组名=权重（如 政协委员=0.4），当前为「{item}」",
                f"--group-weight must be NAME=W (e.g. 政协委员=0.4), got {item!r}",
            )
        if name in weights:
            raise ScoringError(
                "bad_weight",
                f"分组「{name}」的权重给了两次",
                f"the weight of group {name!r} is given twice",
            )
        weights[name] = parse_weight(value)
    return weights


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(rows: list[list[str]], right: set[int]) -> str:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            gap = " " * (widths[i] - _width(cell))
            cells.append(gap + cell if i in right else cell + gap)
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def format_table(result: TallyResult) -> str:
    """The human-readable result: settings, digest, then one row per ranked project."""
    lines = [f"计分方法 method: {result.method}（trim_min {result.trim_min}）"]
    if result.group_weights:
        weights = ", ".join(f"{name}={decimal_text(w)}" for name, w in result.group_weights.items())
        lines.append(f"分组权重 group weights: {weights}")
    lines.append(
        f"计入评分表 counted sheets: {len(result.counted)}；不完整 incomplete: {len(result.incomplete)}"
    )
    lines.append(f"评分明细摘要 SHA-256 digest: {digest(result.criteria, result.counted)}")
    lines.append("")
    if not result.projects:
        lines.append("没有计入的评分表，无排名 / no counted sheet, nothing to rank")
        return "\n".join(lines) + "\n"
    groups = sorted({g for p in result.projects for g in p.groups})
    criteria = [c.name for c in result.criteria]
    rows = [["排名", "项目", "得分", "评委数", "并列", *groups, *criteria]]
    for p in result.projects:
        rows.append(
            [
                str(p.rank),
                p.project,
                str(p.score),
                str(p.evaluators),
                "是" if p.tied else "",
                *(str(p.groups[g]) if g in p.groups else "—" for g in groups),
                *(str(p.criteria[c]) for c in criteria),
            ]
        )
    right = {0, 2, 3, *range(5, len(rows[0]))}
    lines.append(_table(rows, right))
    if any(p.tied for p in result.projects):
        lines.append("")
        lines.append("并列项目按名称排列；先后顺序由主持人决定并记录理由")
        lines.append("tied projects are listed by name; a tie-break is the chair's recorded decision")
    return "\n".join(lines) + "\n"


def _write(stream: TextIO, text: str) -> None:
    """Write text even when the console's encoding cannot hold Chinese (then as UTF-8 bytes)."""
    try:
        stream.write(text)
    except UnicodeEncodeError:
        stream.flush()
        stream.buffer.write(text.encode("utf-8"))  # type: ignore[attr-defined]
    stream.flush()


def run_tally(args: argparse.Namespace) -> int:
    """Run ``dajia tally``; returns the exit status (0 result, 2 invalid input)."""
    try:
        method = _method(args.method)
        trim_min = _trim_min(args.trim_min)
        weights = _weights(args.group_weight)
        sheet_file = read_sheet_file(args.file)
        result = tally(
            sheet_file.criteria, sheet_file.sheets, method=method, trim_min=trim_min, group_weights=weights
        )
        output = result_json(result) + "\n" if args.json else format_table(result)
    except ScoringError as error:
        _write(sys.stderr, f"错误：{error.text_zh}\nerror: {error.text_en}\n")
        return 2
    notes = []
    for sheet in result.incomplete:
        where_zh = f"第 {sheet.line} 行：" if sheet.line is not None else ""
        where_en = f"line {sheet.line}: " if sheet.line is not None else ""
        notes.append(
            f"{where_zh}评委「{sheet.evaluator}」对项目「{sheet.project}」的评分表不完整，未计入"
            f" / {where_en}the sheet of {sheet.evaluator!r} for {sheet.project!r} is incomplete, not counted"
        )
    for project in result.unranked:
        notes.append(
            f"项目「{project}」没有计入的评分表，未排名"
            f" / project {project!r} has no counted sheet and is not ranked"
        )
    if notes:
        _write(sys.stderr, "".join(f"注意 note: {note}\n" for note in notes))
    _write(sys.stdout, output)
    return 0
