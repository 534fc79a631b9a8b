from types import SimpleNamespace

from dajia.bench import common, ingestion_runs
from dajia.bench.common import LoadResult


def test_live_reads_alternate_summary_and_trivial_and_compare_their_sums(monkeypatch):
    """A machine that settles after the ingestion run weighs on both endpoints alike: summary, trivial, trivial,
    summary, half the time each, and the ratio of the means."""
    calls = []
    answers = iter([400, 1000, 900, 500])  # requests a second, in the order measured

    def fake_load(url, *, tool, seconds, connections):
        calls.append((url.rsplit("/", 1)[-1], seconds))
        return LoadResult(tool=tool, seconds=1.0, requests=(n := next(answers)), ok=n, p99_ms=float(n) / 100)

    monkeypatch.setattr(ingestion_runs, "get_load", fake_load)
    monkeypatch.setattr(common, "http_status", lambda url: 200)
    server = SimpleNamespace(base="http://127.0.0.1:1")
    args = SimpleNamespace(seconds=10, connections=64)

    reads = ingestion_runs._live_reads(server, {"session": 7}, "wrk", args)

    assert calls == [("summary", 5.0), ("ping", 5.0), ("ping", 5.0), ("summary", 5.0)]
    assert reads["rps"] == 450 and reads["trivial_rps"] == 950
    assert reads["ratio"] == round(450 / 950, 3)
    assert reads["p99_ms"] == 5.0 and reads["errors"] == 0
