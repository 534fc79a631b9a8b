"""The CPU time a load costs, per write: the server's processes and the database server's, read from /proc.

Why: ingestion is measured against the raw limit (``rawlimit``), and a ratio alone does not say why it is
what it is. Writes per second are the cores kept busy divided by the CPU time one write costs, so the raw
limit's CPU per write over Dajia's is the ratio this machine would give if both had the same CPU time
(``cpu_bound_ratio``: the work the rule does per write). The ratio measured is that one times the cores Dajia
kept busy over the cores the raw limit kept busy (``cores_busy``): where Dajia keeps fewer busy, the rest of
the gap is waiting — SQLite's one writer at a time, round trips to PostgreSQL. The load client (wrk, or the
asyncio client) runs on the same cores and is counted in neither.

What is counted: user and system time of the server's processes (``Server.pids``: the launcher and its
workers), and of every process named ``postgres`` (the server, its backends, its writers and autovacuum;
with the postmaster's waited-for children, so that a backend whose connection closed during the load still
counts: its own time at the first sample, its whole time within the postmaster's at the second, the
difference what it spent in between). On SQLite the database runs inside the server's processes. Off Linux
there is no /proc: the figures are left out (None), never guessed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dajia.bench.common import processes

_PROC = Path("/proc")


def _times(pid: int, *, children: bool = False) -> float:
    """Seconds of CPU the process has used (user + system), with its waited-for children's when asked."""
    try:
        stat = (_PROC / str(pid) / "stat").read_text()
    except (
        OSError
    ):  # it has exited: a server's worker is counted by its launcher, a backend by the postmaster
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": state is fields[0], utime fields[11]
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def _database_seconds() -> float:
    """CPU seconds of every ``postgres`` process; the postmaster (whose parent is not one) with its children."""
    named: dict[int, int] = {}  # pid → parent
    for pid, stat in processes(_PROC):
        if stat[stat.index("(") + 1 : stat.rindex(")")] == "postgres":
            named[pid] = int(stat.rsplit(")", 1)[1].split()[1])
    return sum(_times(pid, children=parent not in named) for pid, parent in named.items())


@dataclass(frozen=True)
class Sample:
    server: float
    database: float


def available() -> bool:
    return (_PROC / "self" / "stat").exists()


def sample(server_pids: list[int]) -> Sample | None:
    """The CPU seconds used so far by ``server_pids`` and by the database server (None without /proc)."""
    if not available():
        return None
    return Sample(server=sum(_times(pid) for pid in server_pids), database=_database_seconds())


def per_write(
    before: Sample | None, after: Sample | None, writes: int, seconds: float, *, database: bool
) -> dict:
    """CPU milliseconds per write between two samples ``seconds`` apart: ``cpu_ms`` (the server's), ``db_cpu_ms``
    (PostgreSQL's, when ``database``: on SQLite it is inside the server's), their sum ``total_cpu_ms``, and
    ``cores_busy``, the cores that sum kept busy on average."""
    if before is None or after is None or writes <= 0 or seconds <= 0:
        return {}
    spent = after.server - before.server
    out = {"cpu_ms": round(spent * 1000 / writes, 3)}
    if database:
        out["db_cpu_ms"] = round((after.database - before.database) * 1000 / writes, 3)
        spent += after.database - before.database
    out["total_cpu_ms"] = round(spent * 1000 / writes, 3)
    out["cores_busy"] = round(spent / seconds, 2)
    return out
