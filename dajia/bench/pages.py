"""Pages: the public menu with many projects and the office's delivery overview with a great many orders,
through the pages server as ``dajia serve`` runs it (gunicorn, gthread workers), a few concurrent browsers."""

from __future__ import annotations

from dajia.bench.common import BenchError, http_status, r1


def _check(url: str, cookie: str = "") -> None:
    import urllib.request

    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - 127.0.0.1
            if response.status != 200:
                raise BenchError(f"{url} answered {response.status}")
    except OSError as e:
        raise BenchError(f"{url}: {e}") from None


def measure(server, fixture: dict, *, tool: str, seconds: float, connections: int) -> dict:
    from dajia.bench.common import get_load

    cookie = fixture["office"]["cookie"]
    menu, overview = server.base + "/menu/", server.base + "/orders/overview/"
    if http_status(menu) != 200:
        raise BenchError(f"the menu answered {http_status(menu)}")
    for _ in range(12):  # warm every worker (templates, catalogues) before measuring
        _check(menu)
        _check(overview, cookie)
    menu_load = get_load(menu, tool=tool, seconds=seconds, connections=connections)
    overview_load = get_load(
        overview, tool=tool, seconds=seconds, connections=connections, headers={"Cookie": cookie}
    )
    for name, load in (("menu", menu_load), ("overview", overview_load)):
        if load.errors:
            raise BenchError(f"the {name} page failed {load.errors} times under load")
    return {
        "menu_p95_ms": r1(menu_load.p95_ms),
        "dashboard_p95_ms": r1(overview_load.p95_ms),
        "menu_p50_ms": r1(menu_load.p50_ms),
        "dashboard_p50_ms": r1(overview_load.p50_ms),
        "menu_rps": round(menu_load.rps),
        "dashboard_rps": round(overview_load.rps),
        "projects": fixture.get("projects", {}).get("projects"),
        "orders": fixture.get("orders", {}).get("orders"),
        "connections": connections,
    }
