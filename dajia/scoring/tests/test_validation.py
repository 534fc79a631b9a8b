"""Validation: the whole-input check (``_validate``) against the rules as written, sheet by sheet.

``_validate`` checks column by column and looks scores up by value (Decimal, int) or once per distinct object
(Fraction); only when something is wrong does it re-check sheet by sheet. These tests hold it to the
sheet-by-sheet reference (:func:`_validate_each`) on valid and broken input alike — the same result, or the
same first error with the same code, messages and line — and check that the score types callers pass
(Fraction from the sheet file, one Decimal per score from the database, int) give the same result.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dajia.scoring.bench import sample_session
from dajia.scoring.diagnostics import diagnose
from dajia.scoring.engine import Criterion, ScoringError, Sheet, select, tally
from dajia.scoring.tests.helpers import ONE, SEED_RUBRIC, sessions
from dajia.scoring.validation import _check_criteria, _validate, _validate_each

SETTINGS = settings(max_examples=200, deadline=None, database=None)


def _as(kind: str, value: object) -> object:
    """A score as one of the types callers pass (a fresh object each time, like database rows)."""
    if not isinstance(value, Fraction):
        return value
    if kind == "decimal":
        return Decimal(value.numerator) / value.denominator
    if kind == "decimal places":  # the database's form: always one decimal place, e.g. 10.0
        return Decimal(int(value * 10)).scaleb(-1)
    if kind == "int" and value.denominator == 1:
        return int(value)
    return Fraction(value.numerator, value.denominator)


# Wrong (and a few right but unusual) scores; each must give exactly the sheet-by-sheet outcome.
ODD_SCORES = [
    8.5,
    True,
    False,
    Fraction(1, 3),
    Fraction(-1, 10),
    Decimal("8.55"),
    Decimal("-0.0"),
    Decimal("NaN"),
    Decimal("sNaN"),
    Decimal("Infinity"),
    Decimal("1E+1"),
    -1,
    10**6,
    "8",
    None,
]

CORRUPTIONS = [
    "score",
    "drop key",
    "unknown key",
    "blank evaluator",
    "evaluator not text",
    "blank project",
    "other group",
    "no group",
    "group without weight",
    "duplicate",
    "mapping",
]


def _outcome(run):
    try:
        checked = run()
    except ScoringError as error:
        return ("error", error.code, error.zh, error.en, error.line)
    if isinstance(checked, tuple):
        checked = checked[1]
    fields = {f.name: getattr(checked, f.name) for f in dataclasses.fields(checked)}
    fields["groups"] = list(fields["groups"].items())  # the order too
    return ("ok", fields)


@st.composite
def broken_sessions(draw: st.DrawFn):
    criteria, sheets, weights = draw(sessions())
    kind = draw(st.sampled_from(["fraction", "decimal", "decimal places", "int", "mixed"]))
    lines = draw(st.booleans())
    out = []
    for index, s in enumerate(sheets):
        score_kind = draw(st.sampled_from(["fraction", "decimal", "int"])) if kind == "mixed" else kind
        scores = {name: _as(score_kind, value) for name, value in s.scores.items()}
        out.append(dataclasses.replace(s, scores=scores, line=index + 2 if lines else None))
    for _ in range(draw(st.integers(0, 2))):
        if not out:
            break
        i = draw(st.integers(0, len(out) - 1))
        s = out[i]
        what = draw(st.sampled_from(CORRUPTIONS))
        scores = dict(s.scores)
        if what == "score":
            scores[draw(st.sampled_from([c.name for c in criteria]))] = draw(st.sampled_from(ODD_SCORES))
        elif what == "drop key" and scores:
            del scores[draw(st.sampled_from(sorted(scores)))]
        elif what == "unknown key":
            scores["other"] = Fraction(1)
        if what in ("score", "drop key", "unknown key"):
            out[i] = dataclasses.replace(s, scores=scores)
        elif what == "mapping":
            out[i] = dataclasses.replace(s, scores=MappingProxyType(scores))
        elif what == "blank evaluator":
            out[i] = dataclasses.replace(s, evaluator="")
        elif what == "evaluator not text":
            out[i] = dataclasses.replace(s, evaluator=7)  # type: ignore[arg-type]
        elif what == "blank project":
            out[i] = dataclasses.replace(s, project="")
        elif what == "other group":
            out[i] = dataclasses.replace(s, group=draw(st.sampled_from(["政协委员", "基层工会主席", "G3"])))
        elif what == "no group":
            out[i] = dataclasses.replace(s, group=draw(st.sampled_from([None, ""])))  # type: ignore[arg-type]
        elif what == "group without weight":
            out[i] = dataclasses.replace(s, group="Zed")
        elif what == "duplicate":
            out.insert(draw(st.integers(i + 1, len(out))), dataclasses.replace(s, line=(s.line or 0) + 1000))
    return criteria, out, weights


@SETTINGS
@given(broken_sessions(), st.booleans())
def test_whole_input_check_equals_the_sheet_by_sheet_rules(session, weighted) -> None:
    criteria, sheets, weights = session
    weights = weights if weighted else None
    crit = _check_criteria(criteria)
    maxima = {c.name: c.max for c in criteria}
    fast = _outcome(lambda: _validate(criteria, sheets, weights))
    each = _outcome(lambda: _validate_each(crit, maxima, sheets, weights))
    assert fast == each


@SETTINGS
@given(sessions(), st.sampled_from(["decimal", "decimal places", "int"]), st.booleans())
def test_decimal_and_int_scores_give_the_fraction_result(session, kind, weighted) -> None:
    criteria, sheets, weights = session
    options = {"group_weights": weights if weighted else None}
    converted = [
        dataclasses.replace(s, scores={k: _as(kind, v) for k, v in s.scores.items()}) for s in sheets
    ]
    expected, got = tally(criteria, sheets, **options), tally(criteria, converted, **options)
    assert (got.projects, got.unranked, len(got.incomplete)) == (
        expected.projects,
        expected.unranked,
        len(expected.incomplete),
    )
    assert diagnose(got) == diagnose(expected)


def test_the_bench_data_as_database_decimals_gives_the_same_result() -> None:
    fraction = sample_session(40, 12, 4, seed=3)
    decimal = sample_session(40, 12, 4, seed=3, decimal=True)
    assert {type(v) for s in decimal[1] for v in s.scores.values()} == {Decimal}
    results = []
    for rubric, sheets, weights, amounts, budget in (fraction, decimal):
        result = tally(rubric, sheets, group_weights=weights)
        results.append(
            (
                result.projects,
                select(result, budget=budget, amounts=amounts),
                diagnose(result, budget=budget, amounts=amounts),
            )
        )
    assert results[0] == results[1]


@pytest.mark.parametrize("value", [True, False])
def test_bool_is_refused_among_decimals(value: bool) -> None:
    # A table keyed by value would find True as 1: the lookup is used only when no score is a bool.
    sheets = [Sheet(f"e{i}", "", "P", {"总分": Decimal(1)}, i + 2) for i in range(5)]
    sheets.append(Sheet("e9", "", "P", {"总分": value}, 11))
    with pytest.raises(ScoringError) as caught:
        tally(ONE, sheets)
    error = caught.value
    assert (error.code, error.line) == ("bad_score", 11)
    assert error.en == f"score {value!r} for '总分' is invalid: at most one decimal"


def test_a_bad_score_is_reported_on_its_line_with_the_same_text() -> None:
    good = {c.name: Decimal("10.0") for c in SEED_RUBRIC}
    sheets = [Sheet(f"e{i}", "", "P", dict(good), i + 2) for i in range(50)]
    sheets[30] = Sheet("e30", "", "P", {**good, "方式方法新颖": Decimal("8.25")}, 32)
    sheets[40] = Sheet("e40", "", "P", {**good, "受众接纳参与": Decimal("20.5")}, 42)
    with pytest.raises(ScoringError) as caught:
        tally(SEED_RUBRIC, sheets)
    assert str(caught.value) == (
        "第 32 行：「方式方法新颖」的分数 8.25 无效：分数最多一位小数 / "
        "line 32: score 8.25 for '方式方法新颖' is invalid: at most one decimal"
    )
    del sheets[30]
    with pytest.raises(ScoringError) as caught:
        tally(SEED_RUBRIC, sheets)
    assert str(caught.value) == (
        "第 42 行：「受众接纳参与」的分数 20.5 超出范围 0–20 / line 42: score 20.5 for '受众接纳参与' is outside 0–20"
    )


def test_an_earlier_problem_of_another_kind_comes_first() -> None:
    sheets = [Sheet(f"e{i}", "", "P", {"总分": Fraction(50)}, i + 2) for i in range(10)]
    sheets[7] = Sheet("e7", "", "P", {"总分": 8.5}, 9)  # type: ignore[dict-item]
    sheets.insert(3, Sheet("e1", "", "P", {"总分": Fraction(60)}, 99))
    with pytest.raises(ScoringError) as caught:
        tally(ONE, sheets)
    assert (caught.value.code, caught.value.line) == ("duplicate_sheet", 99)


def test_shared_score_objects_are_checked_per_criterion_maximum() -> None:
    # One Fraction object for 15 is valid for a criterion of 20 and out of range for one of 10.
    fifteen = Fraction(15)
    rubric = [Criterion("a", Fraction(20)), Criterion("b", Fraction(10))]
    ok = Sheet("e1", "", "P", {"a": fifteen, "b": Fraction(5)}, 2)
    bad = Sheet("e2", "", "P", {"a": Fraction(5), "b": fifteen}, 3)
    assert tally(rubric, [ok]).project("P").exact == 20
    with pytest.raises(ScoringError) as caught:
        tally(rubric, [ok, bad])
    assert (caught.value.code, caught.value.line) == ("score_out_of_range", 3)


def test_incomplete_sheets_among_valid_ones() -> None:
    sheets = [Sheet(f"e{i}", "", "P", {"总分": Decimal(i)}, i + 2) for i in range(6)]
    sheets[2] = Sheet("e2", "", "P", {"总分": None}, 4)
    sheets[4] = Sheet("e4", "", "P", {}, 6)
    result = tally(ONE, sheets, method="mean")
    assert [s.line for s in result.incomplete] == [4, 6]
    assert result.project("P").exact == Fraction(0 + 1 + 3 + 5, 4)


def test_an_infinite_decimal_score_is_refused_as_a_bad_score() -> None:
    # It used to escape as OverflowError from quoting the score in the message.
    with pytest.raises(ScoringError) as caught:
        tally(ONE, [Sheet("e1", "", "P", {"总分": Decimal("Infinity")}, 5)])
    assert (caught.value.code, caught.value.line) == ("bad_score", 5)
    assert "score Infinity for '总分' is invalid" in caught.value.en
