"""Data for ``make bench`` (never for a real database): fast bulk inserts, built by ``dajia.demo.benchdata``.

``manage.py bench_generate --live --evaluators 2000 --entries 20 --viewers 60000 --fixture F.json``
    one open consultation session with every scoring window open, its evaluators (secret links ``bench-e-<n>``),
    verified viewers each with a browser session (cookie ``sessionid=bv<n, 30 digits>``) — everything the
    ingestion, live-read and fan-out benchmarks send requests for. Writes what the harness needs to ``F.json``.
``manage.py bench_generate --projects 10000 --orders 1000000 --needs 100000 --results 200x100 --cases 100000``
    the menu with that many published projects, that many orders in every state for the office's delivery
    overview (login ``bench-office`` / ``bench-pass-2020``), that many needs on the wall, each supported by up
    to five of 60 workers, an open session of 200 evaluators × 100 projects with every sheet scored (the
    office's results page), and that many desk cases for the outcome ledger.

On SQLite the rows go in with ``executemany`` in large transactions; on PostgreSQL with ``COPY``.
"""

from __future__ import annotations

import json
import random
import re
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from dajia.demo.benchdata import cases, live, pages, results, rows


def _panel_size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"([0-9]+)x([0-9]+)", text.strip())
    if not match:
        raise CommandError(f"--results wants EVALUATORSxPROJECTS, e.g. 200x100, not {text!r}")
    return int(match[1]), int(match[2])


class Command(BaseCommand):
    help = "生成基准测试数据 / generate benchmark data (make bench)"

    def add_arguments(self, parser):
        parser.add_argument("--live", action="store_true", help="an open session with evaluators and viewers")
        parser.add_argument("--evaluators", type=int, default=2000)
        parser.add_argument("--entries", type=int, default=20)
        parser.add_argument("--viewers", type=int, default=60000)
        parser.add_argument("--support-limit", type=int, default=3)
        parser.add_argument("--projects", type=int, default=0, help="published projects on the menu")
        parser.add_argument("--orders", type=int, default=0, help="orders for the delivery overview")
        parser.add_argument("--needs", type=int, default=0, help="needs on the public wall, with supports")
        parser.add_argument(
            "--results", default="", help="a scored session EVALUATORSxPROJECTS, e.g. 200x100"
        )
        parser.add_argument("--cases", type=int, default=0, help="desk cases for the outcome ledger")
        parser.add_argument("--fixture", default="", help="write what the harness needs here (JSON)")
        parser.add_argument("--seed", type=int, default=2020)

    def handle(self, *args, **opts):
        from django.conf import settings

        if "bench" not in str(settings.DATABASES["default"]["NAME"]):
            raise CommandError("bench_generate only writes to a database whose name contains 'bench'")
        panel = _panel_size(opts["results"]) if opts["results"] else None
        rng = random.Random(opts["seed"])
        started = time.perf_counter()
        fixture: dict = {}
        world = rows.world(max(opts["entries"], 20, panel[1] if panel else 0))
        fixture["office"] = {
            "username": rows.OFFICE_USERNAME,
            "password": rows.OFFICE_PASSWORD,
            "cookie": f"sessionid={rows.office_session(world['office'])}",
        }
        # The category the pages' benchmark filters by (the menu's and the needs wall's).
        fixture["category"] = next(
            (c.pk for c in world["categories"] if c.code == "safety"), world["categories"][0].pk
        )
        if opts["live"]:
            fixture["live"] = live.live(world, opts, rng)
        if opts["projects"]:
            fixture["projects"] = pages.projects(world, opts["projects"], rng)
        if opts["orders"]:
            fixture["orders"] = pages.orders(world, opts["orders"], rng)
        if opts["needs"]:
            fixture["needs"] = pages.needs(world, opts["needs"], rng)
        if panel:
            fixture["results"] = results.results_session(world, evaluators=panel[0], projects=panel[1])
        if opts["cases"]:
            fixture["cases"] = cases.desk_cases(world, opts["cases"], rng)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        fixture["seconds"] = round(time.perf_counter() - started, 1)
        text = json.dumps(fixture, ensure_ascii=False)
        if opts["fixture"]:
            with open(opts["fixture"], "w", encoding="utf-8") as fh:
                fh.write(text)
        self.stdout.write(text)
