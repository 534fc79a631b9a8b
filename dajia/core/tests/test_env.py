import subprocess
import sys

import pytest
from django.conf import settings

from dajia.core.env import EnvError, database_from_url, env_bool, env_int


def test_env_bool_refuses_nonsense(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(EnvError):
        env_bool("X_FLAG")
    monkeypatch.setenv("X_FLAG", "yes")
    assert env_bool("X_FLAG") is True


def test_env_int_refuses_nonsense(monkeypatch):
    monkeypatch.setenv("X_INT", "ten")
    with pytest.raises(EnvError):
        env_int("X_INT", 1)


def test_database_url_postgres_and_sqlite():
    pg = database_from_url("postgres://postgres@127.0.0.1:5432/dajia")
    assert pg["ENGINE"].endswith("postgresql") and pg["NAME"] == "dajia" and pg["PORT"] == "5432"
    assert database_from_url("sqlite:////tmp/x.db")["NAME"] == "/tmp/x.db"
    with pytest.raises(EnvError):
        database_from_url("mysql://x/y")


def _run(env_extra: dict, *args) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "DAJIA_SQLITE_PATH": "/tmp/dajia-settings-test.sqlite3", **env_extra}
    return subprocess.run(
        [sys.executable, "manage.py", *args], capture_output=True, text=True, env=env, check=False
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _run({"DAJIA_DEBUG": "0"}, "check")
    assert result.returncode != 0
    assert "DAJIA_SECRET_KEY" in result.stderr


PRODUCTION = {
    "DAJIA_DEBUG": "0",
    "DAJIA_SECRET_KEY": "x" * 60 + "-production-secret-for-the-check",
    "DAJIA_SMS_BACKEND": "dajia.core.sms.HttpSender",
    "DAJIA_SMS_HTTP_URL": "https://sms.example.org/send",
    # A Chinese gateway sends only registered templates under a registered signature (dajia.W101 otherwise).
    "DAJIA_SMS_SIGN_NAME": "大家",
    **{
        f"DAJIA_SMS_TEMPLATE_{event.upper()}": f"SMS_{n:06d}"
        for n, event in enumerate(settings.DAJIA_SMS_TEMPLATES)
    },
}


def test_production_settings_pass_check_deploy():
    result = _run(
        PRODUCTION,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_refuses_the_development_sms_sender_outside_a_local_trial():
    development = {k: v for k, v in PRODUCTION.items() if k != "DAJIA_SMS_BACKEND"}  # the default: FileSender
    result = _run(development, "check", "--deploy")
    assert result.returncode == 1
    assert "(dajia.E001)" in result.stderr
    assert "生产环境不能使用开发用短信发送器 dajia.core.sms.FileSender" in result.stderr
    assert "production refuses the development SMS sender" in result.stderr
    assert "dajia serve --trial" in result.stderr

    trial = _run({**development, "DAJIA_LOCAL_TRIAL": "1"}, "check", "--deploy", "--tag", "dajia")
    assert trial.returncode == 0, trial.stderr
