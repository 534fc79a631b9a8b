"""Small builders shared by the scoring tests."""

from __future__ import annotations

from fractions import Fraction

from dajia.scoring.engine import Criterion, Sheet

SEED_RUBRIC = [
    Criterion("内容实用有效", Fraction(30)),
    Criterion("方式方法新颖", Fraction(25)),
    Criterion("成熟度吸引力", Fraction(25)),
    Criterion("受众接纳参与", Fraction(20)),
]

ONE = [Criterion("总分", Fraction(100))]


def sheet(
    evaluator: str, project: str, *scores: str | None, group: str = "", line: int | None = None
) -> Sheet:
    """A sheet over ``SEED_RUBRIC`` (or ``ONE`` when one score is given); scores as decimal text or None."""
    rubric = ONE if len(scores) == 1 else SEED_RUBRIC
    values = {c.name: (None if s is None else Fraction(s)) for c, s in zip(rubric, scores, strict=True)}
    return Sheet(evaluator, group, project, values, line)


def totals(project: str, *values: str, group: str = "", prefix: str = "e") -> list[Sheet]:
    """One single-criterion sheet per total, evaluators named ``{prefix}1``, ``{prefix}2`` …"""
    return [sheet(f"{prefix}{i + 1}", project, v, group=group) for i, v in enumerate(values)]
