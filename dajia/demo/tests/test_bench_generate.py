"""``manage.py bench_generate`` writes rows with plain INSERTs beside the models, so a new NOT NULL column or a
maintained copy (a project's category position, a need's supporters) must be written there too: the pages'
data at tiny sizes, on a throw-away migrated database, checked against what the models would hold."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest

from dajia.bench.databases import server_env

pytestmark = pytest.mark.concurrency


def test_the_pages_data_holds_what_the_models_would(tmp_path):
    path = tmp_path / "pages-bench.sqlite3"
    fixture = tmp_path / "pages.json"
    env = {**os.environ, **server_env({"DAJIA_SQLITE_PATH": str(path)})}
    for args in (
        ["migrate", "--noinput", "-v", "0"],
        ["bench_generate", "--projects", "40", "--orders", "60", "--needs", "50", "--fixture", str(fixture)],
    ):
        done = subprocess.run(
            [sys.executable, "manage.py", *args], env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr[-3000:]
    data = json.loads(fixture.read_text(encoding="utf-8"))
    assert (
        data["projects"]["projects"] >= 40 and data["orders"]["orders"] == 60 and data["needs"]["needs"] == 50
    )
    db = sqlite3.connect(path)
    stale_positions = db.execute(
        "SELECT count(*) FROM menu_serviceproject p JOIN menu_category c ON c.id = p.category_id"
        " WHERE p.category_position != c.position"
    ).fetchone()[0]
    wrong_counts = db.execute(
        "SELECT count(*) FROM needs_need n WHERE n.support_count !="
        " (SELECT count(*) FROM needs_support s WHERE s.need_id = n.id)"
    ).fetchone()[0]
    supports = db.execute("SELECT count(*) FROM needs_support").fetchone()[0]
    assert (stale_positions, wrong_counts) == (0, 0) and supports == data["needs"]["supports"] > 0
