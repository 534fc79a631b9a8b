"""The CPU time per write (``dajia/bench/cpu.py``): read from /proc as the kernel counts it, the database's
processes found by name, the per-write arithmetic and the ratio CPU alone would allow."""

from __future__ import annotations

import os
import time

import pytest

from dajia.bench import cpu
from dajia.bench.__main__ import table
from dajia.bench.ingestion_runs import _cpu_bound

pytestmark = pytest.mark.skipif(
    not cpu.available(), reason="no /proc on this system: the bench leaves CPU out"
)


def _stat(pid: int, comm: str, parent: int, utime: int, stime: int, cutime: int = 0, cstime: int = 0) -> str:
    # /proc/<pid>/stat: pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime …
    return f"{pid} ({comm}) S {parent} 1 1 0 -1 0 0 0 0 0 {utime} {stime} {cutime} {cstime} 20 0 1 0\n"


def test_a_process_s_time_is_what_it_spent():
    before = cpu.sample([os.getpid()])
    started = time.process_time()
    while time.process_time() - started < 0.3:
        pass
    after = cpu.sample([os.getpid()])
    assert 0.2 <= after.server - before.server <= 1.0  # ticks of 10 ms, and pytest's own threads
    assert cpu.sample([2**22 + 7]).server == 0.0  # a process that has gone counts nothing


def test_the_database_is_every_postgres_process_and_the_postmaster_s_reaped_backends(tmp_path, monkeypatch):
    tick = os.sysconf("SC_CLK_TCK")
    stats = {
        100: _stat(100, "postgres", 1, tick * 2, tick, cutime=tick * 5, cstime=tick),  # the postmaster
        101: _stat(101, "postgres", 100, tick * 3, 0, cutime=tick * 50),  # a backend: its own time only
        102: _stat(102, "python3", 100, tick * 7, 0),  # not the database
    }
    for pid, text in stats.items():
        (tmp_path / str(pid)).mkdir()
        (tmp_path / str(pid) / "stat").write_text(text)
    (tmp_path / "self").mkdir()  # not a process number: skipped
    monkeypatch.setattr(cpu, "_PROC", tmp_path)
    assert cpu._database_seconds() == (2 + 1 + 5 + 1) + 3


def test_a_backend_that_closes_during_the_load_counts_only_what_it_spent_in_it(tmp_path, monkeypatch):
    tick = os.sysconf("SC_CLK_TCK")
    monkeypatch.setattr(cpu, "_PROC", tmp_path)

    def processes(stats: dict[int, str]) -> float:
        for entry in tmp_path.iterdir():
            (entry / "stat").unlink()
            entry.rmdir()
        for pid, text in stats.items():
            (tmp_path / str(pid)).mkdir()
            (tmp_path / str(pid) / "stat").write_text(text)
        return cpu._database_seconds()

    before = processes(
        {
            100: _stat(100, "postgres", 1, tick, 0, cutime=tick * 10),
            101: _stat(101, "postgres", 100, tick * 3, 0),
        }
    )
    # The backend has spent 2 s more and gone: the postmaster has reaped it, its 5 s now in the children's time.
    after = processes({100: _stat(100, "postgres", 1, tick, 0, cutime=tick * 15)})
    assert after - before == 2


def test_per_write_and_the_ratio_the_same_cpu_would_give():
    before, after = cpu.Sample(server=10.0, database=4.0), cpu.Sample(server=12.0, database=4.5)
    assert cpu.per_write(before, after, 4000, 2.5, database=True) == {
        "cpu_ms": 0.5,
        "db_cpu_ms": 0.125,
        "total_cpu_ms": 0.625,
        "cores_busy": 1.0,
    }
    assert cpu.per_write(before, after, 4000, 2.5, database=False) == {
        "cpu_ms": 0.5,
        "total_cpu_ms": 0.5,
        "cores_busy": 0.8,
    }
    assert cpu.per_write(None, after, 4000, 2.5, database=True) == {}
    assert cpu.per_write(before, after, 0, 2.5, database=True) == {}
    raw = {"total_cpu_ms": 0.125, "cores_busy": 1.5}
    assert _cpu_bound(raw, {"total_cpu_ms": 0.625}) == {
        "raw_total_cpu_ms": 0.125,
        "raw_cores_busy": 1.5,
        "cpu_bound_ratio": 0.2,
    }
    assert _cpu_bound({}, {"total_cpu_ms": 0.625}) == {}
    # The ratio measured is the one for the same CPU times the cores each kept busy: 0.2 × 1.0 / 1.5.
    dajia_rps, raw_rps = 1.0 / 0.625e-3, 1.5 / 0.125e-3
    assert round(dajia_rps / raw_rps, 4) == round(0.2 * 1.0 / 1.5, 4)


def test_the_table_shows_a_write_s_cpu_beside_the_raw_limit_s():
    section = {
        "rps": 2000,
        "ratio": 0.3,
        "p50_ms": 20.0,
        "p99_ms": 60.0,
        "acknowledged": 1,
        "stored": 1,
        "raw_limit_rps": 6000,
        "trivial_rps": 9000,
        "cpu_ms": 0.5,
        "db_cpu_ms": 0.125,
        "total_cpu_ms": 0.625,
        "cores_busy": 1.25,
        "raw_total_cpu_ms": 0.125,
        "raw_cores_busy": 0.75,
        "cpu_bound_ratio": 0.2,
    }
    text = table({"ingestion": {"postgresql": section}})
    assert "ingestion postgresql: CPU ms a write" in text and "0.5 + 0.125 = 0.625" in text
    assert "raw 0.125" in text and "raw 0.75" in text and "1.25" in text
    assert "ingestion postgresql: ÷ raw for the same CPU" in text
