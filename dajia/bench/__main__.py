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
from dajia.bench.common import ROOT, BenchError, cores, have_wrk, loadavg, wait_for_quiet

PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/dajia_bench"
REDIS_DEFAULT = "redis://127.0.0.1:6379/0"
SECTIONS = ["engine", "needs", "ingestion", "live_reads", "fanout", "pages"]

# (figure, JSON path, target, kind): kind ">=" / "<" / "==", with the target value.
TARGETS = [
    ("ingestion SQLite ÷ raw limit", ("ingestion", "sqlite", "ratio"), ">=", 0.5),
    ("ingestion SQLite lost+duplicated", ("ingestion", "sqlite", "_bad"), "==", 0),
    ("ingestion PostgreSQL ÷ raw limit", ("ingestion", "postgresql", "ratio"), ">=", 0.5),
    ("ingestion PostgreSQL lost+duplicated", ("ingestion", "postgresql", "_bad"), "==", 0),
    ("live reads ÷ trivial", ("live_reads", "ratio"), ">=", 0.8),
    ("fan-out 1 process p99 ms", ("fanout", "one_process", "p99_ms"), "<", 500),
    ("fan-out 1 process missed", ("fanout", "one_process", "missed"), "==", 0),
    ("fan-out 1 process KB/viewer", ("fanout", "one_process", "kb_per_viewer"), "<=", 40),
    ("fan-out Redis p99 ms", ("fanout", "redis", "p99_ms"), "<", 500),
    ("fan-out Redis missed", ("fanout", "redis", "missed"), "==", 0),
    ("fan-out Redis KB/viewer", ("fanout", "redis", "kb_per_viewer"), "<=", 40),
    ("engine ms", ("engine", "ms"), "<", 200),
    ("menu p95 ms", ("pages", "menu_p95_ms"), "<", 100),
    ("delivery overview p95 ms", ("pages", "dashboard_p95_ms"), "<", 100),
]


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
    add("--seconds", type=float, default=env_default("seconds", 20.0), help="each load run")
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
    add("--viewers", type=int, default=env_default("viewers", 5000), help="SSE viewers of the fan-out")
    add("--events", type=int, default=env_default("events", 10), help="changes sent during the fan-out")
    add("--fanout-workers", type=int, default=env_default("fanout_workers", max(2, cores())))
    add("--sse-clients", type=int, default=env_default("sse_clients", 2), help="viewer processes")
    add("--projects", type=int, default=env_default("projects", 10000))
    add("--orders", type=int, default=env_default("orders", 1_000_000))
    add("--page-connections", type=int, default=env_default("page_connections", 4))
    add("--page-seconds", type=float, default=env_default("page_seconds", 10.0))
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
        args.projects, args.orders, args.page_seconds = 60, 500, 1.0
        args.engine_evaluators, args.engine_projects, args.engine_criteria = 20, 10, 4
        args.max_load = 1000.0
    args.sections = [s for s in (args.only.split(",") if args.only else SECTIONS) if s]
    for s in args.sections:
        if s not in SECTIONS:
            p.error(f"unknown section {s!r}; choose from {','.join(SECTIONS)}")
    return args


# ---- environments ---------------------------------------------------------------------------------------


def server_env(db: dict, *, redis_url: str = "", prefix: str = "") -> dict[str, str]:
    """The production settings, on the benchmark's database (``db``: DAJIA_SQLITE_PATH or DATABASE_URL)."""
    return {
        "DJANGO_SETTINGS_MODULE": "dajia.bench.settings",
        "DAJIA_DEBUG": "0",
        "DAJIA_TESTING": "",
        "DAJIA_SECRET_KEY": "bench-only-secret-key-for-a-throw-away-database",
        "DAJIA_SSL_REDIRECT": "0",
        "DAJIA_HTTPS": "0",
        "DAJIA_LOG_LEVEL": "WARNING",
        "REDIS_URL": redis_url,
        "DAJIA_BENCH_REDIS_PREFIX": prefix,
        "DATABASE_URL": db.get("DATABASE_URL", ""),
        "DAJIA_SQLITE_PATH": db.get("DAJIA_SQLITE_PATH", ""),
        "PYTHONUNBUFFERED": "1",
    }


