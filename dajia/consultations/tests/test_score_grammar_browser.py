"""The phone's score check (``evaluator.js``, ``DajiaScore``) against the server's grammar
(``dajia.scoring.grammar``): the same table of typed scores through both, in Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from dajia.scoring.tests.test_grammar import CASES, outcome

EVALUATOR_JS = Path(__file__).resolve().parents[1] / "static" / "consultations" / "evaluator.js"

READ_ALL = """(cases) => cases.map(([typed, max]) => {
  if (window.DajiaScore.clean(typed) === "") { return "blank"; }
  return window.DajiaScore.reason(typed, max) || window.DajiaScore.tenths(typed);
})"""


@pytest.mark.browser
def test_the_phone_and_the_server_read_every_case_alike(phone):
    # The script on a page without the evaluator's form: it defines DajiaScore and stops there.
    phone.set_content("<!doctype html><html lang='zh-CN'><body></body></html>")
    phone.add_script_tag(path=str(EVALUATOR_JS))
    in_js = phone.evaluate(READ_ALL, [[typed, maximum] for typed, maximum, _ in CASES])
    in_python = [outcome(typed, maximum) for typed, maximum, _ in CASES]
    disagreements = [
        (typed, js, py) for (typed, _, _), js, py in zip(CASES, in_js, in_python, strict=True) if js != py
    ]
    assert disagreements == []
    assert in_js == [expected for _, _, expected in CASES]
