"""Ingestion: the live session's writes — viewers' supports and evaluators' sheets — under N concurrent clients.

The server is Dajia's ASGI application (``dajia.asgi``: Django behind the fast paths) under uvicorn with W
workers; the raw limit is ``dajia.bench.rawlimit`` (one row per request, nothing else) under the same uvicorn
with the same W. Both get the same load tool, connections and duration.

Requests (identical from wrk's Lua and from the Python client, see :func:`plan_request`): thread ``t`` of T
numbers its requests n = 0, 1, 2, …; ``n % 100 < sheet_share`` makes it a sheet, else a support. The s-th sheet
of thread t is write ``g = s·T + t``: evaluator ``g mod E`` scores project ``(g div E) mod P``, with submission
id ``s<g>``; every ``RETRY_EVERY``-th request resends the thread's latest sheet (a phone retrying: it must be
answered with the same receipt and stored once). The v-th support of thread t is write ``g = v·T + t``: viewer
``g mod V`` supports project ``(g mod V + g div V) mod P`` — distinct projects for its first K supports.

The measured run follows a short warm-up of the same load on the same server (``measure``'s ``warmup``): the
first second of writes after a server starts pays for its processes' first batches — the database connection,
the queries compiled on first use, the translations loaded — and with 64 clients waiting on them, those
batches alone set the run's p99 on a slow machine (2026-12-07: first batches of 160–275 ms against a p99 of
68 ms over all batches). The warm-up continues the plan's numbering (each thread goes on from the counters the
warm-up ended with), so its writes are new writes, not retries, and the check below covers both; its p99 is
reported as the cold start's beside the measured one.

After the run the harness re-sends every write that got no answer (as a phone does when the network
returns), then checks the database: every acknowledged write stored, once, nothing else stored.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass

from dajia.bench import cpu
from dajia.bench.common import BenchError, LoadResult, python_load, r1, wrk_run

RETRY_EVERY = 50  # one request in this many is a retry of the thread's latest sheet


@dataclass
class Plan:
    threads: int
    sheet_share: int  # percent of requests that are sheets
    session: int
    entries: list[int]
    criteria: list[dict]
    evaluators: int
    viewers: int
    votes: bool  # supports are part of the mix (the participation fast path is there)
    csrf: str
    support_limit: int

    @classmethod
    def from_fixture(cls, live: dict, *, threads: int, sheet_share: int, votes: bool) -> Plan:
        return cls(
            threads=threads,
            sheet_share=sheet_share if votes else 100,
            session=live["session"],
            entries=live["entries"],
            criteria=live["criteria"],
            evaluators=live["evaluators"],
            viewers=live["viewers"],
            votes=votes and live["viewers"] > 0,
            csrf=live["csrf"],
            support_limit=live["support_limit"],
        )

    @property
    def capacity(self) -> tuple[int, int]:
        """(sheets, supports) this data set can take before writes would repeat."""
        return self.evaluators * len(self.entries), self.viewers * min(self.support_limit, len(self.entries))


def sheet_request(plan: Plan, g: int) -> tuple[str, str, bytes, dict[str, str]]:
    evaluator = g % plan.evaluators
    entry = plan.entries[(g // plan.evaluators) % len(plan.entries)]
    scores = ",".join(
        f'"{c["id"]}":"{(g + i * 13) % c["max"]}.{(g + i) % 10}"' for i, c in enumerate(plan.criteria)
    )
    body = f'{{"scores":{{{scores}}},"submission_id":"s{g}"}}'.encode()
    return (
        "POST",
        f"/sessions/e/bench-e-{evaluator}/entries/{entry}/sheet",
        body,
        {"Content-Type": "application/json"},
    )


def vote_request(plan: Plan, g: int) -> tuple[str, str, bytes, dict[str, str]]:
    viewer = g % plan.viewers
    entry = plan.entries[(viewer + g // plan.viewers) % len(plan.entries)]
    return (
        "POST",
        f"/participation/s/{plan.session}/support",
        f"entry={entry}&action=add".encode(),
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
            "Cookie": f"sessionid=bv{viewer:030d}; csrftoken={plan.csrf}",
            "X-CSRFToken": plan.csrf,
        },
    )


def vote_key(plan: Plan, g: int) -> tuple[int, int]:
    """(viewer number, entry id) of support write g."""
    viewer = g % plan.viewers
    return viewer, plan.entries[(viewer + g // plan.viewers) % len(plan.entries)]


class Counter:
    """The per-thread state of :func:`plan_request`, as the Lua script keeps it."""

    def __init__(self, n: int = 0, sheets: int = 0, votes: int = 0) -> None:
        self.n, self.sheets, self.votes, self.retries = n, sheets, votes, 0


def plan_request(plan: Plan, t: int, c: Counter) -> tuple[tuple[str, str, bytes, dict[str, str]], str]:
    """The next request of thread ``t``: (request, kind) with kind sheet | retry | vote."""
    n = c.n
    c.n += 1
    if n % 100 < plan.sheet_share:
        if n % RETRY_EVERY == RETRY_EVERY - 1 and c.sheets > 0:
            c.retries += 1
            return sheet_request(plan, (c.sheets - 1) * plan.threads + t), "retry"
        g = c.sheets * plan.threads + t
        c.sheets += 1
        return sheet_request(plan, g), "sheet"
    g = c.votes * plan.threads + t
    c.votes += 1
    return vote_request(plan, g), "vote"


def lua_script(plan: Plan, start: list[tuple[int, int, int]] | None = None) -> str:
    """The same requests as :func:`plan_request`, for wrk; ``done`` reports counts and unanswered sheets.
    ``start``: each thread's (n, sheets, votes) to go on from (``RunCounts.state`` of an earlier run)."""
    starts = ",".join(f"{{{n},{sheets},{votes}}}" for n, sheets, votes in start or [])
    entries = ",".join(str(e) for e in plan.entries)
    crit = ",".join(f"{{id={c['id']},max={c['max']}}}" for c in plan.criteria)
    return f"""
local T, E, V, SHARE, RETRY = {plan.threads}, {plan.evaluators}, {max(plan.viewers, 1)}, {plan.sheet_share}, {RETRY_EVERY}
local SESSION, CSRF = {plan.session}, "{plan.csrf}"
local entries = {{{entries}}}
local crit = {{{crit}}}
local P = #entries
n, sheets, votes, retries, ok_sheets, ok_votes, ok_retries = 0, 0, 0, 0, 0, 0, 0
pending = {{}}
local START = {{{starts}}}
function init(args)
  -- setup() has given this thread its tid before init runs (wrk's script_init)
  local s = START[tid + 1]
  if s then n, sheets, votes = s[1], s[2], s[3] end
end
local function sheet(g)
  local ev = g % E
  local entry = entries[math.floor(g / E) % P + 1]
  local parts = {{}}
  for i, c in ipairs(crit) do
    parts[i] = string.format('"%d":"%d.%d"', c.id, (g + (i - 1) * 13) % c.max, (g + i - 1) % 10)
  end
  local body = '{{"scores":{{' .. table.concat(parts, ",") .. '}},"submission_id":"s' .. g .. '"}}'
  return wrk.format("POST", "/sessions/e/bench-e-" .. ev .. "/entries/" .. entry .. "/sheet",
    {{["Content-Type"] = "application/json"}}, body)
end
local function vote(g)
  local viewer = g % V
  local entry = entries[(viewer + math.floor(g / V)) % P + 1]
  return wrk.format("POST", "/participation/s/" .. SESSION .. "/support", {{
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Accept"] = "application/json",
    ["Cookie"] = string.format("sessionid=bv%030d; csrftoken=%s", viewer, CSRF),
    ["X-CSRFToken"] = CSRF}}, "entry=" .. entry .. "&action=add")
end
function request()
  local k = n
  n = n + 1
  if k % 100 < SHARE then
    if k % RETRY == RETRY - 1 and sheets > 0 then
      retries = retries + 1
      return sheet((sheets - 1) * T + tid)
    end
    local g = sheets * T + tid
    sheets = sheets + 1
    pending["s" .. g] = true
    return sheet(g)
  end
  local g = votes * T + tid
  votes = votes + 1
  return vote(g)
end
function response(status, headers, body)
  if status ~= 200 then return end
  local key = string.match(body, '"submission_id": "([^"]+)"')
  if key then
    if string.find(body, '"created": false', 1, true) then
      ok_retries = ok_retries + 1
    else
      ok_sheets = ok_sheets + 1
    end
    pending[key] = nil
  else
    ok_votes = ok_votes + 1
  end
end
"""


