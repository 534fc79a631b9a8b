"""``make bench`` (``python -m dajia.bench``): Dajia's performance figures, printed as a table beside their
targets and written as JSON to ``build/bench.json``. Everything runs on 127.0.0.1, bounded in time.

Sizes default to the issue's figures; every one can be changed by a flag or an environment variable
(``DAJIA_BENCH_<FLAG>``, e.g. ``DAJIA_BENCH_VIEWERS=1000``). ``--quick`` runs tiny sizes (the smoke test).
See README.md, "Performance".
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
import traceback
import uuid
from pathlib import Path

from dajia.bench import common
from dajia.bench.common import ROOT, BenchError, cores, have_wrk, loadavg, machine_speed, wait_for_quiet
from dajia.bench.databases import fresh_database, generate, server_env
from dajia.bench.ingestion_runs import run_ingestion
from dajia.bench.pages import PAGES

PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/dajia_bench"
REDIS_DEFAULT = "redis://127.0.0.1:6379/0"
SECTIONS = ["engine", "needs", "ingestion", "live_reads", "fanout", "pages"]

# (figure, JSON path, target, kind): kind ">=" / "<" / "==", with the target value.
TARGETS = [
    ("ingestion SQLite ÷ raw limit", ("ingestion", "sqlite", "ratio"), ">=", 0.5),
    ("ingestion SQLite p99 ms", ("ingestion", "sqlite", "p99_ms"), "<=", 250),
    ("ingestion SQLite lost+duplicated", ("ingestion", "sqlite", "_bad"), "==", 0),
    ("ingestion PostgreSQL ÷ raw limit", ("ingestion", "postgresql", "ratio"), ">=", 0.5),
    ("ingestion PostgreSQL p99 ms", ("ingestion", "postgresql", "p99_ms"), "<=", 250),
    ("ingestion PostgreSQL lost+duplicated", ("ingestion", "postgresql", "_bad"), "==", 0),
    ("live reads ÷ trivial", ("live_reads", "ratio"), ">=", 0.9),
    ("fan-out 1 process p99 ms", ("fanout", "one_process", "p99_ms"), "<", 500),
    ("fan-out 1 process missed", ("fanout", "one_process", "missed"), "==", 0),
    ("fan-out 1 process KB/viewer", ("fanout", "one_process", "kb_per_viewer"), "<=", 20),
    ("fan-out Redis p99 ms", ("fanout", "redis", "p99_ms"), "<", 500),
    ("fan-out Redis missed", ("fanout", "redis", "missed"), "==", 0),
    ("fan-out Redis KB/viewer", ("fanout", "redis", "kb_per_viewer"), "<=", 20),
    ("engine ms", ("engine", "ms"), "<", 100),
] + [(f"{label} p95 ms", ("pages", f"{key}_p95_ms"), "<", 100) for key, label, _path, _office in PAGES]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def env_default(name: str, default):
    raw = os.environ.get(f"DAJIA_BENCH_{name.upper()}")
    if raw is None or raw == "":
        return default
    return type(default)(raw) if not isinstance(default, bool) else raw.lower() in {"1", "true", "yes", "on"}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m dajia.bench", description=__doc__.split("\n\n")[0])
    add = p.add_argument
    add("--only", default=env_default("only", ""), help=f"comma-separated sections of {','.join(SECTIONS)}")
    add("--quick", action="store_true", default=env_default("quick", False), help="tiny sizes (a smoke test)")
    add("--out", default=env_default("out", str(ROOT / "build" / "bench.json")))
    add("--tool", default=env_default("tool", "auto"), choices=["auto", "wrk", "python"])
    add(
        "--workers",
        type=int,
        default=env_default("workers", cores()),
        help="server processes (default: cores)",
    )
    add("--seconds", type=float, default=env_default("seconds", 10.0), help="each load run")
    add(
        "--runs",
        type=int,
        default=env_default("runs", 3),
        help="runs of the ingestion and the pages; figures are their medians",
    )
    add("--connections", type=int, default=env_default("connections", 64), help="concurrent clients")
    add(
        "--sheet-share",
        type=int,
        default=env_default("sheet_share", 10),
        help="percent of writes that are sheets",
    )
    add("--evaluators", type=int, default=env_default("evaluators", 2000))
    add("--entries", type=int, default=env_default("entries", 20))
    add(
        "--viewers-db",
        type=int,
        default=env_default("viewers_db", 60000),
        help="verified viewers in the data",
    )
    add("--viewers", type=int, default=env_default("viewers", 10000), help="SSE viewers of the fan-out")
    add("--events", type=int, default=env_default("events", 10), help="changes sent during the fan-out")
    add("--fanout-workers", type=int, default=env_default("fanout_workers", max(2, cores())))
    add("--sse-clients", type=int, default=env_default("sse_clients", 2), help="viewer processes")
    add("--projects", type=int, default=env_default("projects", 10000))
    add("--orders", type=int, default=env_default("orders", 1_000_000))
    add("--needs-rows", type=int, default=env_default("needs_rows", 100_000), help="needs on the wall")
    add(
        "--results-panel",
        default=env_default("results_panel", "200x100"),
        help="results page: EVALUATORSxPROJECTS",
    )
    add("--cases", type=int, default=env_default("cases", 100_000), help="desk cases for the ledger")
    add("--page-connections", type=int, default=env_default("page_connections", 4))
    add("--page-seconds", type=float, default=env_default("page_seconds", 5.0), help="each page's load run")
    add("--engine-evaluators", type=int, default=env_default("engine_evaluators", 200))
    add("--engine-projects", type=int, default=env_default("engine_projects", 100))
    add("--engine-criteria", type=int, default=env_default("engine_criteria", 6))
    add("--postgres", default=env_default("postgres", PG_DEFAULT), help="PostgreSQL URL ('' to skip)")
    add("--redis", default=env_default("redis", REDIS_DEFAULT), help="Redis URL ('' to skip)")
    add(
        "--max-load",
        type=float,
        default=env_default("max_load", 1.5),
        help="wait for a quieter machine first",
    )
    args = p.parse_args(argv)
    if args.quick:
        args.seconds, args.connections = min(args.seconds, 2.0), min(args.connections, 8)
        args.evaluators, args.entries, args.viewers_db = 400, 4, 3000
        args.viewers, args.events, args.sse_clients, args.fanout_workers = 20, 2, 1, 2
        args.projects, args.orders, args.needs_rows, args.page_seconds = 60, 500, 100, 1.0
        args.results_panel, args.cases = "12x6", 300
        args.engine_evaluators, args.engine_projects, args.engine_criteria = 20, 10, 4
        args.max_load, args.runs = 1000.0, 1
    args.sections = [s for s in (args.only.split(",") if args.only else SECTIONS) if s]
    for s in args.sections:
        if s not in SECTIONS:
            p.error(f"unknown section {s!r}; choose from {','.join(SECTIONS)}")
    return args


# ---- environments ---------------------------------------------------------------------------------------


# ---- the sections --------------------------------------------------------------------------------------


def run_engine(args, out: dict) -> None:
    from dajia.scoring.bench import bench_engine

    out["engine"] = bench_engine(args.engine_evaluators, args.engine_projects, args.engine_criteria)


def run_needs(args, out: dict) -> None:
    from dajia.needs.bench import bench_suggest

    out["needs"] = bench_suggest()


def run_fanout(args, build: Path, out: dict) -> None:
    from dajia.bench import fanout
    from dajia.bench.common import uvicorn_server

    db = fresh_database("sqlite", "fanout", build, "")
    fixture = generate(
        db,
        ["--live", "--evaluators", str(max(50, args.events * 4)), "--entries", "2", "--viewers", "0"],
        build / "fanout.json",
    )
    live = fixture["live"]
    results = out.setdefault("fanout", {})
    for name, workers, redis_url in (
        ("one_process", 1, ""),
        ("redis", args.fanout_workers, args.redis),
    ):
        if name == "redis" and not (args.redis and _redis_answers(args.redis)):
            results[name] = {"skipped": "no Redis answers at " + (args.redis or "(none)")}
            continue
        wait_for_quiet(args.max_load, 60, log)
        log(f"fan-out ({name}): {args.viewers} viewers, {workers} server process(es)")
        prefix = f"dajia-bench-{uuid.uuid4().hex[:8]}:"
        env = server_env(db, redis_url=redis_url, prefix=prefix)
        try:
            with uvicorn_server(
                f"fanout-{name}", "dajia.asgi:application", env, build / "logs", workers=workers
            ).start("/live/ping") as server:
                results[name] = fanout.measure(
                    server, live, viewers=args.viewers, events=args.events, clients=args.sse_clients, log=log
                )
                results[name]["load"] = loadavg()
        except (BenchError, OSError, subprocess.SubprocessError) as e:
            results[name] = {"error": str(e)[-2000:]}
            log(f"fan-out ({name}) failed: {e}")


def _redis_answers(url: str) -> bool:
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def run_pages(args, build: Path, tool: str, out: dict) -> None:
    from dajia.bench import pages
    from dajia.bench.common import gunicorn_server

    path = build / "pages-bench.sqlite3"
    fixture_path = build / "pages.json"
    db = {"DAJIA_SQLITE_PATH": str(path)}
    fixture = json.loads(fixture_path.read_text()) if fixture_path.exists() and path.exists() else {}
    wanted = [args.projects, args.orders, args.needs_rows, args.results_panel, args.cases]
    if fixture.get("sizes") != wanted:
        log(
            f"pages: generating {args.projects} projects, {args.orders} orders, {args.needs_rows} needs,"
            f" a session of {args.results_panel} scored and {args.cases} desk cases (kept for the next run)"
        )
        started = time.monotonic()
        db = fresh_database("sqlite", "pages", build, "")
        sizes = [
            "--projects",
            str(args.projects),
            "--orders",
            str(args.orders),
            "--needs",
            str(args.needs_rows),
            "--results",
            args.results_panel,
            "--cases",
            str(args.cases),
        ]
        fixture = generate(db, sizes, fixture_path)
        fixture["sizes"] = wanted
        fixture["generated_seconds"] = round(time.monotonic() - started, 1)
        fixture_path.write_text(json.dumps(fixture), encoding="utf-8")
    else:
        common.manage(["migrate", "--noinput", "-v", "0"], server_env(db))
    env = server_env(db)
    common.manage(["collectstatic", "--noinput", "-v", "0"], env)
    wait_for_quiet(args.max_load, 60, log)
    log(
        f"pages: {len(PAGES)} pages ({args.page_connections} browsers, {args.page_seconds:.0f} s each,"
        f" {args.runs} runs)"
    )
    with gunicorn_server("pages", env, build / "logs", workers=args.workers).start("/menu/") as server:
        out["pages"] = pages.measure(
            server,
            fixture,
            tool=tool,
            seconds=args.page_seconds,
            connections=args.page_connections,
            runs=args.runs,
            log=log,
        )
    out["pages"]["generated_seconds"] = fixture.get("generated_seconds")


# ---- the report ----------------------------------------------------------------------------------------


def _get(out: dict, path: tuple):
    node = out
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def verdicts(out: dict) -> list[tuple[str, object, str, str]]:
    rows = []
    for label, path, op, target in TARGETS:
        value = _get(out, path)
        if value is None:
            section = _get(out, path[:2]) if len(path) > 2 else _get(out, path[:1])
            why = ""
            if isinstance(section, dict):
                why = section.get("skipped") or ("error" if "error" in section else "")
            rows.append((label, "—", f"{op} {target}", f"SKIP {why}".strip() if why != "error" else "ERROR"))
            continue
        ok = {">=": value >= target, "<": value < target, "<=": value <= target, "==": value == target}[op]
        rows.append((label, value, f"{op} {target}", "PASS" if ok else "MISS"))
    return rows


def _span(section: dict, key: str) -> str:
    """A figure's spread over the runs, "(lowest–highest)"; empty for a single run."""
    low, high = section.get("spread", {}).get(key, [None, None])
    return f"({low}–{high})" if low is not None and section.get("runs", 1) > 1 else ""