def fresh_database(kind: str, name: str, build: Path, pg_url: str) -> dict:
    """A new, migrated database for one benchmark: a SQLite file under build/bench, or a PostgreSQL database."""
    if kind == "sqlite":
        path = build / f"{name}-bench.sqlite3"
        for suffix in ("", "-wal", "-shm", ".fastpath-lock"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        db = {"DAJIA_SQLITE_PATH": str(path)}
    else:
        from urllib.parse import urlsplit, urlunsplit

        import psycopg

        parts = urlsplit(pg_url)
        database = parts.path.lstrip("/") or "dajia_bench"
        if "bench" not in database:
            raise BenchError(f"refusing to drop a database whose name lacks 'bench': {database}")
        admin = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (database,)
            )
            conn.execute(f'DROP DATABASE IF EXISTS "{database}"')
            conn.execute(f'CREATE DATABASE "{database}"')
        db = {"DATABASE_URL": urlunsplit(parts._replace(path=f"/{database}"))}
    common.manage(["migrate", "--noinput", "-v", "0"], server_env(db))
    return db


def generate(db: dict, args_list: list[str], fixture: Path) -> dict:
    common.manage(["bench_generate", *args_list, "--fixture", str(fixture)], server_env(db), timeout=1800)
    return json.loads(fixture.read_text(encoding="utf-8"))


# ---- the sections --------------------------------------------------------------------------------------


def run_engine(args, out: dict) -> None:
    from dajia.scoring.bench import bench_engine

    out["engine"] = bench_engine(args.engine_evaluators, args.engine_projects, args.engine_criteria)


def run_needs(args, out: dict) -> None:
    from dajia.needs.bench import bench_suggest

    out["needs"] = bench_suggest()


def _ingestion_one(kind: str, args, build: Path, tool: str, out: dict, live_reads: bool) -> None:
    from dajia.bench import ingestion, rawlimit
    from dajia.bench.common import get_load, uvicorn_server

    log(f"ingestion on {kind}: preparing the database")
    db = fresh_database(kind, "ingest", build, args.postgres)
    fixture = generate(
        db,
        [
            "--live",
            "--evaluators",
            str(args.evaluators),
            "--entries",
            str(args.entries),
            "--viewers",
            str(args.viewers_db),
        ],
        build / f"ingest-{kind}.json",
    )
    live = fixture["live"]
    threads = 2 if tool == "wrk" else args.connections
    plan = ingestion.Plan.from_fixture(live, threads=threads, sheet_share=args.sheet_share, votes=True)
    verify = ingestion.Db(sqlite_path=db.get("DAJIA_SQLITE_PATH", ""), url=db.get("DATABASE_URL", ""))
    # The raw limit first, on a database of the same kind.
    if kind == "sqlite":
        raw_path = build / "raw-bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{raw_path}{suffix}").unlink(missing_ok=True)
        rawlimit.setup(sqlite_path=str(raw_path))
        raw_env = {"DAJIA_RAW_SQLITE": str(raw_path), "DAJIA_RAW_DATABASE_URL": ""}
    else:
        rawlimit.setup(database_url=db["DATABASE_URL"])
        raw_env = {"DAJIA_RAW_DATABASE_URL": db["DATABASE_URL"], "DAJIA_RAW_SQLITE": ""}
    wait_for_quiet(args.max_load, 60, log)
    load_before = loadavg()
    log(
        f"ingestion on {kind}: raw limit ({args.workers} workers, {args.connections} connections, {args.seconds:.0f} s)"
    )
    with uvicorn_server(
        "rawlimit", "dajia.bench.rawlimit:app", raw_env, build / "logs", workers=args.workers
    ).start("/") as raw_server:
        raw = _raw_load(raw_server.base, tool, args)
    log(f"ingestion on {kind}: Dajia ({args.workers} workers)")
    env = server_env(db)
    with uvicorn_server(
        "dajia-asgi", "dajia.asgi:application", env, build / "logs", workers=args.workers
    ).start("/live/ping") as server:
        trivial = get_load(
            server.base + "/live/ping", tool=tool, seconds=min(args.seconds, 10), connections=args.connections
        )
        figures = ingestion.measure(
            server.base,
            plan,
            verify,
            tool=tool,
            seconds=args.seconds,
            connections=args.connections,
            first_viewer=live["first_viewer"],
        )
        if live_reads:
            log("live reads: the session's summary against the trivial endpoint")
            summary_url = f"{server.base}/live/session-{live['session']}/summary"
            if common.http_status(summary_url) != 200:
                raise BenchError(f"the summary answered {common.http_status(summary_url)}")
            read = get_load(
                summary_url, tool=tool, seconds=min(args.seconds, 10), connections=args.connections
            )
            ping = get_load(
                server.base + "/live/ping",
                tool=tool,
                seconds=min(args.seconds, 10),
                connections=args.connections,
            )
            out["live_reads"] = {
                "rps": round(read.rps),
                "trivial_rps": round(ping.rps),
                "ratio": round(read.rps / ping.rps, 3) if ping.rps else None,
                "p99_ms": common.r1(read.p99_ms),
                "errors": read.errors,
                "endpoint": "/live/session-<id>/summary",
            }
        if "Traceback" in server.log_tail(100000):
            log(f"  note: the server logged a traceback (see {server.log_path})")
    figures.update(
        {
            "raw_limit_rps": round(raw.rps),
            "ratio": round(figures["rps"] / raw.rps, 3) if raw.rps else None,
            "trivial_rps": round(trivial.rps),
            "raw_limit_p99_ms": common.r1(raw.p99_ms),
            "workers": args.workers,
            "load_before": load_before,
            "load_after": loadavg(),
            "sheet_share": plan.sheet_share,
        }
    )
    figures["_bad"] = figures["lost"] + figures["duplicated"] + figures["extra_stored"] + figures["unaudited"]
    out.setdefault("ingestion", {})[kind] = figures


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