# The done() reporter needs each thread's counters: wrk copies globals out with thread:get; this addition
# gathers them into the thread's ``extra`` JSON string just before the summary is printed.
LUA_EXTRA = r"""
local _done = done
function done(summary, latency, requests)
  for i, t in ipairs(threads) do
    local keys = {}
    local p = t:get("pending") or {}
    for k, _ in pairs(p) do table.insert(keys, '"' .. k .. '"') end
    t:set("extra", string.format(
      '{"tid":%d,"n":%d,"sheets":%d,"votes":%d,"retries":%d,"ok_sheets":%d,"ok_votes":%d,"ok_retries":%d,"pending":[%s]}',
      t:get("tid"), t:get("n"), t:get("sheets"), t:get("votes"), t:get("retries"), t:get("ok_sheets"),
      t:get("ok_votes"), t:get("ok_retries"), table.concat(keys, ",")))
  end
  _done(summary, latency, requests)
end
"""


@dataclass
class RunCounts:
    """What the clients sent and were told, per thread."""

    sheets: list[int]
    votes: list[int]
    retries: int
    ok_sheets: int
    ok_votes: int
    ok_retries: int
    pending_sheets: set[str]  # sheet writes sent without an answer (in flight at the end, or refused)
    state: list[tuple[int, int, int]]  # each thread's (n, sheets, votes) at the end: where a next run goes on

    def sheet_ids(self, threads: int) -> set[str]:
        """The submission ids of every new sheet sent (thread t's s-th sheet is write s·T + t)."""
        return {f"s{s * threads + t}" for t, n in enumerate(self.sheets) for s in range(n)}

    def after(self, earlier: RunCounts) -> RunCounts:
        """These counts of a run that went on from ``earlier`` (``state``), with ``earlier``'s: the writes of
        both, as the database holds them."""
        return RunCounts(
            sheets=self.sheets,
            votes=self.votes,
            retries=earlier.retries + self.retries,
            ok_sheets=earlier.ok_sheets + self.ok_sheets,
            ok_votes=earlier.ok_votes + self.ok_votes,
            ok_retries=earlier.ok_retries + self.ok_retries,
            pending_sheets=earlier.pending_sheets | self.pending_sheets,
            state=self.state,
        )


