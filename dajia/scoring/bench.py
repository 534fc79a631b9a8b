"""A small benchmark of the engine: tally + diagnostics (with leave-one-out) on deterministic generated data.

Run ``python -m dajia.scoring.bench`` to print the figures (``--decimal``: the scores as the database gives them).
"""

from __future__ import annotations

import random
import sys
import time
from decimal import Decimal
from fractions import Fraction

from dajia.scoring.diagnostics import diagnose
from dajia.scoring.engine import Criterion, Sheet, select, tally


def sample_session(
    evaluators: int = 200, projects: int = 100, criteria: int = 6, seed: int = 1, *, decimal: bool = False
) -> tuple[list[Criterion], list[Sheet], dict[str, Fraction], dict[str, Decimal], Decimal]:
    """Deterministic data: two weighted groups, evaluator leniency, project quality, ~1% conflicts.

    Scores are Fractions shared per value, as the sheet file reader gives them; with ``decimal`` each score is
    its own ``Decimal`` with one decimal place, as the Django bridge reads them from the database (the same
    values either way).
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible benchmark data, not a secret
    maxima = [Fraction(100 // criteria + (1 if i < 100 % criteria else 0)) for i in range(criteria)]
    rubric = [Criterion(f"评分项{i + 1}", m) for i, m in enumerate(maxima)]
    quality = [rng.uniform(0.45, 0.9) for _ in range(projects)]
    lenience = [rng.gauss(0, 0.05) for _ in range(evaluators)]
    score_values = {t: Fraction(t, 10) for t in range(0, 1001)}
    sheets: list[Sheet] = []
    line = 1
    for e in range(evaluators):
        group = "政协委员" if e < evaluators * 3 // 10 else "基层工会主席"
        for p in range(projects):
            if rng.random() < 0.01:
                continue
            line += 1
            scores = {}
            for c, maximum in zip(rubric, maxima, strict=True):
                level = min(1.0, max(0.0, quality[p] + lenience[e] + rng.gauss(0, 0.08)))
                tenths = round(level * int(maximum) * 10)
                scores[c.name] = Decimal(f"{tenths // 10}.{tenths % 10}") if decimal else score_values[tenths]
            sheets.append(Sheet(f"评委{e + 1:03d}", group, f"项目{p + 1:03d}", scores, line))
    weights = {"政协委员": Fraction(2, 5), "基层工会主席": Fraction(3, 5)}
    amounts = {f"项目{p + 1:03d}": Decimal(rng.randrange(50, 200) * 1000) for p in range(projects)}
    budget = sum(amounts.values(), Decimal(0)) * Decimal("0.3")
    return rubric, sheets, weights, amounts, budget


def bench_engine(
    evaluators: int = 200,
    projects: int = 100,
    criteria: int = 6,
    seed: int = 1,
    *,
    decimal: bool = False,
    runs: int = 3,
) -> dict[str, object]:
    """Milliseconds for tally + selection + diagnostics (incl. leave-one-out), best of ``runs`` runs."""
    rubric, sheets, weights, amounts, budget = sample_session(
        evaluators, projects, criteria, seed, decimal=decimal
    )
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        result = tally(rubric, sheets, group_weights=weights)
        select(result, budget=budget, amounts=amounts)
        diagnose(result, budget=budget, amounts=amounts)
        best = min(best, time.perf_counter() - start)
    return {"evaluators": evaluators, "projects": projects, "criteria": criteria, "ms": round(best * 1000, 1)}


if __name__ == "__main__":
    # The printed figure is the Fraction data (issue 17's target); --decimal measures the database's Decimals.
    print(bench_engine(decimal="--decimal" in sys.argv[1:]))
