"""Property tests: the engine against a brute-force Fraction oracle written straight from PRODUCT.md."""

from __future__ import annotations

import random
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from dajia.scoring.engine import Criterion, Sheet, TallyResult, canonical_sheet_file, tally
from dajia.scoring.tests.helpers import sessions

SETTINGS = settings(max_examples=150, deadline=None, database=None)


methods = st.sampled_from(["trimmed", "mean", "median"])
trim_mins = st.integers(3, 6)


def _round(value: Fraction) -> Decimal:
    """Half-up to 2 decimals via high-precision Decimal division — independent of the engine's integers."""
    with localcontext() as ctx:
        ctx.prec = 80
        quotient = Decimal(value.numerator) / Decimal(value.denominator)
        return quotient.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _aggregate(totals: list[Fraction], method: str, trim_min: int) -> Fraction:
    xs = sorted(totals)
    n = len(xs)
    if method == "median":
        return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2
    if method == "trimmed" and n >= trim_min:
        xs = xs[1:-1]
    return sum(xs, Fraction(0)) / len(xs)


def oracle(
    criteria: list[Criterion],
    sheets: list[Sheet],
    method: str,
    trim_min: int,
    weights: dict[str, Fraction] | None,
) -> dict[str, tuple[Fraction, dict[str, Fraction], dict[str, Fraction], int]]:
    counted = [s for s in sheets if all(s.scores.get(c.name) is not None for c in criteria)]
    by_project: dict[str, list[Sheet]] = defaultdict(list)
    for s in counted:
        by_project[s.project].append(s)
    out = {}
    for project, mine in by_project.items():
        totals = {id(s): sum((s.scores[c.name] for c in criteria), Fraction(0)) for s in mine}
        if weights is None:
            score = _aggregate([totals[id(s)] for s in mine], method, trim_min)
            groups: dict[str, Fraction] = {}
        else:
            names = {s.group for s in mine}
            groups = {
                g: _aggregate([totals[id(s)] for s in mine if s.group == g], method, trim_min) for g in names
            }
            score = sum((weights[g] * v for g, v in groups.items()), Fraction(0)) / sum(
                weights[g] for g in groups
            )
        means = {c.name: sum((s.scores[c.name] for s in mine), Fraction(0)) / len(mine) for c in criteria}
        out[project] = (score, groups, means, len(mine))
    return out


def _comparable(result: TallyResult) -> tuple[object, ...]:
    incomplete = sorted((s.evaluator, s.project) for s in result.incomplete)
    return result.projects, result.unranked, incomplete, result.group_weights


@SETTINGS
@given(sessions(), methods, trim_mins, st.booleans())
def test_engine_matches_the_fraction_oracle(session, method, trim_min, weighted) -> None:
    criteria, sheets, weights = session
    result = tally(
        criteria, sheets, method=method, trim_min=trim_min, group_weights=weights if weighted else None
    )
    expected = oracle(criteria, sheets, method, trim_min, weights if weighted else None)
    assert {p.project for p in result.projects} == set(expected)
    for p in result.projects:
        score, groups, means, count = expected[p.project]
        assert p.exact == score  # exact arithmetic throughout …
        assert p.score == _round(score)  # … and rounding only at reporting
        assert p.groups_exact == groups
        assert p.groups == {g: _round(v) for g, v in groups.items()}
        assert list(p.groups) == sorted(p.groups)
        assert p.criteria == {name: _round(v) for name, v in means.items()}
        assert p.evaluators == count
    assert set(result.unranked) == {s.project for s in sheets} - set(expected)


@SETTINGS
@given(sessions(), methods, trim_mins, st.booleans(), st.randoms(use_true_random=False))
def test_order_of_sheets_does_not_matter(session, method, trim_min, weighted, rng: random.Random) -> None:
    criteria, sheets, weights = session
    shuffled = list(sheets)
    rng.shuffle(shuffled)
    options = {"method": method, "trim_min": trim_min, "group_weights": weights if weighted else None}
    assert _comparable(tally(criteria, sheets, **options)) == _comparable(
        tally(criteria, shuffled, **options)
    )
    assert canonical_sheet_file(criteria, sheets) == canonical_sheet_file(criteria, shuffled)


@SETTINGS
@given(sessions(), st.booleans())
def test_trimmed_equals_mean_below_trim_min(session, weighted) -> None:
    criteria, sheets, weights = session
    trim_min = 1 + len({s.evaluator for s in sheets}) if sheets else 3
    trim_min = max(trim_min, 3)
    options = {"trim_min": trim_min, "group_weights": weights if weighted else None}
    trimmed = tally(criteria, sheets, method="trimmed", **options)
    mean = tally(criteria, sheets, method="mean", **options)
    assert trimmed.projects == mean.projects


@SETTINGS
@given(sessions(), methods, st.integers(1, 7))
def test_weights_are_renormalised_over_the_groups_that_scored(session, method, factor) -> None:
    criteria, sheets, weights = session
    result = tally(criteria, sheets, method=method, group_weights=weights)
    # Only the ratios matter: scaling every weight changes nothing …
    scaled = tally(criteria, sheets, method=method, group_weights={g: w * factor for g, w in weights.items()})
    assert scaled.projects == result.projects
    for p in result.projects:
        present = {g: weights[g] for g in p.groups_exact}
        # … and each score is the weighted mean over exactly the groups that scored the project.
        expected = sum((w * p.groups_exact[g] for g, w in present.items()), Fraction(0)) / sum(
            present.values()
        )
        assert p.exact == expected
        if len(present) == 1:
            assert p.exact == next(iter(p.groups_exact.values()))


@SETTINGS
@given(sessions(), methods, trim_mins, st.booleans())
def test_ranking_is_competition_ranking_on_rounded_scores(session, method, trim_min, weighted) -> None:
    criteria, sheets, weights = session
    result = tally(
        criteria, sheets, method=method, trim_min=trim_min, group_weights=weights if weighted else None
    )
    scores = [p.score for p in result.projects]
    for p in result.projects:
        assert p.rank == 1 + sum(1 for s in scores if s > p.score)
        assert p.tied == (scores.count(p.score) > 1)
    keys = [(p.rank, p.project) for p in result.projects]
    assert keys == sorted(keys)