def _cpu(section: dict) -> str:
    """A write's CPU time, the server's and (PostgreSQL) the database's: "0.41 + 0.12 = 0.53"."""
    if "db_cpu_ms" not in section:
        return f"{section['total_cpu_ms']}"
    return f"{section['cpu_ms']} + {section['db_cpu_ms']} = {section['total_cpu_ms']}"


def table(out: dict) -> str:
    lines = []

    def row(a, b, c="", d=""):
        lines.append(f"  {a:<40} {b!s:>14}  {c:<12} {d}")

    row("figure", "value", "target", "")
    row("-" * 40, "-" * 14, "-" * 12, "----")
    for kind in ("sqlite", "postgresql"):
        ing = _get(out, ("ingestion", kind))
        if isinstance(ing, dict) and "rps" in ing:
            row(f"ingestion {kind}: runs (median, lowest–highest)", ing.get("runs", 1))
            row(f"ingestion {kind}: writes/s", ing["rps"], _span(ing, "rps"))
            row(f"ingestion {kind}: ÷ raw limit", ing.get("ratio"), _span(ing, "ratio"))
            row(f"ingestion {kind}: p50 / p99 ms", f"{ing['p50_ms']} / {ing['p99_ms']}", _span(ing, "p99_ms"))
            if "cold_p99_ms" in ing:  # the warm-up before the measured run (ingestion.measure)
                row(f"ingestion {kind}: p99 ms warming up", ing["cold_p99_ms"], _span(ing, "cold_p99_ms"))
            row(f"ingestion {kind}: acknowledged/stored", f"{ing['acknowledged']}/{ing['stored']}")
            row(f"ingestion {kind}: raw limit writes/s", ing["raw_limit_rps"], _span(ing, "raw_limit_rps"))
            row(f"ingestion {kind}: trivial endpoint req/s", ing["trivial_rps"])
            if "cpu_bound_ratio" in ing:  # dajia/bench/cpu.py: what the gap is made of
                row(f"ingestion {kind}: CPU ms a write", _cpu(ing), f"raw {ing['raw_total_cpu_ms']}")
                row(f"ingestion {kind}: cores kept busy", ing["cores_busy"], f"raw {ing['raw_cores_busy']}")
                row(
                    f"ingestion {kind}: ÷ raw for the same CPU",
                    ing["cpu_bound_ratio"],
                    _span(ing, "cpu_bound_ratio"),
                )
            views = ing.get("gunicorn_views") or {}
            if "rps" in views:
                row("  same load, gunicorn views: writes/s", views["rps"], f"÷ raw {views.get('ratio')}")
                row("  same load, gunicorn views: p99 ms", views["p99_ms"], f"bad {views.get('bad')}")
            if ing.get("warning"):
                row(f"ingestion {kind}: WARNING", "", ing["warning"])
    lr = out.get("live_reads")
    if isinstance(lr, dict) and "rps" in lr:
        row("live reads: summary req/s", lr["rps"], _span(lr, "rps"))
        row("live reads: trivial req/s", lr["trivial_rps"], _span(lr, "trivial_rps"))
        row("live reads: ÷ trivial", lr["ratio"], _span(lr, "ratio"))
    for name in ("one_process", "redis"):
        f = _get(out, ("fanout", name))
        if isinstance(f, dict) and "p50_ms" in f:
            row(f"fan-out {name}: viewers", f"{f['connected']}/{f['viewers']}")
            row(
                f"fan-out {name}: p50/p95/p99/max ms",
                f"{f['p50_ms']}/{f['p95_ms']}/{f['p99_ms']}/{f['max_ms']}",
            )
    pg = out.get("pages")
    if isinstance(pg, dict) and pg.get("runs"):
        row("pages: runs (median of p95, lowest–highest)", pg["runs"])
        if pg.get("warning"):
            row("pages: WARNING", "", pg["warning"])
        for key, label, _path, _office in PAGES:
            if f"{key}_p95_ms" in pg:
                row(
                    f"  {label}: p50 / p95 ms",
                    f"{pg[f'{key}_p50_ms']} / {pg[f'{key}_p95_ms']}",
                    _span(pg, f"{key}_p95_ms"),
                )
    needs = out.get("needs")
    if isinstance(needs, dict) and "accuracy" in needs:
        row("needs suggestion accuracy", f"{needs['accuracy']:.3f}")
        if needs.get("held_out_accuracy") is not None:
            row("needs suggestion accuracy (held out)", f"{needs['held_out_accuracy']:.3f}")
    row("", "")
    for label, value, target, verdict in verdicts(out):
        row(label, value, target, verdict)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    build = Path(args.out).resolve().parent / "bench"
    build.mkdir(parents=True, exist_ok=True)
    common.raise_fd_limit()
    tool = args.tool if args.tool != "auto" else ("wrk" if have_wrk() else "python")
    if tool == "wrk" and not have_wrk():
        log("wrk is not installed: using the asyncio client")
        tool = "python"
    out: dict = {
        "meta": {
            "load_tool": tool,
            "cores": cores(),
            "started_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "load_at_start": loadavg(),
            "speed_ms_at_start": machine_speed(),
            "python": platform.python_version(),
            "quick": args.quick,
            "workers": args.workers,
            "seconds_per_run": args.seconds,
            "connections": args.connections,
            "notes": [],
        }
    }
    if args.quick:
        out["meta"]["notes"].append("--quick: tiny sizes, figures not comparable with the targets")
    if not args.quick and args.viewers < 10000:
        out["meta"]["notes"].append(f"fan-out scaled down to {args.viewers} viewers (issue: 10,000)")
    if not args.quick and args.orders < 1_000_000:
        out["meta"]["notes"].append(f"delivery overview with {args.orders} orders (issue: 1,000,000)")
    for note in out["meta"]["notes"]:
        log(f"note: {note}")
    steps = [
        ("engine", lambda: run_engine(args, out)),
        ("needs", lambda: run_needs(args, out)),
        ("ingestion", lambda: run_ingestion(args, build, tool, out)),
        ("fanout", lambda: run_fanout(args, build, out)),
        ("pages", lambda: run_pages(args, build, tool, out)),
    ]
    wanted = set(args.sections)
    if "live_reads" in wanted and "ingestion" not in wanted:
        # The live reads run against the ingestion server (its data); with --only live_reads, ingestion runs
        # on SQLite only, shortly.
        args.postgres = ""
        wanted.add("ingestion")
    for name, step in steps:
        if name not in wanted:
            continue
        section_started = time.monotonic()
        try:
            step()
        except Exception as e:
            out.setdefault(name, {})["error"] = f"{type(e).__name__}: {e}"[-2000:]
            log(f"{name} failed:\n{traceback.format_exc()}")
        log(f"{name}: {time.monotonic() - section_started:.0f} s")
    out["meta"]["load_at_end"] = loadavg()
    out["meta"]["speed_ms_at_end"] = machine_speed()
    out["meta"]["seconds"] = round(time.monotonic() - started)
    out["verdicts"] = [
        {"figure": label, "value": value, "target": target, "result": verdict}
        for label, value, target, verdict in verdicts(out)
    ]
    for kind in ("sqlite", "postgresql"):
        section = _get(out, ("ingestion", kind))
        if isinstance(section, dict):
            section.pop("_bad", None)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")
    print(table_with_bad(out))
    print(
        f"\n  (written to {args.out}; {out['meta']['seconds']} s; load {out['meta']['load_at_start']} → "
        f"{out['meta']['load_at_end']}; tool {tool}; machine speed {out['meta']['speed_ms_at_start']} → "
        f"{out['meta']['speed_ms_at_end']} ms, common.machine_speed)"
    )
    return 0


def table_with_bad(out: dict) -> str:
    # "lost+duplicated" verdicts read a helper figure that the JSON does not keep; recompute it for the table.
    for kind in ("sqlite", "postgresql"):
        section = _get(out, ("ingestion", kind))
        if isinstance(section, dict) and "lost" in section:
            section["_bad"] = (
                section["lost"] + section["duplicated"] + section["extra_stored"] + section["unaudited"]
            )
    try:
        return table(out)
    finally:
        for kind in ("sqlite", "postgresql"):
            section = _get(out, ("ingestion", kind))
            if isinstance(section, dict):
                section.pop("_bad", None)


if __name__ == "__main__":
    sys.exit(main())
