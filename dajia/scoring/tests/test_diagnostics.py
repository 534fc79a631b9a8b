"""Diagnostics: bias and spread, outlier sheets, Kendall's W, leave-one-out (against a naive re-tally)."""

from __future__ import annotations

from bisect import bisect_left
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dajia.scoring.bench import bench_engine
from dajia.scoring.diagnostics import _mad_twice, _median_twice, diagnose
from dajia.scoring.engine import select, tally
from dajia.scoring.numbers import _hundredths
from dajia.scoring.pools import _combine, _pool_ratio, _pool_ratio_without, _removal_steps
from dajia.scoring.tests.helpers import ONE, sessions, sheet, totals


def test_bias_and_population_spread() -> None:
    sheets = [
        *totals("P", "80", "70", "90"),  # mean 80: deviations 0, −10, +10
        *totals("Q", "60", "50", "76"),  # mean 62: deviations −2, −12, +14
    ]
    diagnostics = diagnose(tally(ONE, sheets))
    rows = {b.evaluator: (b.sheets, b.bias, b.spread) for b in diagnostics.evaluators}
    assert rows == {"e1": (2, -1.0, 1.0), "e2": (2, -11.0, 1.0), "e3": (2, 12.0, 2.0)}


def test_bias_uses_the_pooled_mean_over_all_groups() -> None:
    sheets = [*totals("P", "80", group="A", prefix="a"), *totals("P", "60", group="B", prefix="b")]
    diagnostics = diagnose(tally(ONE, sheets, group_weights={"A": "1", "B": "3"}))
    assert [(b.evaluator, b.group, b.bias) for b in diagnostics.evaluators] == [
        ("a1", "A", 10.0),
        ("b1", "B", -10.0),
    ]


def test_outliers_beyond_three_scaled_mads() -> None:
    sheets = totals("P", "80", "81", "79", "80", "40")  # median 80, MAD 1: threshold 4.4478
    (outlier,) = diagnose(tally(ONE, sheets)).outliers
    assert (outlier.evaluator, outlier.total, outlier.median) == ("e5", Decimal(40), Decimal(80))
    assert outlier.deviation == -40 and outlier.threshold == Decimal("4.4478")


def test_outlier_threshold_is_three_scaled_mads() -> None:
    # median 10, MAD 1, so the limit is 4.4478 points: 14.4 and 5.6 are within, 14.5 and 5.5 beyond.
    within = totals("P", "10", "9", "11", "14.4", "5.6")
    assert diagnose(tally(ONE, within)).outliers == ()
    beyond = totals("P", "10", "9", "11", "14.5", "5.5")
    assert [o.evaluator for o in diagnose(tally(ONE, beyond)).outliers] == ["e4", "e5"]


def test_outliers_with_zero_mad_flag_any_departure_from_the_median() -> None:
    sheets = totals("P", "80", "80", "80", "80.5")
    (outlier,) = diagnose(tally(ONE, sheets)).outliers
    assert outlier.evaluator == "e4" and outlier.threshold == 0
    assert diagnose(tally(ONE, totals("P", "80", "80", "80"))).outliers == ()


def _panel(rankings: dict[str, list[str]], groups: dict[str, str] | None = None) -> list:
    sheets = []
    for evaluator, values in rankings.items():
        for project, value in zip(["P1", "P2", "P3", "P4"], values, strict=False):
            sheets.append(sheet(evaluator, project, value, group=(groups or {}).get(evaluator, "")))
    return sheets


def _w_reference(raters: list[list[float]]) -> float:
    """Textbook Kendall's W with tie correction, in floats, written independently of the module."""
    m, n = len(raters), len(raters[0])
    rank_rows, tie_sum = [], 0.0
    for scores in raters:
        ranks = []
        for x in scores:
            below = sum(1 for y in scores if y < x)
            equal = sum(1 for y in scores if y == x)
            ranks.append(below + (equal + 1) / 2)
        rank_rows.append(ranks)
        for value in set(scores):
            t = scores.count(value)
            tie_sum += t**3 - t
    sums = [sum(r[i] for r in rank_rows) for i in range(n)]
    mean = sum(sums) / n
    s = sum((x - mean) ** 2 for x in sums)
    return 12 * s / (m * m * (n**3 - n) - m * tie_sum)


