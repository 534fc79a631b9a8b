"""The engine's results as files: the canonical sheet file and its digest (what a published result carries,
so an auditor can recompute it from the office's export) and the result JSON ``dajia tally --json`` prints.

Kept apart from the arithmetic in :mod:`dajia.scoring.engine`, which re-exports these names; the byte-exact rules
(field quoting, one decimal per score, trailing zeros) are PRODUCT.md's and are stated beside each function.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise
from typing import TYPE_CHECKING

from dajia.scoring.grammar import cell_text
from dajia.scoring.numbers import _tenths_text, decimal_text, round_half_up
from dajia.scoring.validation import Criterion, ScoringError, Sheet, _validate

if TYPE_CHECKING:
    from dajia.scoring.engine import TallyResult


# ----------------------------------------------------------------------------------------------------
# Canonical sheet file and digest


def _csv_field(text: str) -> str:
    if any(c in text for c in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def canonical_table(
    criteria: Sequence[Criterion], sheets: Iterable[Sheet]
) -> tuple[list[str], list[tuple[str, str, str, tuple[int, ...]]]]:
    """The canonical header and rows (evaluator, group, project, scores in tenths) of the counted sheets.

    Shared by :func:`canonical_sheet_file` and the XLSX writer so both list the same rows in the same order.
    Text fields are NFKC-normalised and trimmed exactly as the reader does, so reading the file back and
    writing it again gives the same bytes — and therefore the same digest.
    """
    _, checked = _validate(criteria, sheets, None)
    header = ["evaluator", "group", "project"]
    header += [f"{cell_text(c.name)}({decimal_text(c.max)})" for c in criteria]
    rows = [
        (cell_text(sheet.evaluator), cell_text(sheet.group or ""), cell_text(sheet.project), values)
        for sheet, values in zip(checked.counted, checked.values(), strict=True)
    ]
    rows.sort(key=lambda row: (row[2], row[0]))
    for before, after in pairwise(rows):
        if (before[0], before[2]) == (after[0], after[2]):
            # Names that differ only in width or surrounding spaces are one name once read back from the file.
            raise ScoringError(
                "duplicate_sheet",
                f"评委「{after[0]}」对项目「{after[2]}」有两张评分表",
                f"evaluator {after[0]!r} has two sheets for project {after[2]!r}",
            )
    return header, rows


def canonical_sheet_file(criteria: Sequence[Criterion], sheets: Iterable[Sheet]) -> str:
    """The canonical sheet file of the counted sheets (incomplete ones are left out), per PRODUCT.md.

    Header ``evaluator,group,project`` then ``name(max)`` per criterion in rubric order (maxima without a
    trailing ``.0``); rows sorted by project then evaluator in code point order; each score with exactly one
    decimal; a field quoted only when it holds a comma, a quote or a line break; ``\\n`` after every line, the
    last included.
    """
    header, rows = canonical_table(criteria, sheets)
    lines = [",".join(_csv_field(h) for h in header)]
    for evaluator, group, project, values in rows:
        fields = [evaluator, group, project, *(_tenths_text(v) for v in values)]
        lines.append(",".join(_csv_field(f) for f in fields))
    return "\n".join(lines) + "\n"


def digest(criteria: Sequence[Criterion], sheets: Iterable[Sheet]) -> str:
    """SHA-256 (hex) of the canonical sheet file in UTF-8 without BOM — what a published result carries, so an
    auditor can recompute it from the office's export."""
    return hashlib.sha256(canonical_sheet_file(criteria, sheets).encode("utf-8")).hexdigest()


# ----------------------------------------------------------------------------------------------------
# JSON


def result_payload(result: TallyResult) -> dict[str, object]:
    """The result as ``dajia tally --json`` prints it (Decimals for scores; criterion keys without
    ``(max)``)."""
    return {
        "method": result.method,
        "trim_min": result.trim_min,
        "projects": [
            {
                "project": p.project,
                "score": p.score,
                "rank": p.rank,
                "tied": p.tied,
                "evaluators": p.evaluators,
                "groups": dict(p.groups),
                "criteria": dict(p.criteria),
            }
            for p in result.projects
        ],
    }


def _json_decimal(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _json(value: object, indent: int, level: int) -> str:
    pad = "\n" + " " * (indent * (level + 1))
    end = "\n" + " " * (indent * level)
    if isinstance(value, Decimal):
        return _json_decimal(value)
    if isinstance(value, Fraction):
        return _json_decimal(round_half_up(value))
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        items = [
            f"{json.dumps(str(k), ensure_ascii=False)}: {_json(v, indent, level + 1)}"
            for k, v in value.items()
        ]
        return "{" + pad + ("," + pad).join(items) + end + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        return "[" + pad + ("," + pad).join(_json(v, indent, level + 1) for v in value) + end + "]"
    return json.dumps(value, ensure_ascii=False)


def result_json(result: TallyResult, *, indent: int = 2) -> str:
    """The JSON text of :func:`result_payload`; scores are written from their decimal text (80.5, not
    80.500001), trailing zeros dropped, so the number's value is exactly the rounded figure."""
    return _json(result_payload(result), indent, 0)
