"""The demo's sessions: their exported 评分明细, fed to ``dajia tally``, reproduce the published (or revealed)
ranking and scores exactly, and the published digest."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from dajia.consultations.exports import results_xlsx
from dajia.consultations.models import PublishedResult, Session, Sheet
from dajia.consultations.results import result_data, session_tally
from dajia.scoring import engine
from dajia.scoring.sheetfile import parse_bytes

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


def test_demo_sessions_retally_to_their_results(tmp_path):
    call_command("load_demo", stdout=io.StringIO())
    sessions = [
        s
        for s in Session.objects.order_by("pk")
        if Sheet.objects.filter(entry__session=s, complete=True).exists()
    ]
    assert sessions, "the demo holds consultation sessions with complete sheets"
    for session in sessions:
        _, context = session_tally(session)
        published = PublishedResult.objects.filter(session=session).first()
        expected = published.payload if published else result_data(context)
        data = results_xlsx(context)
        path = tmp_path / f"demo-{session.pk}.xlsx"
        path.write_bytes(data)
        command = [
            sys.executable,
            "-m",
            "dajia.cli",
            "tally",
            str(path),
            "--json",
            "--method",
            session.method,
            "--trim-min",
            str(session.trim_min),
        ]
        for group, weight in session.group_weights.items():
            command += ["--group-weight", f"{group}={weight}"]
        done = subprocess.run(command, capture_output=True, cwd=ROOT, timeout=60, check=False)
        assert done.returncode == 0, done.stderr.decode()
        cli = {p["project"]: p for p in json.loads(done.stdout.decode(), parse_float=Decimal)["projects"]}
        assert sorted(cli) == sorted(p["project"] for p in expected["projects"])
        for item in expected["projects"]:
            again = cli[item["project"]]
            assert (Decimal(again["score"]), again["rank"], again["tied"]) == (
                Decimal(item["score"]),
                item["rank"],
                item["tied"],
            ), item["project"]
        if published is not None:
            sheet_file = parse_bytes(data, path.name)
            assert engine.digest(sheet_file.criteria, sheet_file.sheets) == published.digest