def test_kendall_w_perfect_agreement_and_reversal() -> None:
    agree = _panel({"e1": ["1", "2", "3", "4"], "e2": ["10", "20", "30", "40"], "e3": ["5", "6", "7", "8"]})
    assert diagnose(tally(ONE, agree)).concordance.w == 1.0
    reverse = _panel({"e1": ["1", "2", "3", "4"], "e2": ["4", "3", "2", "1"]})
    assert diagnose(tally(ONE, reverse)).concordance.w == 0.0


def test_kendall_w_with_ties_matches_the_textbook_formula() -> None:
    values = {
        "e1": ["1", "1", "3", "4"],
        "e2": ["2", "1", "2", "9"],
        "e3": ["5", "5", "5", "1"],
        "e4": ["1", "2", "3", "3"],
    }
    concordance = diagnose(tally(ONE, _panel(values))).concordance
    expected = _w_reference([[float(v) for v in row] for row in values.values()])
    assert concordance.w == pytest.approx(expected, abs=1e-6)
    assert (concordance.raters, concordance.projects, concordance.excluded) == (4, 4, 0)


def test_kendall_w_only_over_evaluators_who_scored_every_project() -> None:
    values = {"e1": ["1", "2", "3", "4"], "e2": ["1", "2", "3", "4"], "e3": ["4", "3"]}
    concordance = diagnose(tally(ONE, _panel(values))).concordance
    assert (concordance.w, concordance.raters, concordance.excluded) == (1.0, 2, 1)
    lone = diagnose(tally(ONE, _panel({"e1": ["1", "2"]}))).concordance
    assert lone.w is None and lone.raters == 1
    all_tied = diagnose(tally(ONE, _panel({"e1": ["1", "1"], "e2": ["2", "2"]}))).concordance
    assert all_tied.w is None


def test_kendall_w_per_group_and_between_groups() -> None:
    values = {
        "a1": ["1", "2", "3", "4"],
        "a2": ["1", "2", "4", "3"],
        "b1": ["4", "3", "2", "1"],
        "b2": ["4", "3", "1", "2"],
    }
    groups = {"a1": "A", "a2": "A", "b1": "B", "b2": "B"}
    diagnostics = diagnose(tally(ONE, _panel(values, groups), group_weights={"A": "1", "B": "1"}))
    by_group = diagnostics.concordance_by_group
    assert by_group["A"].w == pytest.approx(_w_reference([[1, 2, 3, 4], [1, 2, 4, 3]]), abs=1e-6)
    assert by_group["B"].w == pytest.approx(_w_reference([[4, 3, 2, 1], [4, 3, 1, 2]]), abs=1e-6)
    between = diagnostics.concordance_between_groups
    # Mean rankings: A (1, 2, 3.5, 3.5), B (4, 3, 1.5, 1.5) — opposite orders.
    assert between is not None and between.raters == 2
    assert between.w == pytest.approx(_w_reference([[1, 2, 3.5, 3.5], [4, 3, 1.5, 1.5]]), abs=1e-6)
    assert diagnose(tally(ONE, _panel(values))).concordance_between_groups is None


def test_leave_one_out_names_the_evaluators_who_change_the_selection() -> None:
    sheets = [*totals("P", "70", "71", "99"), *totals("Q", "80", "80", "60")]
    result = tally(ONE, sheets, method="mean")  # P 80, Q 73.33: P selected, one of them fits the budget
    amounts = {"P": Decimal(10), "Q": Decimal(10)}
    diagnostics = diagnose(result, budget=Decimal(10), amounts=amounts)
    assert select(result, budget=Decimal(10), amounts=amounts).selected == ("P",)
    assert [(i.evaluator, i.dropped, i.added) for i in diagnostics.influential or ()] == [
        ("e3", ("P",), ("Q",))
    ]
    assert diagnose(result).influential is None


