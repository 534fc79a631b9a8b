"""``dajia needs suggest FILE``: one line per need, the web page's suggestion, no database."""

import argparse
import subprocess
import sys

import pytest
from openpyxl import Workbook

from dajia import cli_needs
from dajia.needs.suggest import default_suggester


def run(argv, capsys):
    parser = argparse.ArgumentParser(prog="dajia")
    cli_needs.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    code = args.func(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_a_text_file_gives_one_line_per_need(tmp_path, capsys):
    f = tmp_path / "needs.txt"
    f.write_text(
        "\ufeff希望组织消防安全培训，车间新员工多\r\n\r\n孩子暑假没人照看，希望办小候鸟班\n今天天气不错\n",
        encoding="utf-8",
    )
    code, out, err = run(["needs", "suggest", str(f)], capsys)
    assert code == 0 and err == ""
    assert out.splitlines() == [
        "安全技能培训\t希望组织消防安全培训，车间新员工多",
        "亲子关爱\t孩子暑假没人照看，希望办小候鸟班",
        "未分类\t今天天气不错",
    ]


def test_an_xlsx_is_read_from_its_first_column_skipping_the_header(tmp_path, capsys):
    wb = Workbook()
    ws = wb.active
    ws.append(["需求内容", "工会"])
    ws.append(["工资被拖欠两个月，想咨询法律", "某工会"])
    ws.append([None, None])
    ws.append(["最近晚上老是睡不着，白天上班没精神\n很焦虑", None])
    path = tmp_path / "paper.xlsx"
    wb.save(path)
    code, out, _err = run(["needs", "suggest", str(path)], capsys)
    assert code == 0
    assert out.splitlines() == [
        "法律服务\t工资被拖欠两个月，想咨询法律",
        "心理健康\t最近晚上老是睡不着，白天上班没精神 很焦虑",
    ]


def test_the_same_suggestion_as_the_core(tmp_path, capsys):
    texts = ["想考个叉车证", "爸妈年纪大了没人照顾", "园区企业想申请贷款"]
    f = tmp_path / "n.txt"
    f.write_text("\n".join(texts), encoding="utf-8")
    _code, out, _err = run(["needs", "suggest", str(f)], capsys)
    s = default_suggester()
    assert out.splitlines() == [f"{s.suggest(t).name}\t{t}" for t in texts]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [("gbk.txt", "消防培训".encode("gbk"), "UTF-8"), ("bad.xlsx", b"not a zip", ".xlsx")],
)
def test_an_unreadable_file_is_refused_with_the_reason(tmp_path, capsys, name, content, reason):
    f = tmp_path / name
    f.write_bytes(content)
    code, out, err = run(["needs", "suggest", str(f)], capsys)
    assert code == 2 and out == ""
    assert err.startswith("错误：") and reason in err


def test_a_missing_file_is_refused(tmp_path, capsys):
    code, out, err = run(["needs", "suggest", str(tmp_path / "none.txt")], capsys)
    assert code == 2 and out == "" and "无法读取" in err


def test_it_runs_without_django_or_a_database(tmp_path):
    f = tmp_path / "n.txt"
    f.write_text("希望组织消防安全培训\n", encoding="utf-8")
    code = (
        "import argparse, sys\n"
        "from dajia import cli_needs\n"
        "p = argparse.ArgumentParser(); cli_needs.add_parser(p.add_subparsers())\n"
        f"a = p.parse_args(['needs', 'suggest', {str(f)!r}]); rc = a.func(a)\n"
        "assert rc == 0 and not [m for m in sys.modules if m.split('.')[0] == 'django']\n"
    )
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "安全技能培训\t希望组织消防安全培训\n"


def test_the_dajia_command_offers_it():
    from dajia import cli

    args = cli.build_parser().parse_args(["needs", "suggest", "x.txt"])
    assert args.func is cli_needs.run_suggest
