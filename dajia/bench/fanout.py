"""Live fan-out: K viewers of one session's SSE stream; how long a committed change takes to reach each of them.

The server is ``dajia.asgi`` under uvicorn: one process (events reach the streams in-process), then several
processes with ``REDIS_URL`` (the process that commits publishes to Redis; the others receive it from there).
The viewers are ``dajia.bench.sse_client`` processes. Each change is an evaluator's sheet sent to the server
(the phone's request); its time is taken when the request is *sent*, so a latency includes the write, its
commit and the publication — an upper bound of "committed → arrived". The changes are a second apart.
Memory per viewer: the server processes' resident memory with the K streams open, minus before, divided by K.
A viewer has *missed* when it never received the last change's event; intermediate events a viewer did not
receive are reported as *skipped* (the events carry absolute counts, so the latest state is what matters).

The viewers stay connected for ``runs`` bursts of ``events`` changes (connecting 10,000 of them is the slow
part); each burst is measured on its own, and the figures reported are the medians over the bursts, with their
spread (lowest, highest) beside them: on a shared machine one burst can be slowed by another job. Missed is the
worst burst's, not a median.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import time

from dajia.bench.common import PY, ROOT, BenchError, HttpConnection, percentile, r1, rss_kb

WARM_WRITES = 6
RUN_PAUSE = 2.0  # seconds between two bursts


def _post(base: str, path: str, body: bytes) -> int:
    import asyncio
    from urllib.parse import urlsplit

    parts = urlsplit(base)

    async def go():
        conn = HttpConnection(parts.hostname, parts.port)
        try:
            status, _ = await conn.request("POST", path, body, {"Content-Type": "application/json"})
            return status
        finally:
            conn.close()

    return asyncio.run(go())


def measure(server, live: dict, *, viewers: int, events: int, clients: int, log, runs: int = 3) -> dict:
    """Open ``viewers`` streams on ``server`` (split over ``clients`` processes), send ``runs`` bursts of
    ``events`` changes, and return the fan-out figures (medians over the bursts, and their spread)."""
    from urllib.parse import urlsplit

    parts = urlsplit(server.base)
    session = live["session"]
    channel_path = f"/live/session-{session}/events"
    # Warm the server (the hub starts with the first viewer) before taking its memory.
    warm = subprocess.Popen(  # noqa: S603
        [
            PY,
            "-m",
            "dajia.bench.sse_client",
            "--port",
            str(parts.port),
            "--path",
            channel_path,
            "--viewers",
            "2",
            "--events",
            "1",
            "--timeout",
            "1",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    warm.communicate(timeout=60)
    time.sleep(1.0)
    before = rss_kb(server.worker_pids())
    per = [viewers // clients + (1 if i < viewers % clients else 0) for i in range(clients)]
    procs = [
        subprocess.Popen(  # noqa: S603
            [
                PY,
                "-m",
                "dajia.bench.sse_client",
                "--port",
                str(parts.port),
                "--path",
                channel_path,
                "--viewers",
                str(n),
                "--events",
                str(events * runs + WARM_WRITES),
                "--timeout",
                # Ends early once every viewer has every event; only a failure waits this long. Generous:
                # under load each change's request can take a second or more on top of the pause after it.
                str(runs * (events * 3.0 + RUN_PAUSE) + 60),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in per
        if n
    ]
    connected = failed = 0
    started = time.monotonic()
    for proc in procs:
        line = proc.stdout.readline()
        if not line.startswith("READY"):
            for p in procs:
                p.kill()
            raise BenchError(f"SSE client failed: {line!r} {proc.stderr.read()[-1500:]}")
        _ready, c, f = line.split()
        connected += int(c)
        failed += int(f)
    log(f"  {connected} viewers connected in {time.monotonic() - started:.1f} s ({failed} failed)")
    time.sleep(2.0)  # let the server settle (and the streams' buffers be allocated) before measuring
    after = rss_kb(server.worker_pids())
    c0 = live["criteria"]
    scores = ",".join(f'"{c["id"]}":"{c["max"] // 2}"' for c in c0)
    # Warm every worker's writer (its first write opens a database connection and loads the catalogues):
    # changes on the second project, each from a new connection, so the kernel spreads them over the workers.
    # They are events too: the viewers see them, and each client counts them away by id below.
    for i in range(WARM_WRITES):
        body = f'{{"scores":{{{scores}}},"submission_id":"warm-{i}-{time.time_ns()}"}}'.encode()
        _post(server.base, f"/sessions/e/bench-e-{i}/entries/{live['entries'][1]}/sheet", body)
        time.sleep(0.4)
    time.sleep(1.0)
    sent_at: list[float] = []
    entry = live["entries"][0]
    for i in range(events * runs):
        if i and i % events == 0:
            time.sleep(RUN_PAUSE)
        token = f"bench-e-{live['evaluators'] - 1 - i}"
        body = f'{{"scores":{{{scores}}},"submission_id":"fanout-{i}-{time.time_ns()}"}}'.encode()
        sent_at.append(time.time())
        status = _post(server.base, f"/sessions/e/{token}/entries/{entry}/sheet", body)
        if status != 200:
            raise BenchError(f"the change was refused ({status})")
        time.sleep(1.0)
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=runs * (events * 3.0 + RUN_PAUSE) + 120)
        line = out.strip().splitlines()[-1] if out.strip() else ""
        try:
            outputs.append(json.loads(line))
        except ValueError:
            raise BenchError(f"SSE client output unreadable: {out[-500:]} {err[-1500:]}") from None
    arrivals: dict[int, list[float]] = {}
    for out in outputs:
        for event_id, times in out["arrivals"].items():
            arrivals.setdefault(int(event_id), []).extend(times)
    # The warm-up's events came first (ids are increasing): the measured changes are the last ones.
    ids = sorted(arrivals)[-events * runs :]
    if len(ids) < events * runs:
        raise BenchError(f"only {len(ids)} of {events * runs} changes reached any viewer")
    bursts = [
        _burst(ids[r * events : (r + 1) * events], sent_at[r * events : (r + 1) * events], arrivals, viewers)
        for r in range(runs)
    ]
    for r, b in enumerate(bursts, 1):
        log(
            f"  burst {r}/{runs}: p50/p99/max {b['p50_ms']}/{b['p99_ms']}/{b['max_ms']} ms, "
            f"{b['missed']} missed, {b['skipped']} skipped"
        )
    out = {"viewers": viewers, "connected": connected, "runs": runs}
    spread = out["spread"] = {}
    for key in ("p50_ms", "p95_ms", "p99_ms", "max_ms", "missed", "skipped"):
        values = [b[key] for b in bursts]
        out[key] = statistics.median(values)
        spread[key] = [min(values), max(values)]
    # Missed is the worst burst's: a median would hide a burst in which some viewers missed the final state.
    out["missed"] = spread["missed"][1]
    out.update(
        {
            "kb_per_viewer": round((after - before) / max(connected, 1), 1),
            "events": events,
            "processes": len(server.worker_pids()),
            "client_processes": len(procs),
            "bursts": bursts,
        }
    )
    log(
        f"  median of {runs} bursts: p99 {out['p99_ms']} ms ({spread['p99_ms'][0]}–{spread['p99_ms'][1]}), "
        f"{out['missed']} missed (worst burst), {out['skipped']} skipped "
        f"({spread['skipped'][0]}–{spread['skipped'][1]}), {out['kb_per_viewer']} KB per viewer"
    )
    return out


def _burst(ids: list[int], sent_at: list[float], arrivals: dict[int, list[float]], viewers: int) -> dict:
    """One burst's figures: latencies of its changes' events, and who missed its final state."""
    latencies: list[float] = []
    per_event: list[list] = []
    skipped = 0
    for event_id, sent in zip(ids, sent_at, strict=True):
        times = arrivals[event_id]
        these = [(t - sent) * 1000 for t in times]
        latencies.extend(these)
        per_event.append([r1(percentile(these, 50)), r1(max(these))])
        skipped += viewers - len(times)
    # Events carry absolute counts, so a viewer that falls behind may skip a state: it has *missed* only if
    # it never received the final one (the burst's last change); the states skipped on the way are apart.
    missed = viewers - len(arrivals[ids[-1]])
    return {
        "p50_ms": r1(percentile(latencies, 50)),
        "p95_ms": r1(percentile(latencies, 95)),
        "p99_ms": r1(percentile(latencies, 99)),
        "max_ms": r1(max(latencies)),
        "missed": missed,
        "skipped": skipped - missed,
        "per_event_p50_max_ms": per_event,
    }
