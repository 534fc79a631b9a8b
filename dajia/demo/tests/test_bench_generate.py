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


def test_the_results_session_and_the_desk_cases_are_what_the_services_and_models_would_hold(tmp_path):
    path = tmp_path / "pages-bench.sqlite3"
    fixture = tmp_path / "pages.json"
    env = {**os.environ, **server_env({"DAJIA_SQLITE_PATH": str(path)})}

    def manage(*args):
        done = subprocess.run(
            [sys.executable, "manage.py", *args], env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    manage("migrate", "--noinput", "-v", "0")
    manage("bench_generate", "--results", "12x6", "--cases", "300", "--fixture", str(fixture))
    data = json.loads(fixture.read_text(encoding="utf-8"))
    session = data["results"]["session"]
    assert (data["results"]["evaluators"], data["results"]["projects"], data["results"]["criteria"]) == (
        12,
        6,
        6,
    )
    db = sqlite3.connect(path)
    sheets, scores = db.execute(
        "SELECT count(DISTINCT s.id), count(*) FROM consultations_sheet s"
        " JOIN consultations_sessionproject e ON e.id = s.entry_id"
        " JOIN consultations_score v ON v.sheet_id = s.id WHERE e.session_id = ?",
        [session],
    ).fetchone()
    assert sheets == data["results"]["sheets"] > 0 and scores == sheets * 6
    # The office's results page tallies it: every project ranked, two weighted groups.
    printed = manage(
        "shell",
        "-c",
        "from dajia.consultations.models import Session;"
        "from dajia.consultations.results import session_tally;"
        f"r, c = session_tally(Session.objects.get(pk={session}), diagnostics=True);"
        "print(len(r.projects), sorted(c.groups))",
    )
    assert printed.strip().splitlines()[-1] == "6 ['基层工会主席', '政协委员']"
    cases, open_cases, unassigned = db.execute(
        "SELECT count(*), sum(status IN ('new', 'assigned', 'in_progress')),"
        " sum((SELECT count(*) FROM desk_assignment a WHERE a.case_id = c.id) != (c.status != 'new'))"
        " FROM desk_case c"
    ).fetchone()
    assert (cases, unassigned) == (300, 0) and 0 < open_cases < 30
    # The cases went in as plain rows; their months are in the desk's tallies all the same.
    counted, finished = db.execute(
        "SELECT (SELECT sum(finished) FROM desk_tally WHERE kind = 'case'),"
        " (SELECT count(*) FROM desk_case WHERE finished_at IS NOT NULL)"
    ).fetchone()
    assert counted == finished > 250
