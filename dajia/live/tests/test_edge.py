"""The edge's wrapper (``dajia/live/edge.py``): the trivial endpoint, and an answer an app keeps ready served
before any route while it is fresh, in its own loop, to a request without an Origin on an allowed host — every
other request goes on to the routes and to Django."""

from __future__ import annotations

import asyncio

import pytest

from dajia.conftest import run_coroutine
from dajia.live import edge
from dajia.live.edge import Ready, json_messages, keep_ready, with_fast_paths

PATH = "/live/session-7/summary"


class Behind:
    """Stands in for the routes and Django behind the wrapper (here and in the apps' edge tests): answers 418
    with ``behind`` and remembers the paths that reached it."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    async def __call__(self, scope, receive, send) -> None:
        self.paths.append(scope["path"])
        await send({"type": "http.response.start", "status": 418, "headers": []})
        await send({"type": "http.response.body", "body": b"behind"})


@pytest.fixture
def behind(monkeypatch) -> Behind:
    stub = Behind()
    monkeypatch.setattr(edge, "_get_routes", [])  # nothing but the wrapper between a request and the stub
    monkeypatch.setattr(edge, "_ready", {})
    return stub


async def _get(
    app, path: str, *headers: tuple[bytes, bytes], host: bytes = b"testserver"
) -> tuple[int, bytes]:
    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "root_path": "", "query_string": b""}
    await app({**scope, "headers": [(b"host", host), *headers]}, None, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


def test_the_ping_answers_ok_without_reaching_anything_behind(behind):
    app = with_fast_paths(behind)
    assert run_coroutine(_get(app, "/live/ping")) == (200, b"ok")
    assert behind.paths == []


def test_a_fresh_ready_answer_is_served_by_the_wrapper(behind):
    app = with_fast_paths(behind)
    fresh = [True]

    async def scenario():
        keep_ready(PATH, Ready(json_messages(b'{"n":1}'), asyncio.get_running_loop(), lambda: fresh[0]))
        served = await _get(app, PATH)
        fresh[0] = False
        stale = await _get(app, PATH)
        return served, stale

    served, stale = run_coroutine(scenario())
    assert served == (200, b'{"n":1}')
    assert stale == (418, b"behind")  # a stale answer goes on to the route, which reads it again
    assert behind.paths == [PATH]


def test_a_ready_answer_is_not_served_with_an_origin_on_a_foreign_host_or_at_another_spelling(
    behind, settings
):
    settings.ALLOWED_HOSTS = ["testserver"]
    app = with_fast_paths(behind)

    async def scenario():
        keep_ready(PATH, Ready(json_messages(b"{}"), asyncio.get_running_loop(), lambda: True))
        return [
            await _get(app, PATH, (b"origin", b"https://dajia.example.cn")),  # the route adds CORS headers
            await _get(app, PATH, host=b"evil.example.com"),
            await _get(app, "/live/session-07/summary"),
        ]

    assert run_coroutine(scenario()) == [(418, b"behind")] * 3
    assert behind.paths == [PATH, PATH, "/live/session-07/summary"]


def test_a_ready_answer_of_another_loop_or_forgotten_is_not_served(behind):
    app = with_fast_paths(behind)

    async def keep():
        keep_ready(PATH, Ready(json_messages(b"{}"), asyncio.get_running_loop(), lambda: True))

    run_coroutine(keep())  # kept by a loop that has ended: its hub no longer keeps the answer fresh
    assert run_coroutine(_get(app, PATH)) == (418, b"behind")

    async def forgotten():
        keep_ready(PATH, Ready(json_messages(b"{}"), asyncio.get_running_loop(), lambda: True))
        served = await _get(app, PATH)
        keep_ready(PATH, None)
        return served, await _get(app, PATH)

    assert run_coroutine(forgotten()) == ((200, b"{}"), (418, b"behind"))
    assert behind.paths == [PATH, PATH]


def test_the_language_is_the_cookie_s_then_accept_language_s_remembered_per_choice(settings, monkeypatch):
    """As LocaleMiddleware chooses; each browser's own session cookie does not make a new entry to remember."""
    monkeypatch.setattr(edge, "_languages", {})
    name = settings.LANGUAGE_COOKIE_NAME.encode()

    def scope(cookie: bytes, accept: bytes = b"") -> dict:
        return {"headers": [(b"cookie", cookie), (b"accept-language", accept)]}

    assert edge.request_language(scope(b"sessionid=a; " + name + b"=en", b"zh-CN")) == "en"
    assert edge.request_language(scope(b"sessionid=b", b"en-US,en;q=0.9")) == "en"
    assert edge.request_language(scope(b"sessionid=c", b"zh-CN")) == "zh-hans"
    assert edge.request_language(scope(b"sessionid=d")) == settings.LANGUAGE_CODE
    # A cookie naming no language of the site's: Accept-Language decides.
    assert edge.request_language(scope(b"sessionid=e; " + name + b"=xx", b"en")) == "en"
    assert edge.request_language(scope(b""), {settings.LANGUAGE_COOKIE_NAME: "en"}) == "en"  # parsed already
    for n in range(50):
        edge.request_language(scope(b"sessionid=v%d; " % n + name + b"=en", b"zh-CN"))
    assert len(edge._languages) == 6  # the six pairs above: the fifty browsers added none


def test_the_debug_log_gives_each_batch_s_wall_time_and_the_writer_s_cpu_time(monkeypatch, capsys):
    """``DAJIA_EDGE_DEBUG``: a line per batch with its size, its wall time and the writer thread's CPU time —
    the difference is what the batch waited for (the database, the GIL). A handler that sleeps waits, it does
    not spend CPU."""
    import re
    import time

    monkeypatch.setattr(edge, "_DEBUG", True)

    def waits(items):
        time.sleep(0.05)
        return [(200, {"ok": True}, {}) for _ in items]

    monkeypatch.setitem(edge._handlers, "waits", waits)
    writer = edge.Writer()

    async def scenario():
        return await writer.submit("waits", {"n": 1})

    assert run_coroutine(scenario()) == (200, {"ok": True}, {})
    (line,) = [line for line in capsys.readouterr().err.splitlines() if line.startswith("batch waits")]
    wall, cpu = map(float, re.fullmatch(r"batch waits 1 ([0-9.]+) ms ([0-9.]+) cpu ms", line).groups())
    assert wall >= 50.0
    assert cpu < wall - 40.0
