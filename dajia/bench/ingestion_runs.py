"""The ingestion section of ``make bench``: the live session's writes through the one implementation of each
write rule (the ASGI edge in front of the batch services), beside the raw limit of the same machine, and the
same load through plain gunicorn views for comparison — on SQLite and PostgreSQL.

A shared machine is noisy, so each figure is the **median of ``--runs`` runs** (3 unless ``--quick``) with its
spread (lowest, highest); the machine's load average is recorded before and after every run and a warning is
written when it was higher than the cores. The data are generated once per database and each run starts
from a copy of them (``databases.clone_database``), so repeating a run costs its load, not the generation.
Lost, duplicated, unaudited and extra rows are summed over all runs: one of them in any run is a failure.
Each measured write load follows a warm-up of the same load on the same server (:func:`warmup_seconds`,
``ingestion.measure``), whose p99 is reported as ``cold_p99_ms`` beside the run's.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

from dajia.bench import common, cpu, ingestion, rawlimit
from dajia.bench.common import (
    BenchError,
    busy_warning,
    get_load,
    gunicorn_server,
    loadavg,
    uvicorn_server,
    wait_for_quiet,
)
from dajia.bench.databases import clone_database, fresh_database, generate, server_env

MEDIANS = (
    "rps",
    "ratio",
    "p50_ms",
    "p99_ms",
    "cold_p99_ms",
    "raw_limit_rps",
    "raw_limit_p99_ms",
    "trivial_rps",
    "cpu_ms",
    "db_cpu_ms",
    "total_cpu_ms",
    "cores_busy",
    "raw_total_cpu_ms",
    "raw_cores_busy",
    "cpu_bound_ratio",
)
ONE_PLACE = (
    "rps",
    "p50_ms",
    "p99_ms",
    "cold_p99_ms",
    "raw_limit_rps",
    "raw_limit_p99_ms",
    "trivial_rps",
)  # the rest: ratios, CPU ms
SUMS = (
    "errors",
    "acknowledged",
    "stored",
    "duplicated",
    "lost",
    "extra_stored",
    "unaudited",
    "replayed",
    "requests",
)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def summarise(runs: list[dict]) -> dict:
    """The figures of several runs: medians with their spread, sums of the counts, the loads, warnings."""
    out: dict = {"runs": len(runs), "spread": {}, "per_run": runs}
    for key in MEDIANS:
        values = [r[key] for r in runs if isinstance(r.get(key), int | float)]
        if values:
            out[key] = round(statistics.median(values), 1 if key in ONE_PLACE else 3)
            out["spread"][key] = [min(values), max(values)]
    for key in SUMS:
        if any(key in r for r in runs):
            out[key] = sum(r.get(key, 0) for r in runs)
    for key in ("sheets", "supports", "workers", "sheet_share", "connections", "seconds"):
        if runs and key in runs[-1]:
            out[key] = runs[-1][key]
    out["loads"] = [[r.get("load_before"), r.get("load_after")] for r in runs]
    warning = busy_warning(out["loads"])
    if warning:
        out["warning"] = warning
    return out


def _raw_load(base: str, tool: str, args):
    from dajia.bench.common import python_load, wrk_run

    body = '{"scores":{"1":"18.5","2":"12","3":"20","4":"21.5"},"submission_id":"s1234567"}'
    if tool == "wrk":
        lua = (
            'wrk.method = "POST"\nwrk.body = \'' + body + "'\n"
            'wrk.headers["Content-Type"] = "application/json"\n'
        )
        return wrk_run(base + "/raw", lua, seconds=args.seconds, connections=args.connections)
    data = body.encode()
    return python_load(
        base,
        lambda t, n: ("POST", "/raw", data, {"Content-Type": "application/json"}),
        seconds=args.seconds,
        connections=args.connections,
    )


def _raw_limit(kind: str, db: dict, build: Path, tool: str, args):
    if kind == "sqlite":
        raw_path = build / "raw-bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{raw_path}{suffix}").unlink(missing_ok=True)
        rawlimit.setup(sqlite_path=str(raw_path))
        raw_env = {"DAJIA_RAW_SQLITE": str(raw_path), "DAJIA_RAW_DATABASE_URL": ""}
    else:
        rawlimit.setup(database_url=db["DATABASE_URL"])
        raw_env = {"DAJIA_RAW_DATABASE_URL": db["DATABASE_URL"], "DAJIA_RAW_SQLITE": ""}
    with uvicorn_server(
        "rawlimit", "dajia.bench.rawlimit:app", raw_env, build / "logs", workers=args.workers
    ).start("/") as raw_server:
        before = cpu.sample(raw_server.pids())
        result = _raw_load(raw_server.base, tool, args)
        after = cpu.sample(raw_server.pids())
    return result, cpu.per_write(before, after, result.ok, result.seconds, database=kind == "postgresql")


def _cpu_bound(raw_cpu: dict, figures: dict) -> dict:
    """The raw limit's CPU per write and cores kept busy, and the ratio the same CPU time would give
    (``dajia.bench.cpu``): the raw limit's CPU per write over Dajia's, the server's and the database's."""
    raw_total, total = raw_cpu.get("total_cpu_ms"), figures.get("total_cpu_ms")
    if not raw_total or not total:
        return {}
    return {
        "raw_total_cpu_ms": raw_total,
        "raw_cores_busy": raw_cpu["cores_busy"],
        "cpu_bound_ratio": round(raw_total / total, 3),
    }


def warmup_seconds(seconds: float) -> float:
    """The warm-up before each measured write load (``ingestion.measure``): 2 s, a fifth of a shorter run."""
    return min(2.0, seconds / 5)


def _measure(server, plan, db: dict, live: dict, tool: str, args) -> dict:
    verify = ingestion.Db(sqlite_path=db.get("DAJIA_SQLITE_PATH", ""), url=db.get("DATABASE_URL", ""))
    figures = ingestion.measure(
        server.base,
        plan,
        verify,
        tool=tool,
        seconds=args.seconds,
        connections=args.connections,
        first_viewer=live["first_viewer"],
        server_pids=server.pids(),
        warmup=warmup_seconds(args.seconds),
    )
    if "Traceback" in server.log_tail(100000):
        log(f"  note: the server logged a traceback (see {server.log_path})")
    figures["_bad"] = figures["lost"] + figures["duplicated"] + figures["extra_stored"] + figures["unaudited"]
    return figures


def _live_reads(server, live: dict, tool: str, args) -> dict:
    """The summary's reads per second against the trivial endpoint's on the same server, in the order summary,
    trivial, trivial, summary (half the time each): the reads follow the ingestion run, and a machine that is
    still settling or a load that drifts during the measurement would otherwise weigh on whichever went first.
    The ratio is of the two endpoints' summed requests."""
    log("live reads: the session's summary against the trivial endpoint (summary, trivial, trivial, summary)")
    summary_url = f"{server.base}/live/session-{live['session']}/summary"
    if common.http_status(summary_url) != 200:
        raise BenchError(f"the summary answered {common.http_status(summary_url)}")
    seconds = min(args.seconds, 10) / 2
    ping_url = server.base + "/live/ping"
    legs: dict[str, list] = {summary_url: [], ping_url: []}
    for url in (summary_url, ping_url, ping_url, summary_url):
        legs[url].append(get_load(url, tool=tool, seconds=seconds, connections=args.connections))
    reads, pings = legs[summary_url], legs[ping_url]
    read_rps = sum(r.rps for r in reads) / len(reads)
    ping_rps = sum(p.rps for p in pings) / len(pings)
    return {
        "rps": round(read_rps),
        "trivial_rps": round(ping_rps),
        "ratio": round(read_rps / ping_rps, 3) if ping_rps else None,
        "p99_ms": common.r1(max((r.p99_ms for r in reads if r.p99_ms is not None), default=None)),
        "errors": sum(r.errors for r in reads),
        "endpoint": "/live/session-<id>/summary",
    }