def run_wrk(
    base: str, plan: Plan, *, seconds: float, connections: int, start: list | None = None
) -> tuple[LoadResult, RunCounts]:
    result = wrk_run(
        base + "/",
        lua_script(plan, start),
        seconds=seconds,
        connections=connections,
        threads=plan.threads,
        tail=LUA_EXTRA,
    )
    threads = sorted(result.extra["threads"], key=lambda x: x["tid"])
    counts = RunCounts(
        sheets=[t["sheets"] for t in threads],
        votes=[t["votes"] for t in threads],
        retries=sum(t["retries"] for t in threads),
        ok_sheets=sum(t["ok_sheets"] for t in threads),
        ok_votes=sum(t["ok_votes"] for t in threads),
        ok_retries=sum(t["ok_retries"] for t in threads),
        pending_sheets={k for t in threads for k in t["pending"]},
        state=[(t["n"], t["sheets"], t["votes"]) for t in threads],
    )
    return result, counts


def run_python(
    base: str, plan: Plan, *, seconds: float, connections: int, start: list | None = None
) -> tuple[LoadResult, RunCounts]:
    counters = [Counter(*start[t]) if start else Counter() for t in range(connections)]
    pending: set[str] = set()
    ok = {"sheet": 0, "vote": 0, "retry": 0}
    kinds: dict[tuple[int, int], str] = {}
    keys: dict[tuple[int, int], str] = {}
    # Each connection is one "thread" of the plan: T = connections.
    plan_c = Plan(**{**plan.__dict__, "threads": connections})

    def make(t: int, n: int):
        req, kind = plan_request(plan_c, t, counters[t])
        kinds[(t, n)] = kind
        if kind == "sheet":
            key = json.loads(req[2])["submission_id"]
            keys[(t, n)] = key
            pending.add(key)
        return req

    def on_response(t: int, n: int, status: int, body: bytes) -> None:
        kind = kinds.pop((t, n), "")
        key = keys.pop((t, n), None)
        if status == 200:
            if kind == "sheet" and key:
                pending.discard(key)
            ok[kind] = ok.get(kind, 0) + 1

    result = python_load(base, make, seconds=seconds, connections=connections, on_response=on_response)
    counts = RunCounts(
        sheets=[c.sheets for c in counters],
        votes=[c.votes for c in counters],
        retries=sum(c.retries for c in counters),
        ok_sheets=ok["sheet"],
        ok_votes=ok["vote"],
        ok_retries=ok["retry"],
        pending_sheets=pending,
        state=[(c.n, c.sheets, c.votes) for c in counters],
    )
    result.extra["plan_threads"] = connections
    return result, counts


