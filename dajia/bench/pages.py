"""Pages at province scale, through the pages server as ``dajia serve --behind-proxy`` runs it in production
(gunicorn, one request per process at a time; ``common.gunicorn_server``), a few concurrent browsers: the public menu (first page, a category, a search, the last page), the office's
delivery overview and workbench over a great many orders, the needs wall (first page and a category), the
office's results page of a session of 200 evaluators × 100 projects (the live tally, with diagnostics, before
publication) and the outcome ledger over 100,000 desk cases.

Each page is loaded for the same time with the same browsers, ``runs`` times, the runs interleaved (every page
once, then every page again) so that a busy moment of a shared machine does not fall on one page's runs only;
a page's figure is the median of its runs' p95 with their spread (``PAGES`` names them and the JSON keys).
"""

from __future__ import annotations

import statistics
from urllib.parse import quote

from dajia.bench.common import BenchError, busy_warning, http_status, loadavg, r1

# (key, label, path, signed in as the office): the key is the JSON's "<key>_p95_ms".
PAGES = [
    ("menu", "menu, first page", "/menu/", False),
    ("menu_category", "menu, a category", "/menu/?category={category}", False),
    ("menu_search", "menu, a search", "/menu/?q=" + quote("安全"), False),
    ("menu_last", "menu, the last page", "/menu/?page=100000", False),
    ("dashboard", "delivery overview", "/orders/overview/", True),
    ("workbench", "office workbench", "/workbench/", True),
    ("needs", "needs wall, first page", "/needs/", False),
    ("needs_category", "needs wall, a category", "/needs/?category={category}", False),
    ("results", "results page (live tally)", "/sessions/{session}/results/", True),
    ("ledger", "outcome ledger", "/ledger/", True),
]
# The fixture's data set each page needs (pages whose data was not generated are left out).
NEEDS = {"needs": "needs", "needs_category": "needs", "results": "results", "ledger": "cases"}


def _check(url: str, cookie: str = "") -> None:
    import urllib.request

    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - 127.0.0.1
            if response.status != 200:
                raise BenchError(f"{url} answered {response.status}")
    except OSError as e:
        raise BenchError(f"{url}: {e}") from None


def measure(
    server, fixture: dict, *, tool: str, seconds: float, connections: int, runs: int = 3, log=print
) -> dict:
    from dajia.bench.common import get_load

    cookie = fixture["office"]["cookie"]
    if http_status(server.base + "/menu/") != 200:
        raise BenchError(f"the menu answered {http_status(server.base + '/menu/')}")
    pages = []
    for key, label, path, signed_in in PAGES:
        if key in NEEDS and not fixture.get(NEEDS[key]):
            continue
        url = server.base + path.format(
            category=fixture["category"], session=fixture.get("results", {}).get("session")
        )
        headers = {"Cookie": cookie} if signed_in else {}
        for _ in range(12):  # warm every worker (templates, catalogues) before measuring
            _check(url, headers.get("Cookie", ""))
        pages.append((key, label, url, headers))
    out: dict = {"connections": connections, "runs": runs, "spread": {}, "loads": []}
    figures: dict[str, dict[str, list[float]]] = {key: {"p95": [], "p50": [], "rps": []} for key, *_ in pages}
    for run in range(runs):
        out["loads"].append([loadavg()])
        for key, label, url, headers in pages:
            log(f"pages: {label} (run {run + 1} of {runs})")
            load = get_load(url, tool=tool, seconds=seconds, connections=connections, headers=headers)
            if load.errors:
                raise BenchError(f"{label} failed {load.errors} times under load")
            figures[key]["p95"].append(r1(load.p95_ms))
            figures[key]["p50"].append(r1(load.p50_ms))
            figures[key]["rps"].append(load.rps)
        out["loads"][-1].append(loadavg())
    for key, values in figures.items():
        out[f"{key}_p95_ms"] = r1(statistics.median(values["p95"]))
        out[f"{key}_p50_ms"] = r1(statistics.median(values["p50"]))
        out[f"{key}_rps"] = round(statistics.median(values["rps"]))
        out["spread"][f"{key}_p95_ms"] = [min(values["p95"]), max(values["p95"])]
    warning = busy_warning(out["loads"])
    if warning:
        out["warning"] = warning
    out["projects"] = fixture.get("projects", {}).get("projects")
    out["orders"] = fixture.get("orders", {}).get("orders")
    out["needs"] = fixture.get("needs", {}).get("needs")
    out["results"] = fixture.get("results")
    out["cases"] = fixture.get("cases", {}).get("cases")
    return out