def _one_database(kind: str, args, build: Path, tool: str, out: dict, live_reads: bool) -> None:
    log(f"ingestion on {kind}: preparing the data (once; each run starts from a copy)")
    template = fresh_database(kind, "ingest", build, args.postgres)
    sizes = ["--live", "--evaluators", str(args.evaluators), "--entries", str(args.entries)]
    live = generate(template, [*sizes, "--viewers", str(args.viewers_db)], build / f"ingest-{kind}.json")[
        "live"
    ]
    threads = 2 if tool == "wrk" else args.connections
    plan = ingestion.Plan.from_fixture(live, threads=threads, sheet_share=args.sheet_share, votes=True)
    edge_runs, view_runs, reads = [], [], []
    for run in range(args.runs):
        wait_for_quiet(args.max_load, 60, log)
        load_before = loadavg()
        log(f"ingestion on {kind}, run {run + 1}/{args.runs}: raw limit, then Dajia ({args.workers} workers)")
        raw, raw_cpu = _raw_limit(kind, template, build, tool, args)
        db = clone_database(template, f"edge{run}", build)
        with uvicorn_server(
            "dajia-asgi", "dajia.asgi:application", server_env(db), build / "logs", workers=args.workers
        ).start("/live/ping") as server:
            trivial = get_load(
                server.base + "/live/ping",
                tool=tool,
                seconds=min(args.seconds, 10),
                connections=args.connections,
            )
            figures = _measure(server, plan, db, live, tool, args)
            if live_reads:  # in every run: its figure is a median too
                reads.append({**_live_reads(server, live, tool, args), "load_before": load_before})
                reads[-1]["load_after"] = loadavg()
        figures.update(
            {
                "raw_limit_rps": round(raw.rps),
                "ratio": round(figures["rps"] / raw.rps, 3) if raw.rps else None,
                "trivial_rps": round(trivial.rps),
                "raw_limit_p99_ms": common.r1(raw.p99_ms),
                "workers": args.workers,
                "sheet_share": plan.sheet_share,
                "load_before": load_before,
                **_cpu_bound(raw_cpu, figures),
            }
        )
        log(f"ingestion on {kind}, run {run + 1}: the same load through gunicorn's Django views")
        db = clone_database(template, f"views{run}", build)
        with gunicorn_server("dajia-views", server_env(db), build / "logs", workers=args.workers).start(
            "/live/ping"
        ) as server:
            views = _measure(server, plan, db, live, tool, args)
        views.update(
            {"raw_limit_rps": round(raw.rps), "ratio": round(views["rps"] / raw.rps, 3) if raw.rps else None}
        )
        figures["load_after"] = views["load_after"] = loadavg()
        views["load_before"] = load_before
        edge_runs.append(figures)
        view_runs.append(views)
    section = summarise(edge_runs)
    section["_bad"] = sum(r["_bad"] for r in edge_runs)
    for r in edge_runs + view_runs:
        r.pop("_bad", None)
    section["gunicorn_views"] = summarise(view_runs)
    section["gunicorn_views"]["bad"] = sum(
        r["lost"] + r["duplicated"] + r["extra_stored"] + r["unaudited"] for r in view_runs
    )
    out.setdefault("ingestion", {})[kind] = section
    if reads:
        out["live_reads"] = {**summarise(reads), "endpoint": reads[-1]["endpoint"]}


def run_ingestion(args, build: Path, tool: str, out: dict) -> None:
    for kind in ("sqlite", "postgresql"):
        if kind == "postgresql" and not args.postgres:
            out.setdefault("ingestion", {})[kind] = {"skipped": "no PostgreSQL URL"}
            continue
        try:
            _one_database(
                kind, args, build, tool, out, live_reads=(kind == "sqlite" and "live_reads" in args.sections)
            )
        except (BenchError, OSError, subprocess.SubprocessError, ImportError) as e:
            out.setdefault("ingestion", {})[kind] = {"error": str(e)[-2000:]}
            log(f"ingestion on {kind} failed: {e}")
