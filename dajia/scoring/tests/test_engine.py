"""Example tests of the engine: each rule of PRODUCT.md "Scoring rules", with cases checkable by hand."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from fractions import Fraction

import pytest

from dajia.scoring.engine import (
    Criterion,
    ScoringError,
    Sheet,
    canonical_sheet_file,
    decimal_text,
    digest,
    parse_weight,
    result_json,
    round_half_up,
    select,
    tally,
)
from dajia.scoring.tests.helpers import ONE, SEED_RUBRIC, sheet, totals

# --- rounding -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Fraction(161, 2), "80.50"),
        (Fraction(1, 3), "0.33"),
        (Fraction(2, 3), "0.67"),
        (Fraction("0.125"), "0.13"),
        (Fraction("0.005"), "0.01"),
        (Fraction("0.0049999"), "0.00"),
        (Fraction("80.505"), "80.51"),  # a float would say 80.50 (80.504999…)
        (Fraction("2.675"), "2.68"),  # round(2.675, 2) == 2.67 in binary floating point
        (Fraction(100), "100.00"),
        (Fraction(0), "0.00"),
        (Fraction(-1, 8), "-0.13"),
    ],
)
def test_round_half_up_is_exact(value: Fraction, expected: str) -> None:
    rounded = round_half_up(value)
    assert str(rounded) == expected
    assert rounded == Decimal(expected)


def test_decimal_text_drops_trailing_zeros() -> None:
    assert decimal_text(Fraction(25)) == "25"
    assert decimal_text(Fraction("12.5")) == "12.5"
    assert decimal_text(Fraction("0.05")) == "0.05"
    assert decimal_text(Decimal("100.0")) == "100"
    with pytest.raises(ValueError, match="finite decimal"):
        decimal_text(Fraction(1, 3))


def test_weights_are_read_as_written() -> None:
    assert parse_weight("0.4") == Fraction(2, 5)
    assert parse_weight("０．６") == Fraction(3, 5)
    assert parse_weight("3") == 3
    for bad in ("0", "0.0", "-1", "abc", "1e-1", "", "1/3"):
        with pytest.raises(ScoringError):
            parse_weight(bad)


# --- methods --------------------------------------------------------------------------------------


def test_trimmed_drops_one_highest_and_one_lowest_from_trim_min() -> None:
    sheets = totals("P", "70", "80", "81", "82", "99")
    assert tally(ONE, sheets).project("P").exact == 81  # (80 + 81 + 82) / 3
    assert tally(ONE, sheets, method="mean").project("P").exact == Fraction(412, 5)
    assert tally(ONE, sheets, trim_min=6).project("P").exact == Fraction(412, 5)  # below trim_min: plain mean


def test_trimmed_drops_only_one_of_equal_extremes() -> None:
    sheets = totals("P", "90", "90", "80", "70", "70")
    assert tally(ONE, sheets).project("P").exact == 80  # (90 + 80 + 70) / 3


def test_trim_min_three_keeps_one_sheet() -> None:
    assert tally(ONE, totals("P", "10", "50", "90"), trim_min=3).project("P").exact == 50


@pytest.mark.parametrize(
    ("values", "expected"), [(("5", "9", "1"), 5), (("5", "9", "1", "8"), Fraction(13, 2))]
)
def test_median(values: tuple[str, ...], expected: Fraction) -> None:
    assert tally(ONE, totals("P", *values), method="median").project("P").exact == expected


@pytest.mark.parametrize("trim_min", [2, 0, -1, True, 4.0])
def test_trim_min_below_three_is_refused(trim_min: object) -> None:
    with pytest.raises(ScoringError) as caught:
        tally(ONE, totals("P", "1"), trim_min=trim_min)  # type: ignore[arg-type]
    assert caught.value.code == "bad_trim_min"


def test_unknown_method_is_refused() -> None:
    with pytest.raises(ScoringError, match="unknown method"):
        tally(ONE, [], method="average")


# --- reported values ------------------------------------------------------------------------------


def test_rounding_happens_only_when_reporting() -> None:
    # Criterion means 1/3 and 2/3 round to 0.33 and 0.67, but the total is the exact 1.00, not 0.33 + 0.67.
    rubric = [Criterion("A", Fraction(10)), Criterion("B", Fraction(10))]
    sheets = [
        Sheet("e1", "", "P", {"A": Fraction(1), "B": Fraction(0)}),
        Sheet("e2", "", "P", {"A": Fraction(0), "B": Fraction(1)}),
        Sheet("e3", "", "P", {"A": Fraction(0), "B": Fraction(1)}),
    ]
    p = tally(rubric, sheets).project("P")
    assert p.criteria == {"A": Decimal("0.33"), "B": Decimal("0.67")}
    assert p.score == Decimal("1.00") and p.exact == 1


def test_criteria_are_plain_means_over_all_counted_sheets_before_trimming() -> None:
    sheets = [
        sheet("e1", "P", "30", "25", "25", "20", group="A"),
        sheet("e2", "P", "10", "5", "5", "0", group="A"),
        sheet("e3", "P", "20", "20", "20", "10", group="B"),
        sheet("e4", "P", "20", "20", None, "10", group="B"),  # incomplete: not in the means
        sheet("e5", "P", "21.5", "10", "10", "10", group="B"),
        sheet("e6", "P", "29", "24", "24", "19", group="B"),
    ]
    p = tally(SEED_RUBRIC, sheets, group_weights={"A": "1", "B": "1"}).project("P")
    assert p.evaluators == 5
    assert p.criteria == {
        "内容实用有效": Decimal("22.10"),
        "方式方法新颖": Decimal("16.80"),
        "成熟度吸引力": Decimal("16.80"),
        "受众接纳参与": Decimal("11.80"),
    }


def test_result_shape_and_unranked_projects() -> None:
    sheets = [*totals("P1", "80", "90"), sheet("e1", "P2", None), sheet("e9", "P3", "70")]
    result = tally(ONE, sheets, projects=["P4"])
    assert [p.project for p in result.projects] == ["P1", "P3"]
    assert result.unranked == ("P2", "P4")
    assert [(s.evaluator, s.project) for s in result.incomplete] == [("e1", "P2")]
    assert result.project("P1").evaluators == 2
    assert result.project("P1").groups == {}


def test_no_counted_sheet_gives_no_projects() -> None:
    result = tally(ONE, [sheet("e1", "P", None)])
    assert result.projects == () and result.unranked == ("P",)
    assert result_json(result) == '{\n  "method": "trimmed",\n  "trim_min": 5,\n  "projects": []\n}'


# --- ranking and ties -----------------------------------------------------------------------------


def test_competition_ranking_on_rounded_scores() -> None:
    sheets = [
        # 80.495 unrounded, shown as 80.50: it shares rank 1 with B's exact 80.5 and both are flagged as tied.
        *totals("A", *["80.5"] * 19, "80.4"),
        *totals("B", "80.5", "80.5", "80.5", prefix="b"),
        *totals("C", "70"),
        *totals("D", "60", "62", prefix="d"),
        *totals("E", "61"),
    ]
    result = tally(ONE, sheets, method="mean")
    assert result.project("A").exact == Fraction("80.495")
    rows = [(p.project, str(p.score), p.rank, p.tied) for p in result.projects]
    assert rows == [
        ("A", "80.50", 1, True),
        ("B", "80.50", 1, True),
        ("C", "70.00", 3, False),
        ("D", "61.00", 4, True),
        ("E", "61.00", 4, True),
    ]


def test_ties_share_the_rank_and_are_listed_by_code_point() -> None:
    sheets = [*totals("乙", "80"), *totals("甲", "80"), *totals("B", "80"), *totals("a", "70")]
    result = tally(ONE, sheets)
    assert [(p.project, p.rank, p.tied) for p in result.projects] == [
        ("B", 1, True),
        ("乙", 1, True),  # U+4E59 before U+7532
        ("甲", 1, True),
        ("a", 4, False),
    ]


def test_close_scores_are_told_apart_after_half_up_rounding() -> None:
    sheets = [*totals("P", "80", "80", "80.1"), *totals("Q", "80", "80.1", "80.1", prefix="q")]
    result = tally(ONE, sheets)  # 80.0333… and 80.0666… → 80.03 and 80.07: not tied
    assert [p.tied for p in result.projects] == [False, False]
    sheets = [
        *totals("P", "80", "80", "80", "80.1"),
        *totals("Q", "80", "80", "80", "80", "80.1", prefix="q"),
    ]
    result = tally(ONE, sheets, method="mean")  # 80.025 → 80.03 and 80.02
    assert [(p.project, str(p.score)) for p in result.projects] == [("P", "80.03"), ("Q", "80.02")]


# --- groups ---------------------------------------------------------------------------------------


def test_group_weights_with_renormalisation() -> None:
    sheets = [
        *totals("P", "80", "90", group="政协委员", prefix="c"),
        *totals("P", "70", "71", "72", group="基层工会主席", prefix="u"),
        *totals("Q", "60", "61", "62", group="基层工会主席", prefix="u"),  # only one group scored Q
    ]
    weights = {"政协委员": "0.4", "基层工会主席": "0.6"}
    result = tally(ONE, sheets, group_weights=weights)
    p = result.project("P")
    assert p.groups_exact == {"基层工会主席": 71, "政协委员": 85}
    assert p.exact == Fraction(2, 5) * 85 + Fraction(3, 5) * 71
    assert p.groups == {"基层工会主席": Decimal("71.00"), "政协委员": Decimal("85.00")}
    q = result.project("Q")
    assert q.exact == 61 and q.groups == {"基层工会主席": Decimal("61.00")}
    assert result.group_weights == {"基层工会主席": Fraction(3, 5), "政协委员": Fraction(2, 5)}


def test_group_score_uses_unrounded_group_scores() -> None:
    sheets = [*totals("P", "0", "0", "1", group="A"), *totals("P", "0", "0", "1", group="B", prefix="b")]
    p = tally(ONE, sheets, group_weights={"A": 1, "B": 2}).project("P")
    assert p.exact == Fraction(1, 3)  # from 1/3 and 1/3, not from 0.33 and 0.33
    assert p.score == Decimal("0.33")


def test_method_runs_inside_each_group() -> None:
    sheets = [
        *totals("P", "10", "50", "50", "50", "90", group="A"),  # trimmed within A: 50
        *totals("P", "0", "100", group="B", prefix="b"),  # below trim_min: plain mean 50
    ]
    p = tally(ONE, sheets, group_weights={"A": "1", "B": "1"}).project("P")
    assert p.groups_exact == {"A": 50, "B": 50}
    pooled = tally(ONE, sheets).project("P")  # 7 totals pooled: drop 0 and 100 → 250 / 5
    assert pooled.exact == 50 and pooled.groups == {}


def test_weights_for_absent_groups_are_ignored() -> None:
    sheets = totals("P", "80", group="A")
    result = tally(ONE, sheets, group_weights={"A": "0.5", "Z": "2"})
    assert result.group_weights == {"A": Fraction(1, 2)}


# --- invalid input --------------------------------------------------------------------------------


def _error(sheets: list[Sheet], **options: object) -> ScoringError:
    with pytest.raises(ScoringError) as caught:
        tally(ONE, sheets, **options)  # type: ignore[arg-type]
    return caught.value


def test_duplicate_sheet_is_an_error_even_when_incomplete() -> None:
    error = _error([sheet("e1", "P", None, line=2), sheet("e1", "P", "80", line=7)])
    assert error.code == "duplicate_sheet" and error.line == 7 and "line 2" in error.en
    assert str(error).startswith("第 7 行：")


def test_evaluator_in_two_groups() -> None:
    error = _error([sheet("e1", "P", "80", group="A", line=2), sheet("e1", "Q", None, group="B", line=3)])
    assert error.code == "evaluator_in_two_groups" and error.line == 3


def test_every_group_on_any_row_needs_a_weight() -> None:
    sheets = [sheet("e1", "P", "80", group="A", line=2), sheet("e2", "P", None, group="B", line=3)]
    error = _error(sheets, group_weights={"A": "1"})
    assert error.code == "missing_weight" and error.line == 3 and "'B'" in error.en


def test_blank_group_only_without_weights() -> None:
    error = _error([sheet("e1", "P", "80", line=4)], group_weights={"A": "1"})
    assert error.code == "blank_group" and error.line == 4


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (Fraction("100.1"), "score_out_of_range"),
        (Fraction(-1), "score_out_of_range"),
        (Fraction("8.25"), "bad_score"),
        (Fraction(1, 3), "bad_score"),
        (Decimal("8.55"), "bad_score"),
        (8.5, "bad_score"),  # floats are refused: 8.3 is not exactly 8.3
        ("8", "bad_score"),
        (True, "bad_score"),
    ],
)
def test_scores_must_be_exact_with_one_decimal_in_range(value: object, code: str) -> None:
    error = _error([Sheet("e1", "", "P", {"总分": value}, 9)])  # type: ignore[dict-item]
    assert error.code == code and error.line == 9


def test_decimal_and_int_scores_are_accepted() -> None:
    sheets = [Sheet("e1", "", "P", {"总分": Decimal("80.50")}), Sheet("e2", "", "P", {"总分": 81})]
    assert tally(ONE, sheets).project("P").exact == Fraction(323, 4)


def test_unknown_criterion_and_bad_rubric() -> None:
    assert _error([Sheet("e1", "", "P", {"其他": Fraction(1)}, 2)]).code == "unknown_criterion"
    with pytest.raises(ScoringError, match="appears twice"):
        tally([Criterion("A", Fraction(1)), Criterion("A", Fraction(2))], [])
    with pytest.raises(ScoringError, match="positive"):
        tally([Criterion("A", Fraction(0))], [])
    with pytest.raises(ScoringError):
        tally([], [])


def test_weights_must_be_positive() -> None:
    for weight in ("0", Fraction(-1), 0, "x"):
        with pytest.raises(ScoringError) as caught:
            tally(ONE, totals("P", "1", group="A"), group_weights={"A": weight})
        assert caught.value.code == "bad_weight"


def test_first_error_in_file_order_is_reported() -> None:
    sheets = [sheet("e1", "P", "80", line=2), sheet("e1", "P", "80", line=3), sheet("e2", "P", "101", line=4)]
    assert _error(sheets).line == 3


# --- selection ------------------------------------------------------------------------------------


def _ranked() -> object:
    return tally(
        ONE,
        [
            *totals("A", "90"),
            *totals("B", "85", prefix="b"),
            *totals("C", "80", prefix="c"),
            *totals("D", "80", prefix="d"),
            *totals("E", "59.9", prefix="x"),
            *totals("F", "60", prefix="f"),
        ],
    )


def test_selection_skips_what_does_not_fit_and_takes_the_next() -> None:
    amounts = {name: Decimal(a) for name, a in {"A": 50, "B": 60, "C": 30, "D": 20, "E": 1, "F": 10}.items()}
    outcome = select(_ranked(), budget=Decimal(100), amounts=amounts)  # type: ignore[arg-type]
    reasons = [(e.project, e.reason, str(e.remaining)) for e in outcome.entries]
    assert reasons == [
        ("A", "selected", "50"),
        ("B", "over_budget", "50"),
        ("C", "selected", "20"),
        ("D", "selected", "0"),
        ("F", "over_budget", "0"),
        ("E", "below_minimum", "0"),
    ]
    assert outcome.selected == ("A", "C", "D") and outcome.spent == 100
    assert outcome.tie_break_needed and outcome.unbroken_ties == (("C", "D"),)


def test_selection_uses_the_recorded_tie_break_order() -> None:
    amounts = {"A": Decimal(50), "B": Decimal(60), "C": Decimal(30), "D": Decimal(40)}
    for tie_break in (["D", "C"], {"D": 1, "C": 2}):
        outcome = select(_ranked(), budget=Decimal(100), amounts=amounts, tie_break=tie_break)  # type: ignore[arg-type]
        assert [e.project for e in outcome.entries][2:4] == ["D", "C"]
        assert outcome.selected == ("A", "D") and not outcome.tie_break_needed
        assert [e.rank for e in outcome.entries][2:4] == [3, 3]  # ranks stay shared


def test_selection_compares_the_rounded_score_with_the_minimum() -> None:
    result = tally(ONE, totals("P", "59.9", "60", "60"))  # 59.9666… → 59.97
    assert select(
        result, budget=Decimal(1), amounts={"P": Decimal(1)}, minimum=Decimal("59.97")
    ).selected == ("P",)
    assert (
        select(result, budget=Decimal(1), amounts={"P": Decimal(1)}, minimum=Decimal("59.971")).selected == ()
    )
    outcome = select(result, budget=Decimal(1), amounts={"P": Decimal(1)})
    assert outcome.entries[0].reason == "below_minimum" and outcome.minimum == 60


def test_selection_without_amount_skips_with_reason() -> None:
    outcome = select(_ranked(), budget=Decimal(1000), amounts={"A": Decimal(1)})  # type: ignore[arg-type]
    assert outcome.selected == ("A",)
    assert {e.reason for e in outcome.entries[1:]} == {"no_amount", "below_minimum"}
    assert outcome.entries[1].reason_zh == "没有报价"


def test_selection_refuses_negative_money() -> None:
    with pytest.raises(ScoringError):
        select(_ranked(), budget=Decimal(-1), amounts={})  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        select(_ranked(), budget=100.0, amounts={})  # type: ignore[arg-type]


# --- canonical file and digest --------------------------------------------------------------------

GOLDEN = (
    "evaluator,group,project,内容实用有效(30),方式方法新颖(25),成熟度(吸引力)(12.5),受众接纳参与(20)\n"
    "李四,政协委员,P1,28.0,20.5,12.0,18.0\n"
    '"王, 五",基层工会主席,P1,25.0,20.0,10.0,15.0\n'
    '张三,政协委员,"说""心里话""",30.0,25.0,12.5,20.0\n'
)


