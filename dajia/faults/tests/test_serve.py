"""``dajia serve`` (what ``make serve`` runs): migrate, collect the static files, start gunicorn for pages and
uvicorn for live streams, print the addresses, and stop both on Ctrl-C.

A fresh SQLite database and static folder in a temporary directory, the production settings (DEBUG off, hashed
and compressed static files), plain HTTP as on a laptop.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time

import httpx
import pytest

from dajia.faults.harness import ROOT, SECRET, WAIT, free_port
from dajia.live.tests.conftest import sse

pytestmark = pytest.mark.concurrency


def _wait_for_line(log, proc, needle: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        if needle in text:
            return text
        if proc.poll() is not None:
            pytest.fail(f"dajia serve exited with {proc.returncode}:\n{text}")
        time.sleep(0.2)
    pytest.fail(f"dajia serve did not print {needle!r} within {timeout} s:\n{log.read_text()}")


def _closed(port: int) -> bool:
    try:
        httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
    except httpx.TransportError:
        return True
    return False


def _serve_environment(tmp_path, **extra) -> dict:
    env = {
        **os.environ,
        "DAJIA_SECRET_KEY": SECRET,
        "DAJIA_SQLITE_PATH": str(tmp_path / "dajia.sqlite3"),
        "DAJIA_STATIC_ROOT": str(tmp_path / "static"),
        "DAJIA_LOG_LEVEL": "WARNING",
        **extra,
    }
    for name in [
        "DATABASE_URL",
        "REDIS_URL",
        "DAJIA_TESTING",
        "DAJIA_DEBUG",
        "DAJIA_LIVE_URL",
        "DJANGO_SETTINGS_MODULE",
        "DAJIA_LOCAL_TRIAL",
        *([] if "DAJIA_SMS_BACKEND" in extra else ["DAJIA_SMS_BACKEND"]),
    ]:
        env.pop(name, None)
    return env


def _start_serve(tmp_path, env: dict, port: int, *options: str) -> tuple[subprocess.Popen, object]:
    log = tmp_path / "serve.log"
    command = [sys.executable, "-m", "dajia.cli", "serve", "--port", str(port), "--workers", "2", *options]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    return proc, log


def test_dajia_serve_refuses_to_start_with_the_development_sms_sender(tmp_path):
    port = free_port()
    env = _serve_environment(tmp_path)  # DAJIA_SMS_BACKEND unset: the default, FileSender
    proc, log = _start_serve(tmp_path, env, port, "--plain-http")
    try:
        assert proc.wait(timeout=120) == 2
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    text = log.read_text()
    assert "(dajia.E001)" in text
    assert "生产环境不能使用开发用短信发送器 dajia.core.sms.FileSender" in text
    assert "production refuses the development SMS sender" in text
    assert "拒绝启动：请先改正上面的设置 / refusing to start: fix the settings above first" in text
    assert not (tmp_path / "dajia.sqlite3").exists()  # refused before migrating anything
    assert _closed(port) and _closed(port + 1)


def test_dajia_serve_runs_both_servers_and_stops_on_ctrl_c(tmp_path):
    port = free_port()
    live_port = port + 1
    production = {
        "DAJIA_SMS_BACKEND": "dajia.core.sms.HttpSender",
        "DAJIA_SMS_HTTP_URL": "https://sms.example.org/send",
        "DAJIA_MEDIA_ROOT": str(tmp_path / "media"),
    }
    photo = tmp_path / "media" / "projects" / "2026" / "12" / "现场.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"\xff\xd8\xff\xe0 a project photo")
    proc, log = _start_serve(tmp_path, _serve_environment(tmp_path, **production), port, "--plain-http")
    try:
        text = _wait_for_line(log, proc, "Ctrl-C", timeout=240)
        assert f"http://127.0.0.1:{port}" in text and f"http://127.0.0.1:{live_port}" in text

        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=WAIT)
        assert page.status_code == 200 and page.headers["server"] == "gunicorn"
        assert f"connect-src 'self' http://127.0.0.1:{live_port};" in page.headers["content-security-policy"]
        assert f'<meta name="dajia-live-url" content=":{live_port}">' in page.text
        assert "strict-transport-security" not in page.headers  # plain HTTP: no HSTS

        # Static files: hashed names (collectstatic ran with the manifest storage), compressed, cached for ever.
        css = re.search(r'href="(/static/core/dajia\.[0-9a-f]{12}\.css)"', page.text)
        assert css, page.text[:2000]
        static = httpx.get(
            f"http://127.0.0.1:{port}{css[1]}", headers={"Accept-Encoding": "gzip"}, timeout=WAIT
        )
        assert static.status_code == 200
        assert static.headers["content-encoding"] == "gzip"
        assert "immutable" in static.headers["cache-control"]

        # A project photo uploaded while it runs (here: put in MEDIA_ROOT/projects/) is served by the pages server.
        image = httpx.get(f"http://127.0.0.1:{port}/media/projects/2026/12/现场.jpg", timeout=WAIT)
        assert image.status_code == 200 and image.content == photo.read_bytes()
        assert image.headers["content-type"] == "image/jpeg"

        # A stream that reaches the pages port gets a poll answer: it ends at once, holding no thread.
        short = httpx.get(f"http://127.0.0.1:{port}/live/session-1/events", timeout=WAIT)
        assert short.status_code == 200 and short.headers["server"] == "gunicorn"
        assert short.text.startswith("retry: 2000\nid: ")

        # The live stream on the other port, readable by the pages' origin.
        origin = f"http://127.0.0.1:{port}"
        with sse(f"http://127.0.0.1:{live_port}/live/session-1/events", {"Origin": origin}) as stream:
            assert stream.next()["retry"] == "2000"
            assert stream.headers["content-type"] == "text/event-stream"
            assert stream.headers["access-control-allow-origin"] == origin
            assert stream.headers["server"] == "uvicorn"

        proc.send_signal(signal.SIGINT)  # Ctrl-C, to the command alone
        assert proc.wait(timeout=60) == 0
        assert _closed(port) and _closed(live_port)
    finally:
        with contextlib.suppress(ProcessLookupError):  # whatever a failure above left behind
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _args(**kw):
    from types import SimpleNamespace

    base = {"port": 8000, "live_port": 8001, "plain_http": False, "behind_proxy": False, "trial": False}
    return SimpleNamespace(**{**base, **kw})


def test_serve_environment_splits_database_settings_between_the_servers(tmp_path):
    from dajia.cli_serve import build_environment

    pg = {"DATABASE_URL": "postgres://u@db/dajia", "DAJIA_SECRET_KEY": SECRET, "PATH": "/usr/bin"}
    common, wsgi, asgi, notes = build_environment(_args(), base=pg)
    assert common["DAJIA_DEBUG"] == "0" and common["DAJIA_LIVE_URL"] == ":8001"
    assert (wsgi["DAJIA_CONN_MAX_AGE"], wsgi["DAJIA_DB_POOL_MAX_SIZE"]) == ("60", "0")
    assert (asgi["DAJIA_CONN_MAX_AGE"], asgi["DAJIA_DB_POOL_MAX_SIZE"]) == ("0", "10")
    assert notes == []

    assert wsgi["DAJIA_WSGI_LONG_STREAMS"] == "0"  # uvicorn serves the streams; gunicorn only answers polls
    assert "DAJIA_WSGI_LONG_STREAMS" not in asgi and "DAJIA_LOCAL_TRIAL" not in common

    common, *_rest, notes = build_environment(_args(behind_proxy=True), base=pg)
    assert common["DAJIA_LIVE_URL"] == "" and common["DAJIA_TRUSTED_PROXIES"] == "1"

    common, wsgi, asgi, notes = build_environment(_args(trial=True), base=pg)
    assert common["DAJIA_LOCAL_TRIAL"] == wsgi["DAJIA_LOCAL_TRIAL"] == asgi["DAJIA_LOCAL_TRIAL"] == "1"
    assert wsgi["DAJIA_WSGI_LONG_STREAMS"] == "0"
    assert any("local trial" in note for note in notes)

    sqlite = {"DAJIA_VAR_DIR": str(tmp_path), "PATH": "/usr/bin"}
    common, wsgi, asgi, notes = build_environment(_args(plain_http=True), base=sqlite)
    assert "DAJIA_DB_POOL_MAX_SIZE" not in asgi and common["DAJIA_HTTPS"] == "0"
    # gunicorn's fixed threads keep their SQLite connections too; uvicorn's thread per request does not.
    assert (wsgi["DAJIA_CONN_MAX_AGE"], asgi["DAJIA_CONN_MAX_AGE"]) == ("60", "0")
    assert (
        build_environment(_args(), base={**sqlite, "DAJIA_CONN_MAX_AGE": "5"})[1]["DAJIA_CONN_MAX_AGE"] == "5"
    )
    key_file = tmp_path / "secret_key"
    assert common["DAJIA_SECRET_KEY"] == key_file.read_text() and len(common["DAJIA_SECRET_KEY"]) >= 50
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert build_environment(_args(), base=sqlite)[0]["DAJIA_SECRET_KEY"] == key_file.read_text()  # kept


def _settings(env: dict, expression: str) -> subprocess.CompletedProcess:
    code = f"import os; os.environ['DJANGO_SETTINGS_MODULE']='dajia.settings'; import dajia.settings as s; print({expression})"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_postgresql_gets_a_pool_or_persistent_connections_never_both():
    url = {"DATABASE_URL": "postgres://u@db:5432/dajia"}
    pooled = _settings({**url, "DAJIA_DB_POOL_MAX_SIZE": "8"}, "s.DATABASES['default']['OPTIONS']['pool']")
    assert pooled.returncode == 0, pooled.stderr
    assert "'max_size': 8" in pooled.stdout
    kept = _settings({**url, "DAJIA_CONN_MAX_AGE": "60"}, "s.DATABASES['default']['CONN_MAX_AGE']")
    assert kept.stdout.strip() == "60"
    both = _settings({**url, "DAJIA_CONN_MAX_AGE": "60", "DAJIA_DB_POOL_MAX_SIZE": "8"}, "1")
    assert both.returncode != 0 and "DAJIA_DB_POOL_MAX_SIZE" in both.stderr


def test_sqlite_keeps_its_connections_only_when_told():
    assert _settings({}, "s.DATABASES['default']['CONN_MAX_AGE']").stdout.strip() == "0"
    kept = _settings({"DAJIA_CONN_MAX_AGE": "60"}, "s.DATABASES['default']['CONN_MAX_AGE']")
    assert kept.returncode == 0, kept.stderr
    assert kept.stdout.strip() == "60"


def test_behind_nginx_each_gunicorn_process_takes_one_request_at_a_time():
    """Behind a proxy the pages run on sync workers (one request per process: no two share a process's lock, no
    kept-alive connection ties a browser to a busy process); facing the browsers, threads hold slow phones."""
    from dajia.cli_serve import gunicorn_command, page_threads

    def argv(**kw):
        args = _args(**{"host": "127.0.0.1", "workers": 2, "threads": None, **kw})
        command = gunicorn_command(args)
        return page_threads(args), command[command.index("--worker-class") + 1], "--threads" in command

    assert argv(behind_proxy=True) == (1, "sync", False)
    assert argv() == (4, "gthread", True)
    assert argv(trial=True, plain_http=True) == (4, "gthread", True)
    # the operator's --threads wins either way
    assert argv(behind_proxy=True, threads=8) == (8, "gthread", True)
    assert argv(threads=1) == (1, "sync", False)
