"""``make run`` is a local trial (Makefile, dajia/settings.py): what the run target sets, what the settings make
of it — debug off, plain HTTP, the secret key kept in var/ (mode 600), the development SMS sender allowed, the
venue network's address allowed and put in links — and a taken port stopping it before anything says "ready".
Through real subprocesses: the settings are read once, at start-up."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from dajia.core.management.commands.check_port import port_problem

ROOT = Path(settings.BASE_DIR)
# Not the test settings: a developer's shell has none of these.
CLEARED = (
    "DAJIA_TESTING",
    "DAJIA_DEBUG",
    "DAJIA_LOCAL_TRIAL",
    "DAJIA_SITE_URL",
    "DAJIA_SECRET_KEY",
    "HOST",
    "PORT",
)

SETTINGS_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.core import checks
from django.test import Client
site_host = settings.SITE_URL.split("//", 1)[-1]
client = Client()
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "DAJIA_LOCAL_TRIAL": settings.DAJIA_LOCAL_TRIAL,
    "SITE_URL": settings.SITE_URL,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "CSRF_TRUSTED_ORIGINS": settings.CSRF_TRUSTED_ORIGINS,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "SECRET_KEY": settings.SECRET_KEY,
    "sms_errors": [m.id for m in checks.run_checks(include_deployment_checks=True, tags=["dajia"])],
    "site_host_status": client.get("/api/openapi.json", HTTP_HOST=site_host).status_code,
    "other_host_status": client.get("/api/openapi.json", HTTP_HOST="evil.example").status_code,
    # A mistyped link answered by the site's own 404 (JSON here: the page itself needs the collected files).
    "missing": (lambda r: [r.status_code, r["Content-Type"], r.content.decode()])(
        client.get("/no-such-page/", HTTP_ACCEPT="application/json")
    ),
}))
"""


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env.update(
        DJANGO_SETTINGS_MODULE="dajia.settings",
        DAJIA_SECRET_KEY_FILE=str(tmp_path / "secret_key"),
        DAJIA_SQLITE_PATH=str(tmp_path / "trial.sqlite3"),
        **extra,
    )
    return env