# ---- what the database holds ----------------------------------------------------------------------------


class Db:
    """Plain SQL on the benchmark database (SQLite file or PostgreSQL URL), no Django in the harness."""

    def __init__(self, sqlite_path: str = "", url: str = "") -> None:
        self.sqlite_path, self.url = sqlite_path, url

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        if self.url:
            import psycopg

            with psycopg.connect(self.url) as conn:
                return list(conn.execute(sql.replace("?", "%s"), params).fetchall())
        with sqlite3.connect(self.sqlite_path, timeout=30) as conn:
            return list(conn.execute(sql, params).fetchall())


def stored_sheets(db: Db, session: int) -> dict[str, int]:
    """submission id → number of sheets with it, for the benchmark session's phone sheets."""
    rows = db.rows(
        "SELECT s.submission_id, COUNT(*) FROM consultations_sheet s JOIN consultations_evaluator e "
        "ON e.id = s.evaluator_id WHERE e.session_id = ? GROUP BY s.submission_id",
        (session,),
    )
    return {k: n for k, n in rows}


def sheet_audit_duplicates(db: Db, session: int) -> int:
    rows = db.rows(
        "SELECT COUNT(*) - COUNT(DISTINCT a.object_id) FROM core_auditlog a JOIN consultations_sheet s "
        "ON a.object_id = CAST(s.id AS TEXT) JOIN consultations_evaluator e ON e.id = s.evaluator_id "
        "WHERE a.action = 'consultations.sheet.submit' AND a.object_type = 'consultations.sheet' "
        "AND e.session_id = ?"
        if not db.url
        else "SELECT COUNT(*) - COUNT(DISTINCT a.object_id) FROM core_auditlog a JOIN consultations_sheet s "
        "ON a.object_id = s.id::text JOIN consultations_evaluator e ON e.id = s.evaluator_id "
        "WHERE a.action = 'consultations.sheet.submit' AND a.object_type = 'consultations.sheet' "
        "AND e.session_id = ?",
        (session,),
    )
    return int(rows[0][0] or 0)


