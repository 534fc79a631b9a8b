"""``dajia serve``: the production configuration on one machine (``make serve``; see docs/DEPLOY.md).

Two servers, because Django answers ordinary requests several times faster under gunicorn (WSGI) than
under uvicorn (ASGI), while thousands of open live streams (SSE) need uvicorn's event loop:

- gunicorn on PORT serves the pages, the API and the static files (WhiteNoise, hashed and compressed by
  ``collectstatic``): threaded workers facing the browsers, one request per process behind nginx
  (:func:`page_threads` says why);
- uvicorn on PORT+1 serves ``/live/...``. Pages learn where from ``DAJIA_LIVE_URL`` (``:PORT+1`` — the page's
  own host — unless set), and the live responses carry CORS headers for the site's origins. Behind a reverse
  proxy that puts both on one origin (``--behind-proxy``) it is "" and the browser never leaves the site.

A stream that reaches gunicorn anyway (a browser on the pages' port) gets a poll answer at once, never a held
thread (``DAJIA_WSGI_LONG_STREAMS=0``). Public media (project photos) is served by gunicorn too (dajia/wsgi.py).

Before starting, it runs Dajia's deployment checks and refuses to start when one fails (e.g. the development SMS
sender outside ``--trial``: dajia/core/checks.py), then migrates the database (and refreshes the query planner's
statistics, ``manage.py analyze_db``) and collects the static files
(skip with ``--no-migrate`` / ``--no-collectstatic``, e.g. on the second host of a cluster). On PostgreSQL,
gunicorn's threads keep their connections (``DAJIA_CONN_MAX_AGE``) and uvicorn uses a pool
(``DAJIA_DB_POOL_MAX_SIZE``): under ASGI every request has a thread of its own, and persistent connections would
exhaust the server. Ctrl-C (or SIGTERM) stops both.

Beside them runs the background worker (``manage.py db_worker`` of django-tasks-db): the servers queue tasks in
the database (``DAJIA_TASKS_BACKEND=database``) — the SMS outbox drain of dajia/notifications — and the worker
runs them, so a slow SMS gateway never holds a page. Ctrl-C stops it with the servers.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from dajia.core.env import stored_secret_key

ROOT = Path(__file__).resolve().parent.parent
STOP_SECONDS = 20  # how long each server may take to finish its requests before it is killed


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _secret_key(env: dict, var_dir: Path) -> str | None:
    """Keep ``DAJIA_SECRET_KEY`` from the environment, else one generated once and kept in var/secret_key
    (sessions then survive a restart). Returns a note for the operator when it used the file."""
    if env.get("DAJIA_SECRET_KEY"):
        return None
    path = Path(env.get("DAJIA_SECRET_KEY_FILE") or var_dir / "secret_key")
    env["DAJIA_SECRET_KEY"] = stored_secret_key(path)
    return (
        f"密钥取自 / secret key from {path} (多台主机须设置同一个 DAJIA_SECRET_KEY / set one for all hosts)"
    )


def _is_postgres(env: dict) -> bool:
    return env.get("DATABASE_URL", "").split(":", 1)[0] in {"postgres", "postgresql", "pgsql"}


def build_environment(
    args: argparse.Namespace, base: dict | None = None
) -> tuple[dict, dict, dict, list[str]]:
    """(common, gunicorn, uvicorn) environments and notes for the operator."""
    env = dict(os.environ if base is None else base)
    notes: list[str] = []
    env["DJANGO_SETTINGS_MODULE"] = env.get("DJANGO_SETTINGS_MODULE") or "dajia.settings"
    env.setdefault("DAJIA_DEBUG", "0")
    env.setdefault("DAJIA_TASKS_BACKEND", "database")
    if env["DAJIA_DEBUG"].strip().lower() not in {"0", "false", "no", "off"}:
        notes.append("注意：DAJIA_DEBUG 已开启，不是生产配置 / warning: DAJIA_DEBUG is on, not production")
    var_dir = Path(env.get("DAJIA_VAR_DIR") or ROOT / "var")
    note = _secret_key(env, var_dir)
    if note:
        notes.append(note)
    if args.plain_http:
        env.setdefault("DAJIA_HTTPS", "0")
        notes.append(
            "纯 HTTP 试运行：上线请在前面放 nginx（TLS）并去掉 --plain-http / plain HTTP trial: in production put "
            "nginx with TLS in front and drop --plain-http"
        )
    if args.trial:
        env["DAJIA_LOCAL_TRIAL"] = "1"
        # QR codes carry the venue network's address when bound to every interface (dajia/core/siteurl.py).
        env.setdefault("DAJIA_SERVE_HOST", getattr(args, "host", "127.0.0.1"))
        env.setdefault("DAJIA_SERVE_PORT", str(args.port))
        notes.append(
            "本机试运行：允许开发用短信发送器（验证码写入 DAJIA_SMS_FILE，不发短信）/ local trial: the development "
            "SMS sender is allowed (codes go to DAJIA_SMS_FILE, no text is sent)"
        )
    if args.behind_proxy:
        env.setdefault("DAJIA_LIVE_URL", "")
        env.setdefault("DAJIA_TRUSTED_PROXIES", "1")
    else:
        env.setdefault("DAJIA_LIVE_URL", f":{args.live_port}")
    wsgi_connections, asgi_connections = database_connections(env)
    return env, {**env, **wsgi_connections}, {**env, **asgi_connections}, notes


def database_connections(env: dict) -> tuple[dict[str, str], dict[str, str]]:
    """What the gunicorn and the uvicorn processes add to ``env``: how each holds its database connections.

    gunicorn's threads are fixed, so each keeps its connection (``DAJIA_CONN_MAX_AGE``; the operator's value
    wins): on SQLite a new one costs every request ~4 ms of CPU (the PRAGMAs, the schema read again, the
    close), a third of the menu page. Under uvicorn every request runs in a thread of its own, so persistent
    connections would pile up: PostgreSQL gets a pool there, SQLite a connection per request. uvicorn serves
    the streams: one reaching gunicorn gets a poll answer and never holds a thread."""
    wsgi = {"DAJIA_WSGI_LONG_STREAMS": "0", "DAJIA_CONN_MAX_AGE": env.get("DAJIA_CONN_MAX_AGE") or "60"}
    asgi = {"DAJIA_CONN_MAX_AGE": "0"}
    if _is_postgres(env):
        wsgi["DAJIA_DB_POOL_MAX_SIZE"] = "0"
        asgi["DAJIA_DB_POOL_MAX_SIZE"] = env.get("DAJIA_DB_POOL_MAX_SIZE") or "10"
    return wsgi, asgi


def page_threads(args: argparse.Namespace) -> int:
    """Threads per gunicorn process: ``--threads``, else 1 behind a proxy and 4 facing the browsers.

    The pages are CPU-bound Python, and a process's threads share one interpreter lock. With threads, a kept-alive
    connection stays with the process that accepted it, and that is chance: measured with 4 browsers on 2
    processes (2 cores), runs of the same page ranged from 37 to 135 requests a second and p99 from 50 to 200 ms —
    three connections on one process, the other core idle. A process of one thread (gunicorn's sync worker)
    takes one request at a time and then the next connection, so the cores stay busy: 113–130 a second, p99
    46–57 ms. It needs a buffering proxy in front (gunicorn's own advice), because it would wait on a slow
    phone's upload or download; nginx reads the request and takes the response at once. Without one (a trial
    on the venue's Wi-Fi), the threads are what keep slow phones from holding the pages."""
    return args.threads or (1 if args.behind_proxy else 4)


def gunicorn_command(args: argparse.Namespace) -> list[str]:
    threads = page_threads(args)
    workers = (
        ["--worker-class", "sync"]
        if threads == 1
        else ["--worker-class", "gthread", "--threads", str(threads)]
    )
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "dajia.wsgi:application",
        "--bind",
        f"{args.host}:{args.port}",
        *workers,
        "--workers",
        str(args.workers),
        "--timeout",
        "120",
        "--graceful-timeout",
        str(STOP_SECONDS - 5),
        "--keep-alive",
        "5",
        "--forwarded-allow-ips",
        "127.0.0.1,::1",
        "--log-level",
        "warning",
    ]


def uvicorn_command(args: argparse.Namespace) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "dajia.asgi:application",
        "--host",
        args.host,
        "--port",
        str(args.live_port),
        "--workers",
        str(args.live_workers),
        "--lifespan",
        "off",
        "--timeout-graceful-shutdown",
        "3",
        "--no-access-log",
        "--proxy-headers",
        "--forwarded-allow-ips",
        "127.0.0.1,::1",
        "--log-level",
        "warning",
    ]


