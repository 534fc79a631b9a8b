"""The ingestion's warm-up (``ingestion.measure``'s ``warmup``): the measured run goes on from the counters the
warm-up ended with, so that every write of the two runs is a new one and the database check covers both."""

from __future__ import annotations

import json
import re
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from dajia.bench import ingestion
from dajia.bench.ingestion_runs import warmup_seconds


def test_a_thread_goes_on_from_the_counters_it_is_given(tiny_plan):
    plan = tiny_plan
    # Request 100 of thread 1, its 11th sheet: write 10 * T + 1, not write 1 again.
    (_method, _path, body, _headers), kind = ingestion.plan_request(plan, 1, ingestion.Counter(100, 10, 90))
    assert kind == "sheet" and json.loads(body)["submission_id"] == "s21"
    # wrk's script sets each thread's counters in init(), after setup() has named the thread.
    lua = ingestion.lua_script(plan, [(100, 10, 90), (7, 3, 4)])
    assert "local START = {{100,10,90},{7,3,4}}" in lua
    assert "local s = START[tid + 1]" in lua and "n, sheets, votes = s[1], s[2], s[3]" in lua
    assert "local START = {}" in ingestion.lua_script(plan)  # a first run starts at 0


def test_the_counts_of_two_runs_are_the_writes_of_both():
    warm = ingestion.RunCounts(
        sheets=[2, 1], votes=[3, 3], retries=1, ok_sheets=2, ok_votes=6, ok_retries=1,
        pending_sheets={"s1"}, state=[(5, 2, 3), (4, 1, 3)],
    )  # fmt: skip
    measured = ingestion.RunCounts(
        sheets=[4, 2], votes=[9, 8], retries=0, ok_sheets=3, ok_votes=11, ok_retries=0,
        pending_sheets={"s7"}, state=[(13, 4, 9), (10, 2, 8)],
    )  # fmt: skip
    both = measured.after(warm)
    # The per-thread counters went on from the warm-up's, so the measured run's are the totals.
    assert (both.sheets, both.votes, both.state) == ([4, 2], [9, 8], [(13, 4, 9), (10, 2, 8)])
    assert (both.ok_sheets, both.ok_votes, both.retries, both.ok_retries) == (5, 17, 1, 1)
    assert both.pending_sheets == {"s1", "s7"}
    # Thread t's s-th sheet is write s·T + t: what the database check expects stored.
    assert both.sheet_ids(2) == {"s0", "s2", "s4", "s6", "s1", "s3"}


def test_the_warm_up_is_two_seconds_or_a_fifth_of_a_short_run():
    assert warmup_seconds(10.0) == 2.0
    assert warmup_seconds(2.0) == 0.4


class _Recorder(BaseHTTPRequestHandler):
    """Answers every write as Dajia would (a sheet's answer names its submission) and records the sheets."""

    protocol_version = "HTTP/1.1"  # keep-alive, as wrk's connections
    seen: list[str] = []
    lock = threading.Lock()

    def do_POST(self):  # http.server calls it by this name
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        found = re.search(rb'"submission_id":"(s\d+)"', body)
        answer = b'{"ok": true}'
        if found:
            with self.lock:
                self.seen.append(found[1].decode())
            answer = b'{"submission_id": "%s", "created": true}' % found[1]
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (Debian's package wrk)")
def test_under_wrk_the_measured_run_sends_new_sheets_after_the_warm_up(tiny_plan):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Recorder.seen = []
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        plan = tiny_plan
        _r, warm = ingestion.run_wrk(base, plan, seconds=1, connections=2)
        first = set(_Recorder.seen)
        _Recorder.seen = []
        _r, measured = ingestion.run_wrk(base, plan, seconds=1, connections=2, start=warm.state)
    finally:
        server.shutdown()
        server.server_close()
    assert warm.ok_sheets > 0 and measured.ok_sheets > 0
    # Each thread went on: its counters only grew, and no new sheet of the measured run repeats a warm-up's
    # (a retry resends the thread's latest sheet, which may be the warm-up's last).
    for (n, sheets, votes), (n0, sheets0, votes0) in zip(measured.state, warm.state, strict=True):
        assert n > n0 and sheets >= sheets0 and votes >= votes0
    retries_of_warm = {f"s{(s - 1) * plan.threads + t}" for t, (_n, s, _v) in enumerate(warm.state)}
    assert (set(_Recorder.seen) & first) <= retries_of_warm
    assert first | set(_Recorder.seen) <= measured.after(warm).sheet_ids(plan.threads)
