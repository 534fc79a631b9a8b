"""How often the category suggestion is right, on the hand-labelled needs kept with the tests.

``python -m dajia.needs.bench`` prints the figures; :func:`bench_suggest` returns them (``make bench``).
It needs no database: it uses the default categories and keyword lists, as ``dajia needs suggest`` does.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from dajia.needs.suggest import Suggester, default_categories, default_suggester

LABELLED = Path(__file__).resolve().parent / "tests" / "data" / "labelled_needs.tsv"
HOLDOUT_MARKER = "# held-out"


@dataclass(frozen=True)
class Labelled:
    code: str
    text: str
    held_out: bool


def load_labelled(path: Path = LABELLED) -> list[Labelled]:
    """``category name<TAB>need`` lines; ``#`` lines are comments; lines after ``# held-out`` are flagged."""
    codes = {c.name: c.code for c in default_categories()}
    out: list[Labelled] = []
    held_out = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith(HOLDOUT_MARKER):
            held_out = True
            continue
        if not line.strip() or line.startswith("#"):
            continue
        name, sep, text = line.partition("\t")
        if not sep or name not in codes or not text.strip():
            raise ValueError(f"{path.name}:{number}: expected '<category name>\\t<need>', got {line!r}")
        out.append(Labelled(codes[name], text.strip(), held_out))
    return out


def _accuracy(suggester: Suggester, items: list[Labelled]) -> tuple[int, int]:
    correct = 0
    for item in items:
        s = suggester.suggest(item.text)
        correct += bool(s and s.code == item.code)
    return len(items), correct


def bench_suggest() -> dict:
    """{"labelled": n, "correct": k, "accuracy": k/n} on the whole labelled set, plus the held-out part, the
    keyword-lists-only baseline (no starter vocabulary), per-category accuracy and the time per need."""
    items = load_labelled()
    suggester = default_suggester()
    suggester.suggest("预热")  # load jieba's dictionary before timing
    start = time.perf_counter()
    n, k = _accuracy(suggester, items)
    elapsed = time.perf_counter() - start
    held = [i for i in items if i.held_out]
    hn, hk = _accuracy(suggester, held)
    bn, bk = _accuracy(Suggester(default_categories(), starter=False), items)
    per: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for item in items:
        s = suggester.suggest(item.text)
        per[item.code] += 1
        right[item.code] += bool(s and s.code == item.code)
    return {
        "labelled": n,
        "correct": k,
        "accuracy": k / n if n else 0.0,
        "held_out_labelled": hn,
        "held_out_correct": hk,
        "held_out_accuracy": hk / hn if hn else None,
        "keywords_only_accuracy": bk / bn if bn else 0.0,
        "per_category": {code: round(right[code] / per[code], 3) for code in per},
        "ms_per_need": round(elapsed * 1000 / n, 3) if n else 0.0,
    }


def misses() -> list[tuple[str, str, str]]:
    """(expected, suggested, text) for every labelled need the suggestion gets wrong (a tuning aid)."""
    suggester = default_suggester()
    out = []
    for item in load_labelled():
        s = suggester.suggest(item.text)
        if not s or s.code != item.code:
            out.append((item.code, s.code if s else "-", item.text))
    return out


if __name__ == "__main__":  # pragma: no cover - a command-line aid
    print(json.dumps(bench_suggest(), ensure_ascii=False, indent=2))