def _make_run(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess:
    """``make run VAR=value ...`` in this checkout (its .venv taken as installed)."""
    return subprocess.run(
        ["make", "-s", "-o", ".venv/.installed", "run", *(f"{k}={v}" for k, v in variables.items())],
        cwd=ROOT,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@contextmanager
def _held_port():
    """A port some other program listens on."""
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    holder.bind(("127.0.0.1", 0))
    holder.listen(1)
    try:
        yield holder.getsockname()[1]
    finally:
        holder.close()


def _make_run_environment(tmp_path: Path, **variables: str) -> tuple[dict[str, str], list[str]]:
    """The environment and arguments ``make run`` gives its first command (a stand-in python records them)."""
    record = tmp_path / "first-command.json"
    fake = tmp_path / "python"
    fake.write_text(
        f"#!{sys.executable}\nimport json, os, sys\n"
        f"json.dump({{'env': dict(os.environ), 'argv': sys.argv[1:]}}, open({str(record)!r}, 'w'))\nsys.exit(3)\n"
    )
    fake.chmod(0o755)
    done = _make_run(tmp_path, PY=str(fake), **variables)
    assert done.returncode != 0  # the stand-in stops make at its first command
    recorded = json.loads(record.read_text())
    return recorded["env"], recorded["argv"]


def _settings_of(env: dict[str, str]) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", SETTINGS_PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_make_run_is_a_local_trial_with_debug_off_and_its_own_secret_key(tmp_path):
    env, argv = _make_run_environment(tmp_path, PORT="8123")
    assert argv == ["manage.py", "check_port", "127.0.0.1", "8123"]  # the port is checked first
    assert env["DAJIA_LOCAL_TRIAL"] == "1" and env["DAJIA_HTTPS"] == "0" and "DAJIA_DEBUG" not in env
    seen = _settings_of(env)
    assert seen["DEBUG"] is False and seen["DAJIA_LOCAL_TRIAL"] is True  # the site's own error pages
    status, kind, body = seen["missing"]
    assert status == 404 and kind == "application/json" and "Using the URLconf" not in body
    assert seen["SECURE_SSL_REDIRECT"] is False and seen["SESSION_COOKIE_SECURE"] is False  # plain HTTP
    assert seen["sms_errors"] == []  # the development SMS sender is allowed here (dajia.E001 elsewhere)
    key = tmp_path / "secret_key"
    assert seen["SECRET_KEY"] == key.read_text().strip() and len(seen["SECRET_KEY"]) >= 50
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert _settings_of(env)["SECRET_KEY"] == seen["SECRET_KEY"]  # generated once: sessions survive a restart


def test_one_variable_turns_debug_on_under_make_run(tmp_path):
    env, _argv = _make_run_environment(tmp_path)
    assert _settings_of({**env, "DAJIA_DEBUG": "1"})["DEBUG"] is True


def test_production_keeps_its_strict_checks(tmp_path):
    """``dajia serve`` without --trial: DEBUG off, HTTPS, and the development SMS sender refused."""
    seen = _settings_of(_env(tmp_path, DAJIA_DEBUG="0", DAJIA_SECRET_KEY="x" * 50))
    assert seen["DEBUG"] is False and seen["DAJIA_LOCAL_TRIAL"] is False
    assert seen["SECURE_SSL_REDIRECT"] is True and "dajia.E001" in seen["sms_errors"]


def test_make_run_on_the_venue_network_serves_and_links_the_machine_s_address(tmp_path):
    env, argv = _make_run_environment(tmp_path, HOST="0.0.0.0")  # noqa: S104
    assert argv[2] == "0.0.0.0" and env["DAJIA_SERVE_HOST"] == "0.0.0.0"  # noqa: S104
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.255.255.254", 9))  # no packet is sent: only the route is looked up
        lan = probe.getsockname()[0]
    except OSError:
        pytest.skip("this machine has no network address besides loopback")
    finally:
        probe.close()
    seen = _settings_of(env)
    assert seen["SITE_URL"] == f"http://{lan}:8000"
    assert lan in seen["ALLOWED_HOSTS"] and f"http://{lan}:8000" in seen["CSRF_TRUSTED_ORIGINS"]
    assert seen["site_host_status"] == 200 and seen["other_host_status"] == 400


def test_a_site_url_is_served_and_allowed(tmp_path):
    env, _argv = _make_run_environment(tmp_path)
    seen = _settings_of({**env, "DAJIA_SITE_URL": "http://192.168.1.10:8000"})
    assert seen["SITE_URL"] == "http://192.168.1.10:8000" and "192.168.1.10" in seen["ALLOWED_HOSTS"]
    assert seen["site_host_status"] == 200 and seen["other_host_status"] == 400


def test_make_run_on_a_taken_port_stops_before_anything_says_ready(tmp_path):
    with _held_port() as port:
        done = _make_run(tmp_path, PORT=str(port))
    out = done.stdout + done.stderr
    assert done.returncode != 0
    assert f"端口 {port} 已被占用" in out and f"Port {port} is in use" in out
    assert "就绪" not in out and "ready" not in out.lower().replace("already", "")
    assert "Operations to perform" not in out and "Starting development server" not in out  # nothing ran


def test_the_port_check_passes_a_free_port_and_refuses_a_taken_one():
    with _held_port() as port:
        assert port_problem("127.0.0.1", port)
        with pytest.raises(CommandError) as refused:
            call_command("check_port", "127.0.0.1", str(port))
        assert refused.value.returncode == 1
    assert port_problem("127.0.0.1", port) is None
    call_command("check_port", "127.0.0.1", str(port))
