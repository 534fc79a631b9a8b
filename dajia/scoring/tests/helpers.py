"""Small builders shared by the scoring tests."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

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


GROUPS = ("政协委员", "基层工会主席", "G3")
PROJECTS = ("P1", "P2", "项目3", "b", "Ａ")


@st.composite
def sessions(draw: st.DrawFn) -> tuple[list[Criterion], list[Sheet], dict[str, Fraction]]:
    maxima = draw(st.lists(st.sampled_from(["5", "10", "12.5", "25"]), min_size=1, max_size=3))
    criteria = [Criterion(f"c{i}", Fraction(m)) for i, m in enumerate(maxima)]
    evaluators = [f"e{i}" for i in range(draw(st.integers(1, 8)))]
    projects = draw(st.lists(st.sampled_from(PROJECTS), min_size=1, max_size=4, unique=True))
    group_of = {e: draw(st.sampled_from(GROUPS)) for e in evaluators}
    sheets = []
    for e in evaluators:
        for p in projects:
            if draw(st.integers(0, 4)) == 0:
                continue  # a conflict of interest, or simply no sheet
            scores: dict[str, Fraction | None] = {}
            for c in criteria:
                cap = int(c.max * 10)
                if draw(st.integers(0, 12)) == 0:
                    scores[c.name] = None
                else:
                    # Few distinct values make ties (and equal extremes when trimming) common.
                    tenths = draw(st.one_of(st.integers(0, cap), st.sampled_from([0, cap // 2, cap])))
                    scores[c.name] = Fraction(tenths, 10)
            sheets.append(Sheet(e, group_of[e], p, scores))
    weights = {g: Fraction(draw(st.integers(1, 20)), 10) for g in GROUPS}
    return criteria, sheets, weights