def sheets_without_audit(db: Db, session: int) -> int:
    cast = "s.id::text" if db.url else "CAST(s.id AS TEXT)"
    rows = db.rows(
        "SELECT COUNT(*) FROM consultations_sheet s JOIN consultations_evaluator e ON e.id = s.evaluator_id "  # noqa: S608
        "WHERE e.session_id = ? AND NOT EXISTS (SELECT 1 FROM core_auditlog a WHERE a.object_type = "
        f"'consultations.sheet' AND a.object_id = {cast})",
        (session,),
    )
    return int(rows[0][0] or 0)


def stored_votes(db: Db, session: int, first_viewer: int) -> set[tuple[int, int]]:
    rows = db.rows("SELECT viewer_id, entry_id FROM participation_support WHERE session_id = ?", (session,))
    return {(v - first_viewer, e) for v, e in rows}


def vote_totals(db: Db, session: int) -> tuple[int, int, int]:
    """(supports, sum of the maintained counters, audit entries of supports) of the session."""
    supports = db.rows("SELECT COUNT(*) FROM participation_support WHERE session_id = ?", (session,))[0][0]
    counted = db.rows(
        "SELECT COALESCE(SUM(supports), 0) FROM participation_supportcount WHERE session_id = ?", (session,)
    )[0][0]
    audited = db.rows("SELECT COUNT(*) FROM core_auditlog WHERE action = 'participation.support.add'", ())[0][
        0
    ]
    return int(supports), int(counted), int(audited)


# ---- the run ---------------------------------------------------------------------------------------------


def replay(base: str, requests: list[tuple[str, str, bytes, dict[str, str]]]) -> tuple[int, int]:
    """Send these requests again (sequentially, 8 at a time); returns (answered 200, other)."""
    import asyncio
    from urllib.parse import urlsplit

    from dajia.bench.common import HttpConnection

    parts = urlsplit(base)
    ok = bad = 0

    async def worker(chunk):
        nonlocal ok, bad
        conn = HttpConnection(parts.hostname, parts.port)
        try:
            for method, path, body, headers in chunk:
                for _attempt in range(3):
                    try:
                        status, _ = await asyncio.wait_for(conn.request(method, path, body, headers), 30)
                    except (OSError, TimeoutError, asyncio.IncompleteReadError):
                        conn.close()
                        continue
                    if status == 200:
                        ok += 1
                    else:
                        bad += 1
                    break
                else:
                    bad += 1
        finally:
            conn.close()

    async def main():
        chunks = [requests[i::8] for i in range(8)]
        await asyncio.gather(*(worker(c) for c in chunks if c))

    asyncio.run(main())
    return ok, bad


