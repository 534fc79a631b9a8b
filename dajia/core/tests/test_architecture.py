"""The architecture written down in ``.importlinter`` is the one checked: the contracts exist, name the layers of
README.md's layout table, pass on the tree, and a contract broken on purpose fails (so `make lint` would)."""

from __future__ import annotations

import configparser
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
CONFIG = ROOT / ".importlinter"
LAYERS = [
    "dajia.ledger",
    "dajia.checkups | dajia.lectures | dajia.finance",
    "dajia.desk",
    "dajia.orders | dajia.participation",
    "dajia.notices",
    "dajia.agreements",
    "dajia.needs",
    "dajia.consultations",
    "dajia.menu",
    "dajia.orgs",
    "dajia.workbench",
    "dajia.accounts",
    "dajia.notifications",
    "dajia.live",
    "dajia.core",
    "dajia.scoring",
]


def _config() -> configparser.ConfigParser:
    parser = configparser.ConfigParser()
    parser.read(CONFIG, encoding="utf-8")
    return parser


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.strip().splitlines() if line.strip()]


def test_the_contracts_exist_and_name_the_layers():
    config = _config()
    scoring = config["importlinter:contract:scoring-pure"]
    assert scoring["type"] == "forbidden"
    assert _lines(scoring["source_modules"]) == ["dajia.scoring"]
    assert {"django", "dajia.core", "dajia.consultations"} <= set(_lines(scoring["forbidden_modules"]))
    # its apps.py, and its tests (which may borrow the spreadsheet builders of core's tests)
    assert _lines(scoring["ignore_imports"]) == [
        "dajia.scoring.apps -> django",
        "dajia.scoring.tests.** -> dajia.**",
    ]
    layers = config["importlinter:contract:domain-layers"]
    assert layers["type"] == "layers"
    assert _lines(layers["layers"]) == LAYERS
    faces = _lines(layers["ignore_imports"])
    for face in ("views", "api", "urls", "admin", "forms", "exports", "nav", "demo"):
        assert f"dajia.*.{face} -> dajia.**" in faces
    assert "dajia.*.management.** -> dajia.**" in faces and "dajia.*.templatetags.** -> dajia.**" in faces
    # Only faces are let through: no domain module of one app may import an app above it, not even once.
    face = re.compile(
        r"\.(views\w*|api|fastpath\w*|urls\w*|admin|forms|exports|nav|demo|(templatetags|management|tests)\.\*\*)$"
    )
    assert [line for line in faces if not face.search(line.split(" -> ")[0])] == []


def test_make_lint_runs_the_contracts():
    lint = re.search(r"^lint:.*?(?=^\S)", (ROOT / "Makefile").read_text(), re.M | re.S).group(0)
    assert "lint-imports .importlinter" in lint


def test_the_readme_lists_every_app_with_its_layer():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    apps = sorted(p.parent.name for p in (ROOT / "dajia").glob("*/apps.py"))
    for app in apps:
        assert re.search(rf"^\| `dajia/{app}/` \|", readme, re.M), app


@pytest.mark.parametrize("broken", [False, True])
def test_the_tree_keeps_the_contracts_and_a_broken_one_fails(tmp_path, broken):
    config = _config()
    if broken:
        # core above consultations: consultations' services import core, so this layering must fail.
        order = _lines(config["importlinter:contract:domain-layers"]["layers"])
        order.remove("dajia.core")
        order.insert(0, "dajia.core")
        config["importlinter:contract:domain-layers"]["layers"] = "\n" + "\n".join(order)
    path = tmp_path / "contracts.ini"
    with path.open("w", encoding="utf-8") as out:
        config.write(out)
    lint = pathlib.Path(sys.executable).with_name("lint-imports")
    run = subprocess.run(
        [lint, str(path), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert run.returncode == (1 if broken else 0), run.stdout[-2000:]
    if broken:
        assert "dajia.consultations is not allowed to import dajia.core" in run.stdout.replace("\n", " ")