def worker_command() -> list[str]:
    # No reloading: a reload could stop a task between handing an SMS to the gateway and recording it.
    return [sys.executable, "-m", "django", "db_worker", "--interval", "1", "--no-reload"]


def _manage(env: dict, *argv: str) -> None:
    subprocess.run([sys.executable, "-m", "django", *argv], env=env, cwd=ROOT, check=True)  # noqa: S603


def _deploy_checks(env: dict) -> bool:
    """Dajia's deployment checks (tag ``dajia``); prints what fails. Django's own HTTPS warnings are left to
    ``manage.py check --deploy``: a plain-HTTP trial expects them."""
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--tag", "dajia", "--fail-level", "ERROR"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode == 0:
        return True
    print(result.stdout + result.stderr, file=sys.stderr)
    print("拒绝启动：请先改正上面的设置 / refusing to start: fix the settings above first", file=sys.stderr)
    return False


def _answers(host: str, port: int) -> bool:
    target = "127.0.0.1" if host in {"0.0.0.0", ""} else ("::1" if host == "::" else host)  # noqa: S104
    try:
        with socket.create_connection((target, port), timeout=1):
            return True
    except OSError:
        return False


def _stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in {"0.0.0.0", ""} else host  # noqa: S104
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def _describe(env: dict) -> str:
    db = (
        "PostgreSQL"
        if _is_postgres(env)
        else f"SQLite {env.get('DAJIA_SQLITE_PATH') or ROOT / 'var/dajia.sqlite3'}"
    )
    live = "Redis" if env.get("REDIS_URL") else "数据库轮询 / database polling"
    return f"数据库 / database: {db}; 进程间实时事件 / live events between processes: {live}"