def run_ingestion(args, build: Path, tool: str, out: dict) -> None:
    errors = {}
    for kind in ("sqlite", "postgresql"):
        if kind == "postgresql" and not args.postgres:
            out.setdefault("ingestion", {})[kind] = {"skipped": "no PostgreSQL URL"}
            continue
        try:
            _ingestion_one(
                kind, args, build, tool, out, live_reads=(kind == "sqlite" and "live_reads" in args.sections)
            )
        except (BenchError, OSError, subprocess.SubprocessError, ImportError) as e:
            errors[kind] = e
            out.setdefault("ingestion", {})[kind] = {"error": str(e)[-2000:]}
            log(f"ingestion on {kind} failed: {e}")


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
    if (
        fixture.get("projects", {}).get("projects", 0) < args.projects
        or fixture.get("orders", {}).get("orders") != args.orders
        or fixture.get("sizes") != [args.projects, args.orders]
    ):
        log(f"pages: generating {args.projects} projects and {args.orders} orders (kept for the next run)")
        started = time.monotonic()
        db = fresh_database("sqlite", "pages", build, "")
        fixture = generate(db, ["--projects", str(args.projects), "--orders", str(args.orders)], fixture_path)
        fixture["sizes"] = [args.projects, args.orders]
        fixture["generated_seconds"] = round(time.monotonic() - started, 1)
        fixture_path.write_text(json.dumps(fixture), encoding="utf-8")
    else:
        common.manage(["migrate", "--noinput", "-v", "0"], server_env(db))
    env = server_env(db)
    common.manage(["collectstatic", "--noinput", "-v", "0"], env)
    wait_for_quiet(args.max_load, 60, log)
    log(
        f"pages: menu and delivery overview ({args.page_connections} browsers, {args.page_seconds:.0f} s each)"
    )
    with gunicorn_server("pages", env, build / "logs", workers=args.workers).start("/menu/") as server:
        out["pages"] = pages.measure(
            server, fixture, tool=tool, seconds=args.page_seconds, connections=args.page_connections
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


def table(out: dict) -> str:
    lines = []

    def row(a, b, c="", d=""):
        lines.append(f"  {a:<40} {b!s:>14}  {c:<12} {d}")

    row("figure", "value", "target", "")
    row("-" * 40, "-" * 14, "-" * 12, "----")
    for kind in ("sqlite", "postgresql"):
        ing = _get(out, ("ingestion", kind))
        if isinstance(ing, dict) and "rps" in ing:
            row(f"ingestion {kind}: writes/s", ing["rps"])
            row(f"ingestion {kind}: p50 / p99 ms", f"{ing['p50_ms']} / {ing['p99_ms']}")
            row(f"ingestion {kind}: errors", ing["errors"])
            row(f"ingestion {kind}: acknowledged/stored", f"{ing['acknowledged']}/{ing['stored']}")
            row(f"ingestion {kind}: raw limit writes/s", ing["raw_limit_rps"])
            row(f"ingestion {kind}: trivial endpoint req/s", ing["trivial_rps"])
    lr = out.get("live_reads")
    if isinstance(lr, dict) and "rps" in lr:
        row("live reads: summary req/s", lr["rps"])
        row("live reads: trivial req/s", lr["trivial_rps"])
    for name in ("one_process", "redis"):
        f = _get(out, ("fanout", name))
        if isinstance(f, dict) and "p50_ms" in f:
            row(f"fan-out {name}: viewers", f"{f['connected']}/{f['viewers']}")
            row(
                f"fan-out {name}: p50/p95/p99/max ms",
                f"{f['p50_ms']}/{f['p95_ms']}/{f['p99_ms']}/{f['max_ms']}",
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
    if not args.quick and args.viewers < 5000:
        out["meta"]["notes"].append(f"fan-out scaled down to {args.viewers} viewers (issue: 5,000)")
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
        f"{out['meta']['load_at_end']}; tool {tool})"
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