def measure(
    base: str,
    plan: Plan,
    db: Db,
    *,
    tool: str,
    seconds: float,
    connections: int,
    first_viewer: int,
    server_pids: list[int] | None = None,
    warmup: float = 0.0,
) -> dict:
    """Run the write load (after ``warmup`` seconds of it, not measured: the module's docstring says why),
    re-send the unanswered, check the database. Returns the ingestion figures of the measured run, with the
    CPU time per write of ``server_pids`` and of PostgreSQL over it (``cpu.per_write``) when given, and the
    warm-up's p99 as ``cold_p99_ms``; the check covers the writes of both."""
    run = run_wrk if tool == "wrk" else run_python
    threads = plan.threads if tool == "wrk" else connections
    cold = earlier = None
    if warmup:
        cold, earlier = run(base, plan, seconds=warmup, connections=connections)
    before = cpu.sample(server_pids) if server_pids else None
    result, measured = run(
        base, plan, seconds=seconds, connections=connections, start=earlier.state if earlier else None
    )
    after = cpu.sample(server_pids) if server_pids else None
    counts = measured.after(earlier) if earlier else measured
    plan_t = Plan(**{**plan.__dict__, "threads": threads})
    sent_sheets = counts.sheet_ids(threads)
    sent_votes = {vote_key(plan_t, v * threads + t) for t, n in enumerate(counts.votes) for v in range(n)}
    cap_sheets, cap_votes = plan.capacity
    if len(sent_sheets) > cap_sheets or len(sent_votes) > cap_votes:
        raise BenchError(
            f"the data set is too small for this load ({len(sent_sheets)} sheets / {cap_sheets}, "
            f"{len(sent_votes)} supports / {cap_votes}): raise --evaluators/--viewers"
        )
    time.sleep(0.5)  # let the last commits settle before reading
    # Before re-sending: every acknowledged write must already be stored.
    sheets_before = stored_sheets(db, plan.session)
    acked_sheets = sent_sheets - counts.pending_sheets
    lost = len(acked_sheets - set(sheets_before))
    votes_before = stored_votes(db, plan.session, first_viewer) if plan.votes else set()
    lost += max(0, counts.ok_votes - len(votes_before & sent_votes))
    # Re-send what got no answer, as a phone does when the network comes back.
    missing_sheets = sorted(counts.pending_sheets)
    missing_votes = sorted(sent_votes - votes_before)
    again = [sheet_request(plan_t, int(k[1:])) for k in missing_sheets]
    vote_index = {
        vote_key(plan_t, v * threads + t): v * threads + t
        for t, n in enumerate(counts.votes)
        for v in range(n)
    }
    again += [vote_request(plan_t, vote_index[k]) for k in missing_votes]
    replay_ok, replay_bad = replay(base, again) if again else (0, 0)
    time.sleep(0.3)
    sheets_after = stored_sheets(db, plan.session)
    votes_after = stored_votes(db, plan.session, first_viewer) if plan.votes else set()
    stored = len(sheets_after) + len(votes_after)
    duplicated = sum(n - 1 for n in sheets_after.values() if n > 1) + sheet_audit_duplicates(db, plan.session)
    unaudited = sheets_without_audit(db, plan.session)
    extra_rows = len(set(sheets_after) - sent_sheets) + len(votes_after - sent_votes)
    vote_check = {}
    if plan.votes:
        supports, counted, audited = vote_totals(db, plan.session)
        duplicated += max(0, counted - supports) + max(0, audited - supports)
        vote_check = {"supports": supports, "counter_sum": counted, "audit_entries": audited}
        unaudited += max(0, supports - audited)
    # Votes cannot be told apart in wrk's answers (the answer does not name the viewer): those stored before the
    # re-send beyond the answered ones were committed with their answer cut off by the end of the run.
    inflight_votes = max(0, len(votes_before & sent_votes) - counts.ok_votes)
    acknowledged = len(acked_sheets) + counts.ok_votes + inflight_votes + replay_ok
    writes_ok = measured.ok_sheets + measured.ok_votes
    rps = writes_ok / result.seconds if result.seconds else 0.0
    return {
        "rps": round(rps),
        "p50_ms": r1(result.p50_ms),
        "p99_ms": r1(result.p99_ms),
        **({"cold_p99_ms": r1(cold.p99_ms), "warmup_seconds": warmup} if cold else {}),
        "errors": result.errors,
        "acknowledged": acknowledged,
        "stored": stored,
        "duplicated": duplicated,
        "lost": lost,
        "extra_stored": extra_rows,
        "unaudited": unaudited,
        "replayed": len(again),
        "votes_answer_cut_off": inflight_votes,
        "replay_failed": replay_bad,
        "sheets": len(sheets_after),
        "supports": len(votes_after),
        "retries_answered": counts.ok_retries,
        "requests": result.requests,
        "seconds": round(result.seconds, 1),
        "connections": connections,
        **cpu.per_write(before, after, writes_ok, result.seconds, database=bool(db.url)),
        **({"votes": vote_check} if vote_check else {}),
    }