def serve(args: argparse.Namespace) -> int:
    if args.live_port is None:
        args.live_port = args.port + 1
    env, wsgi_env, asgi_env, notes = build_environment(args)
    if not _deploy_checks(env):
        return 2
    try:
        if not args.no_migrate:
            _manage(env, "migrate", "--noinput")
            _manage(env, "analyze_db")  # the planner's statistics (the command says why)
        if not args.no_collectstatic:
            _manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    except subprocess.CalledProcessError as e:
        print(f"准备失败 / set-up failed: {' '.join(e.cmd[2:])} exited with {e.returncode}", file=sys.stderr)
        return 2

    stopping = False

    def on_signal(signum, frame):
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    procs: list[subprocess.Popen] = []
    try:
        procs.append(subprocess.Popen(gunicorn_command(args), env=wsgi_env, cwd=ROOT))  # noqa: S603
        procs.append(subprocess.Popen(uvicorn_command(args), env=asgi_env, cwd=ROOT))  # noqa: S603
        procs.append(subprocess.Popen(worker_command(), env=wsgi_env, cwd=ROOT))  # noqa: S603
        deadline = time.monotonic() + 60
        while not stopping and not (_answers(args.host, args.port) and _answers(args.host, args.live_port)):
            if any(p.poll() is not None for p in procs) or time.monotonic() > deadline:
                print("启动失败 / a server did not start (see above)", file=sys.stderr)
                return 1
            time.sleep(0.2)
        if not stopping:
            print(
                f"\n大家 Dajia 已启动 / is serving\n"
                f"  页面 / pages:      {_url(args.host, args.port)}  "
                f"(gunicorn, {args.workers} × {page_threads(args)} threads)\n"
                f"  实时 / live (SSE): {_url(args.host, args.live_port)}  (uvicorn, {args.live_workers})\n"
                f"  后台任务 / background tasks: db_worker (短信发件 / the SMS outbox)\n"
                f"  {_describe(env)}\n"
                + "".join(f"  {n}\n" for n in notes)
                + "按 Ctrl-C 停止 / Ctrl-C stops it",
                flush=True,
            )
        while not stopping:
            if any(p.poll() is not None for p in procs):
                print("有一个服务进程退出了，正在全部停止 / a server exited; stopping", file=sys.stderr)
                return 1
            time.sleep(0.2)
        print("正在停止 / stopping…", flush=True)
        return 0
    finally:
        _stop(procs)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def add_parser(sub) -> None:
    cores = _cores()
    p = sub.add_parser(
        "serve",
        help="生产方式运行（gunicorn 页面 + uvicorn 实时）/ run the production servers",
        description=__doc__.split("\n\n")[0],
    )
    p.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    p.add_argument("--live-port", type=int, default=None, help="默认 PORT+1 / default PORT+1")
    p.add_argument("--workers", type=int, default=max(2, cores), help="gunicorn 进程数 / gunicorn processes")
    p.add_argument(
        "--threads",
        type=int,
        default=None,
        help="每个进程的线程，默认 4，--behind-proxy 时 1 / threads per gunicorn process (4; 1 --behind-proxy)",
    )
    p.add_argument("--live-workers", type=int, default=1, help="uvicorn 进程数 / uvicorn processes")
    p.add_argument("--no-migrate", action="store_true", help="不迁移数据库 / skip migrate")
    p.add_argument("--no-collectstatic", action="store_true", help="不收集静态文件 / skip collectstatic")
    p.add_argument(
        "--plain-http",
        action="store_true",
        help="无 TLS 的试运行（DAJIA_HTTPS=0）/ a trial without TLS (DAJIA_HTTPS=0)",
    )
    p.add_argument(
        "--trial",
        action="store_true",
        help=(
            "本机试运行：允许开发用短信发送器（DAJIA_LOCAL_TRIAL=1）/ a trial on this machine: allows the "
            "development SMS sender (DAJIA_LOCAL_TRIAL=1)"
        ),
    )
    p.add_argument(
        "--behind-proxy",
        action="store_true",
        help="nginx 在前、同源转发 /live/（DAJIA_LIVE_URL=''）/ nginx in front routes /live/ on the same origin",
    )
    p.set_defaults(func=serve)
