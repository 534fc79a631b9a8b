"""Pages at province scale, through the pages server as ``dajia serve`` runs it (gunicorn, gthread workers),
a few concurrent browsers: the public menu (first page, a category, a search, the last page), the office's
delivery overview and workbench over a great many orders, and the needs wall (first page and a category).

Each page is loaded for the same time with the same browsers; its p95 is the figure (``PAGES`` names them and
the JSON keys). The results page and the desk's ledger at the issue's sizes are not generated yet.
"""

from __future__ import annotations

from urllib.parse import quote

from dajia.bench.common import BenchError, http_status, r1

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
]


def _check(url: str, cookie: str = "") -> None:
    import urllib.request

    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - 127.0.0.1
            if response.status != 200:
                raise BenchError(f"{url} answered {response.status}")
    except OSError as e:
        raise BenchError(f"{url}: {e}") from None


def measure(server, fixture: dict, *, tool: str, seconds: float, connections: int, log=print) -> dict:
    from dajia.bench.common import get_load

    cookie = fixture["office"]["cookie"]
    if http_status(server.base + "/menu/") != 200:
        raise BenchError(f"the menu answered {http_status(server.base + '/menu/')}")
    out: dict = {"connections": connections}
    for key, label, path, signed_in in PAGES:
        if key.startswith("needs") and not fixture.get("needs"):
            continue
        url = server.base + path.format(category=fixture["category"])
        headers = {"Cookie": cookie} if signed_in else {}
        for _ in range(12):  # warm every worker (templates, catalogues) before measuring
            _check(url, headers.get("Cookie", ""))
        log(f"pages: {label}")
        load = get_load(url, tool=tool, seconds=seconds, connections=connections, headers=headers)
        if load.errors:
            raise BenchError(f"{label} failed {load.errors} times under load")
        out[f"{key}_p95_ms"] = r1(load.p95_ms)
        out[f"{key}_p50_ms"] = r1(load.p50_ms)
        out[f"{key}_rps"] = round(load.rps)
    out["projects"] = fixture.get("projects", {}).get("projects")
    out["orders"] = fixture.get("orders", {}).get("orders")
    out["needs"] = fixture.get("needs", {}).get("needs")
    return out