def _golden_input() -> tuple[list[Criterion], list[Sheet]]:
    rubric = [
        Criterion("内容实用有效", Fraction(30)),
        Criterion("方式方法新颖", Fraction("25.0")),
        Criterion("成熟度(吸引力)", Fraction("12.5")),
        Criterion("受众接纳参与", Fraction(20)),
    ]

    def s(evaluator: str, group: str, project: str, *values: str | None) -> Sheet:
        return Sheet(
            evaluator,
            group,
            project,
            {c.name: v and Fraction(v) for c, v in zip(rubric, values, strict=True)},
        )

    sheets = [
        s("张三", "政协委员", '说"心里话"', "30", "25", "12.5", "20"),
        s("王, 五", "基层工会主席", "P1", "25", "20", "10", "15"),
        s("李四", "政协委员", "P1", "28", "20.5", "12", "18"),
        s("赵六", "政协委员", "P1", "28", None, "12", "18"),  # incomplete: not in the file
    ]
    return rubric, sheets


def test_canonical_sheet_file_golden() -> None:
    rubric, sheets = _golden_input()
    text = canonical_sheet_file(rubric, sheets)
    assert text == GOLDEN
    assert canonical_sheet_file(rubric, list(reversed(sheets))) == GOLDEN
    assert digest(rubric, sheets) == hashlib.sha256(GOLDEN.encode("utf-8")).hexdigest()
    assert digest(rubric, sheets) == "6293ce5ec003bf43bbb559de2a906224546fd9213a220772fd601ab4369621ff"


def test_canonical_sheet_file_quotes_line_breaks_and_is_idempotent() -> None:
    from dajia.scoring.sheetfile import parse_csv_text

    rubric = [Criterion("A", Fraction(10))]
    sheets = [
        Sheet("第一行\n第二行", "", "P", {"A": Fraction(5)}),
        Sheet("Ｅ２ ", "", "P", {"A": Fraction(7)}),
    ]
    text = canonical_sheet_file(rubric, sheets)
    assert text == 'evaluator,group,project,A(10)\nE2,,P,7.0\n"第一行\n第二行",,P,5.0\n'
    reread = parse_csv_text(text)
    assert canonical_sheet_file(reread.criteria, reread.sheets) == text


def test_canonical_sheet_file_refuses_names_equal_once_normalised() -> None:
    sheets = [Sheet("e1", "", "P1", {"总分": Fraction(1)}), Sheet("e1", "", "Ｐ１ ", {"总分": Fraction(2)})]
    with pytest.raises(ScoringError) as caught:
        canonical_sheet_file(ONE, sheets)
    assert caught.value.code == "duplicate_sheet"
