"""``make bench`` must not rot: the harness end to end at tiny sizes (SQLite, the asyncio client, no wrk, Redis or
PostgreSQL), and its bookkeeping."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dajia.bench import ingestion
from dajia.bench.__main__ import TARGETS, parse_args, table, verdicts
from dajia.bench.common import percentile
from dajia.bench.ingestion_runs import summarise

ROOT = Path(__file__).resolve().parents[3]


def _quick_bench(tmp_path: Path, only: str, *, timeout: int) -> tuple[subprocess.CompletedProcess, dict]:
    """``make bench --quick`` for some sections, on SQLite with the asyncio client: its output and its JSON."""
    out = tmp_path / "bench.json"
    argv = ["--quick", "--tool", "python", "--postgres", "", "--redis", "", "--only", only, "--out", str(out)]
    done = subprocess.run(
        [sys.executable, "-m", "dajia.bench", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done, json.loads(out.read_text())


def test_percentiles_and_verdicts():
    assert percentile([], 50) is None
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 50) == 3.0
    assert percentile(list(range(1, 101)), 99) == 99
    out = {
        "engine": {"ms": 250.0},
        "pages": {"menu_p95_ms": 20.0},
        "fanout": {"redis": {"skipped": "no Redis"}},
    }
    rows = {label: verdict for label, _v, _t, verdict in verdicts(out)}
    assert rows["engine ms"] == "MISS" and rows["menu, first page p95 ms"] == "PASS"
    assert rows["fan-out Redis p99 ms"].startswith("SKIP")
    assert len(rows) == len(TARGETS) and "engine ms" in table(out)


def test_the_python_client_sends_what_the_lua_script_sends(tiny_plan):
    plan = tiny_plan
    counter = ingestion.Counter()
    kinds = [ingestion.plan_request(plan, 1, counter)[1] for _ in range(100)]
    assert kinds.count("retry") == 1 and kinds.count("sheet") == 49 and kinds.count("vote") == 50
    _method, path, body, _headers = ingestion.sheet_request(plan, 9)
    assert path == "/sessions/e/bench-e-4/entries/12/sheet"
    assert json.loads(body) == {"scores": {"1": "9.9", "2": "2.0"}, "submission_id": "s9"}
    # Each viewer's first K supports go to distinct projects.
    keys = [ingestion.vote_key(plan, g) for g in range(8)]
    assert len(set(keys)) == 8 and all(len({e for v, e in keys if v == n}) == 2 for n in range(4))
    lua = ingestion.lua_script(plan)
    assert "local T, E, V, SHARE, RETRY = 2, 5, 4, 50, 50" in lua and "bench-e-" in lua


@pytest.mark.concurrency
def test_make_bench_runs_end_to_end_at_tiny_sizes(tmp_path):
    done, data = _quick_bench(tmp_path, "engine,needs,ingestion,live_reads", timeout=180)
    assert data["meta"]["load_tool"] == "python" and data["meta"]["quick"] is True
    # The machine's speed, before and after, so that runs on two machines are compared for what they are.
    speeds = (data["meta"]["speed_ms_at_start"], data["meta"]["speed_ms_at_end"])
    assert all(isinstance(ms, float) and ms > 0 for ms in speeds)
    assert f"machine speed {speeds[0]} → {speeds[1]} ms" in done.stdout
    sqlite = data["ingestion"]["sqlite"]
    assert "error" not in sqlite, sqlite
    assert sqlite["acknowledged"] == sqlite["stored"] > 0
    assert sqlite["duplicated"] == sqlite["lost"] == sqlite["extra_stored"] == sqlite["unaudited"] == 0
    assert sqlite["raw_limit_rps"] > 0 and sqlite["ratio"] > 0
    assert sqlite["supports"] > 0 and sqlite["sheets"] > 0
    # The measured run followed a warm-up of the same load (a fifth of --quick's 2 s), checked with it above.
    assert sqlite["per_run"][0]["warmup_seconds"] == 0.4 and sqlite["cold_p99_ms"] > 0
    assert data["ingestion"]["postgresql"] == {"skipped": "no PostgreSQL URL"}
    reads = data["live_reads"]
    assert reads["rps"] > 0 and reads["errors"] == 0 and reads["runs"] == 1  # --quick: one run
    assert reads["spread"]["ratio"][0] <= reads["ratio"] <= reads["spread"]["ratio"][1]
    assert "live reads: ÷ trivial" in done.stdout
    assert data["engine"]["ms"] > 0 and 0 < data["needs"]["accuracy"] <= 1
    assert "ingestion SQLite ÷ raw limit" in done.stdout
    views = sqlite["gunicorn_views"]  # the same load through plain gunicorn views, for comparison
    assert views["acknowledged"] == views["stored"] > 0 and views["bad"] == 0
    assert sqlite["runs"] == 1 and len(sqlite["loads"]) == 1
    # What a write costs in CPU, Dajia's and the raw limit's (dajia/bench/cpu.py; on SQLite all in the server).
    assert sqlite["total_cpu_ms"] == sqlite["cpu_ms"] > 0 and "db_cpu_ms" not in sqlite
    assert sqlite["raw_total_cpu_ms"] > 0
    assert sqlite["cpu_bound_ratio"] == round(sqlite["raw_total_cpu_ms"] / sqlite["total_cpu_ms"], 3)
    assert sqlite["cores_busy"] > 0 and sqlite["raw_cores_busy"] > 0
    assert "ingestion sqlite: ÷ raw for the same CPU" in done.stdout


def test_quick_sizes_fit_their_data():
    args = parse_args(["--quick"])
    assert args.viewers_db * 3 >= 2000 and args.evaluators * args.entries >= 1000


def test_figures_are_medians_of_the_runs_with_their_spread_and_a_busy_machine_is_said():
    runs = [
        {"rps": 100, "ratio": 0.4, "p99_ms": 300.0, "lost": 0, "load_before": [0.5], "load_after": [0.7]},
        {"rps": 300, "ratio": 0.6, "p99_ms": 90.0, "lost": 1, "load_before": [0.5], "load_after": [0.6]},
        {"rps": 200, "ratio": 0.5, "p99_ms": 120.0, "lost": 0, "load_before": [99.0], "load_after": [0.6]},
    ]
    out = summarise(runs)
    assert (out["rps"], out["ratio"], out["p99_ms"]) == (200, 0.5, 120.0)
    assert out["spread"]["rps"] == [100, 300] and out["spread"]["p99_ms"] == [90.0, 300.0]
    assert out["lost"] == 1 and out["runs"] == 3  # counts are summed: one lost write in any run fails
    assert "busy" in out["warning"]
    assert "warning" not in summarise(runs[:2])


@pytest.mark.concurrency
def test_the_pages_bench_measures_every_page_at_tiny_sizes(tmp_path):
    done, data = _quick_bench(tmp_path, "pages", timeout=600)
    pages = data["pages"]
    from dajia.bench.pages import PAGES

    for key, *_rest in PAGES:  # every page named by the issue, the results page and the ledger included
        low, high = pages["spread"][f"{key}_p95_ms"]
        assert 0 < low <= pages[f"{key}_p95_ms"] <= high, key
    assert pages["runs"] == 1 and len(pages["loads"]) == 1  # --quick: one run
    assert pages["results"]["sheets"] > 0 and pages["cases"] == 300
    assert "results page (live tally): p50 / p95 ms" in done.stdout
