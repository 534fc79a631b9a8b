"""``dajia tally`` through its real entry point (``python -m dajia.cli tally``), as an auditor would run it."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from dajia.scoring.engine import canonical_sheet_file, digest, tally
from dajia.scoring.sheetfile import read_sheet_file, write_xlsx_sheet

REPO = Path(__file__).resolve().parents[3]

SESSION = (
    "评委,分组,项目,内容实用有效(30),方式方法新颖(25),成熟度(吸引力)(25),受众接纳参与(20)\n"
    "张三,政协委员,职工法律服务,25,20,20,15\n"
    "李四,政协委员,职工法律服务,26.5,21,19,16\n"
    "王五,基层工会主席,职工法律服务,24,18,22,17\n"
    "王五,基层工会主席,心理关爱,24,18,22,17\n"
    "张三,政协委员,心理关爱,24,18,22,\n"
    "赵六,基层工会主席,技能培训,,,,\n"
    "钱七,基层工会主席,职工法律服务,28,22,21,18.5\n"
    "孙八,基层工会主席,职工法律服务,20,15,15,10\n"
    "孙八,基层工会主席,心理关爱,30,25,25,20\n"
)
WEIGHTS = ["--group-weight", "政协委员=0.4", "--group-weight", "基层工会主席=0.6"]


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dajia.cli", "tally", *map(str, args)],
        capture_output=True,
        cwd=REPO,
        timeout=60,
        check=False,
        encoding="utf-8",
    )


@pytest.fixture
def session_csv(tmp_path: Path) -> Path:
    path = tmp_path / "评分明细.csv"
    path.write_text(SESSION, encoding="utf-8")
    return path


def test_table_with_chinese_headings(session_csv: Path) -> None:
    done = run(session_csv)
    assert done.returncode == 0, done.stderr
    for heading in ("排名", "项目", "得分", "评委数", "并列", "内容实用有效", "成熟度(吸引力)"):
        assert heading in done.stdout
    file = read_sheet_file(session_csv)
    assert digest(file.criteria, file.sheets) in done.stdout
    assert "第 6 行" in done.stderr and "line 6" in done.stderr  # 张三's incomplete sheet
    assert "第 7 行" in done.stderr and "技能培训" in done.stderr  # nothing counted for 技能培训


def test_json_is_one_object_matching_the_engine(session_csv: Path) -> None:
    done = run(session_csv, "--json", *WEIGHTS)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout, parse_float=Decimal)
    assert set(payload) == {"method", "trim_min", "projects"}
    assert (payload["method"], payload["trim_min"]) == ("trimmed", 5)
    file = read_sheet_file(session_csv)
    result = tally(file.criteria, file.sheets, group_weights={"政协委员": "0.4", "基层工会主席": "0.6"})
    assert [p["project"] for p in payload["projects"]] == [p.project for p in result.projects]
    for item, expected in zip(payload["projects"], result.projects, strict=True):
        assert set(item) == {"project", "score", "rank", "tied", "evaluators", "groups", "criteria"}
        assert Decimal(item["score"]) == expected.score
        assert (item["rank"], item["tied"], item["evaluators"]) == (
            expected.rank,
            expected.tied,
            expected.evaluators,
        )
        assert {k: Decimal(v) for k, v in item["groups"].items()} == expected.groups
        assert {k: Decimal(v) for k, v in item["criteria"].items()} == expected.criteria
        assert list(item["criteria"]) == ["内容实用有效", "方式方法新颖", "成熟度(吸引力)", "受众接纳参与"]
    care, law = payload["projects"]
    assert care["project"] == "心理关爱" and care["score"] == Decimal("90.5")  # only 基层工会主席 scored it
    assert care["groups"] == {"基层工会主席": Decimal("90.5")}
    # 政协委员 (80 + 82.5) / 2 = 81.25; 基层工会主席 (81 + 89.5 + 60) / 3 = 76.83…; 0.4 × 81.25 + 0.6 × 76.83… = 78.6
    assert law["project"] == "职工法律服务" and law["score"] == Decimal("78.6")
    assert law["groups"] == {"基层工会主席": Decimal("76.83"), "政协委员": Decimal("81.25")}


def test_json_numbers_have_at_most_two_decimals_and_no_float_noise(session_csv: Path) -> None:
    done = run(session_csv, "--json", "--method", "mean")
    numbers = re.findall(r":\s*(-?[0-9][0-9.eE+-]*)", done.stdout)
    assert numbers and all(re.fullmatch(r"[0-9]+(\.[0-9]{1,2})?", n) for n in numbers)
    assert '"score": 90.5,' in done.stdout  # 心理关爱: (81 + 100) / 2
    assert '"score": 78.6,' in done.stdout  # 职工法律服务: (80 + 82.5 + 81 + 89.5 + 60) / 5
    assert '"内容实用有效": 24.7,' in done.stdout  # (25 + 26.5 + 24 + 28 + 20) / 5


def test_trim_min_and_method_in_effect(session_csv: Path) -> None:
    payload = json.loads(run(session_csv, "--json", "--trim-min", "4", "--method", "median").stdout)
    assert (payload["method"], payload["trim_min"]) == ("median", 4)


def test_round_trip_through_the_canonical_csv_and_the_xlsx_export(session_csv: Path, tmp_path: Path) -> None:
    original = run(session_csv, "--json", *WEIGHTS)
    file = read_sheet_file(session_csv)
    canonical = tmp_path / "canonical.csv"
    canonical.write_text(canonical_sheet_file(file.criteria, file.sheets), encoding="utf-8", newline="")
    assert run(canonical, "--json", *WEIGHTS).stdout == original.stdout
    workbook = Workbook()
    workbook.active.title = "说明"
    write_xlsx_sheet(workbook.create_sheet("评分明细"), file.criteria, file.sheets)
    buffer = io.BytesIO()
    workbook.save(buffer)
    exported = tmp_path / "export.xlsx"
    exported.write_bytes(buffer.getvalue())
    again = run(exported, "--json", *WEIGHTS)
    assert again.returncode == 0 and again.stdout == original.stdout
    assert again.stderr == ""  # the export holds counted sheets only
    table = run(exported)
    assert digest(file.criteria, file.sheets) in table.stdout


def test_weight_for_a_group_not_in_the_file_is_ignored(session_csv: Path) -> None:
    with_extra = run(session_csv, "--json", *WEIGHTS, "--group-weight", "其他=5")
    assert with_extra.returncode == 0 and with_extra.stdout == run(session_csv, "--json", *WEIGHTS).stdout


def test_no_counted_sheet_gives_an_empty_list(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("evaluator,group,project,A(10)\ne1,,P,\n", encoding="utf-8")
    done = run(path, "--json")
    assert done.returncode == 0
    assert json.loads(done.stdout) == {"method": "trimmed", "trim_min": 5, "projects": []}
    assert "P" in done.stderr


def _case(tmp_path: Path, body: str, name: str = "s.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(body.encode(encoding))
    return path


HEAD = "evaluator,group,project,A(10),B(10)\n"

ERRORS = [
    # (id, file body, extra args, expected line or None, a word expected in the English reason)
    ("bad score", HEAD + "e1,,P,8,9\ne2,,P,8.50,9\n", [], 3, "invalid"),
    ("unit", HEAD + "e1,,P,8分,9\n", [], 2, "invalid"),
    ("out of range", HEAD + "e1,,P,10.5,9\n", [], 2, "outside"),
    ("duplicate sheet", HEAD + "e1,,P,8,9\ne2,,P,8,9\ne1,,P,,\n", [], 4, "second sheet"),
    ("two groups", HEAD + "e1,A,P,8,9\ne1,B,Q,8,9\n", [], 3, "exactly one group"),
    ("missing weight", HEAD + "e1,A,P,8,9\ne2,B,P,,\n", ["--group-weight", "A=1"], 3, "no weight"),
    ("blank group with weights", HEAD + "e1,,P,8,9\n", ["--group-weight", "A=1"], 2, "blank"),
    ("trim-min 2", HEAD + "e1,,P,8,9\n", ["--trim-min", "2"], None, "at least 3"),
    ("trim-min text", HEAD + "e1,,P,8,9\n", ["--trim-min", "five"], None, "at least 3"),
    ("missing column", "evaluator,project,A(10)\ne1,P,8\n", [], 1, "missing column"),
    ("other column", "evaluator,group,project,A(10),备注\n", [], 1, "no other columns"),
    ("weight syntax", HEAD + "e1,A,P,8,9\n", ["--group-weight", "A0.4"], None, "NAME=W"),
    ("weight zero", HEAD + "e1,A,P,8,9\n", ["--group-weight", "A=0"], None, "positive"),
    ("weight negative", HEAD + "e1,A,P,8,9\n", ["--group-weight", "A=-0.4"], None, "positive"),
    (
        "weight twice",
        HEAD + "e1,A,P,8,9\n",
        ["--group-weight", "A=1", "--group-weight", "A=2"],
        None,
        "twice",
    ),
    ("bad method", HEAD + "e1,A,P,8,9\n", ["--method", "average"], None, "--method"),
]


@pytest.mark.parametrize(
    ("body", "args", "line", "word"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS]
)
def test_invalid_input_exits_2_with_the_reason(
    tmp_path: Path, body: str, args: list[str], line, word: str
) -> None:
    done = run(_case(tmp_path, body), "--json", *args)
    _assert_refused(done, line, word)


def _assert_refused(done: subprocess.CompletedProcess[str], line: int | None, word: str) -> None:
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("错误：") and lines[1].startswith("error: ")
    assert word in lines[1]
    if line is not None:
        assert f"第 {line} 行" in lines[0] and f"line {line}:" in lines[1]


def test_nonexistent_file(tmp_path: Path) -> None:
    _assert_refused(run(tmp_path / "nope.csv"), None, "no such file")


def test_gbk_file_is_refused_with_a_hint(tmp_path: Path) -> None:
    path = _case(tmp_path, "评委,分组,项目,内容(30)\n张三,,P,8\n", encoding="gbk")
    done = run(path)
    _assert_refused(done, 1, "UTF-8")
    assert "另存为" in done.stderr


def test_unreadable_and_unsupported_files(tmp_path: Path) -> None:
    _assert_refused(run(_case(tmp_path, "not a workbook", name="s.xlsx")), None, "XLSX")
    _assert_refused(run(_case(tmp_path, HEAD, name="s.xls")), None, "unsupported")
    _assert_refused(run(tmp_path), None, "cannot read")