@settings(max_examples=120, deadline=None, database=None)
@given(
    sessions(),
    st.sampled_from(["trimmed", "mean", "median"]),
    st.integers(3, 5),
    st.booleans(),
    st.randoms(use_true_random=False),
)
def test_incremental_leave_one_out_equals_a_naive_re_tally(session, method, trim_min, weighted, rng) -> None:
    criteria, sheets, weights = session
    options = {"method": method, "trim_min": trim_min, "group_weights": weights if weighted else None}
    projects = sorted({s.project for s in sheets})
    amounts = {p: Decimal(rng.randint(1, 5)) for p in projects}
    budget = Decimal(rng.randint(0, 12))
    minimum = Decimal(rng.choice([0, 20, 40]))
    tie_break = projects[::-1] if rng.random() < 0.5 else None
    result = tally(criteria, sheets, **options)
    found = diagnose(result, budget=budget, minimum=minimum, amounts=amounts, tie_break=tie_break).influential
    assert found is not None

    def naive_select(rows):
        return select(
            tally(criteria, rows, **options),
            budget=budget,
            minimum=minimum,
            amounts=amounts,
            tie_break=tie_break,
        )

    base = set(naive_select(sheets).selected)
    expected = {}
    for evaluator in sorted({s.evaluator for s in result.counted}):
        chosen = set(naive_select([s for s in sheets if s.evaluator != evaluator]).selected)
        if chosen != base:
            expected[evaluator] = (tuple(sorted(base - chosen)), tuple(sorted(chosen - base)))
    assert {i.evaluator: (i.dropped, i.added) for i in found} == expected


@settings(max_examples=60, deadline=None, database=None)
@given(sessions(), st.booleans(), st.randoms(use_true_random=False))
def test_diagnostics_do_not_depend_on_sheet_order(session, weighted, rng) -> None:
    criteria, sheets, weights = session
    shuffled = list(sheets)
    rng.shuffle(shuffled)
    options = {"group_weights": weights if weighted else None}
    assert diagnose(tally(criteria, sheets, **options)) == diagnose(tally(criteria, shuffled, **options))


def test_bench_is_fast_enough() -> None:
    small = bench_engine(evaluators=20, projects=10, criteria=4, seed=2)
    assert set(small) == {"evaluators", "projects", "criteria", "ms"}
    full = bench_engine()
    assert (full["evaluators"], full["projects"], full["criteria"]) == (200, 100, 6)
    assert full["ms"] < 1000  # generous: the machine may be shared (issue 17's target is < 100 ms)


@settings(max_examples=300, deadline=None, database=None)
@given(
    st.lists(st.integers(0, 60), min_size=1, max_size=9),
    st.sampled_from(["trimmed", "mean", "median"]),
    st.integers(3, 5),
    st.lists(st.tuples(st.integers(1, 5), st.lists(st.integers(0, 60), min_size=1, max_size=4)), max_size=2),
    st.integers(1, 5),
)
def test_removal_steps_give_the_hundredths_of_the_pool_without_each_total(
    totals, method, trim_min, other_pools, weight
) -> None:
    """pools._removal_steps, as leave-one-out uses it, against the pool recomputed without each total."""
    pool = sorted(totals)
    others = [(w, *_pool_ratio(sorted(o), method, trim_min)) for w, o in other_pools]
    bounds, steps = _removal_steps(pool, sum(pool), method, trim_min, weight, others)
    for t in set(pool):
        ratio = _pool_ratio_without(pool, sum(pool), t, method, trim_min)
        parts = others + ([] if ratio is None else [(weight, *ratio)])
        expected = _hundredths(*_combine(parts)) if parts else None
        step = steps[bisect_left(bounds, t)]
        assert (None if step is None else (step[0] - step[1] * t) // step[2]) == expected


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(st.integers(0, 1000), min_size=1, max_size=40))
def test_mad_by_bisection_equals_the_median_of_the_listed_deviations(totals) -> None:
    ordered = sorted(totals)
    median2 = _median_twice(ordered)
    assert _mad_twice(ordered, median2) == _median_twice(sorted(abs(2 * t - median2) for t in ordered))
