"""The production path of the outbox: ``dajia serve`` queues tasks in the database and runs ``db_worker``
beside the servers; a queued drain run by that worker sends the waiting SMS once."""

import json
import os
import subprocess
import sys
from pathlib import Path

from dajia.cli_serve import build_environment, worker_command

ROOT = Path(__file__).resolve().parents[3]


def _args(**kw):
    from types import SimpleNamespace

    base = {"port": 8000, "live_port": 8001, "plain_http": False, "behind_proxy": False, "trial": True}
    return SimpleNamespace(**{**base, **kw})


def test_serve_queues_tasks_in_the_database_and_runs_the_worker(tmp_path):
    env, wsgi, asgi, _notes = build_environment(_args(), base={"DAJIA_VAR_DIR": str(tmp_path)})
    assert (
        env["DAJIA_TASKS_BACKEND"] == wsgi["DAJIA_TASKS_BACKEND"] == asgi["DAJIA_TASKS_BACKEND"] == "database"
    )
    assert worker_command()[2:4] == ["django", "db_worker"]
    assert "--no-reload" in worker_command()


def test_a_drain_queued_in_the_database_is_run_by_the_worker_once(tmp_path):
    outbox = tmp_path / "sms.jsonl"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DAJIA_", "DATABASE_URL"))},
        "DJANGO_SETTINGS_MODULE": "dajia.settings",
        "DAJIA_SQLITE_PATH": str(tmp_path / "dajia.sqlite3"),
        "DAJIA_TASKS_BACKEND": "database",
        "DAJIA_SMS_FILE": str(outbox),
    }

    def run(*argv, input_text=None):
        return subprocess.run(
            [sys.executable, *argv],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
            input=input_text,
        )

    run("-m", "django", "migrate", "--noinput", "-v", "0")
    queue = (
        "import django; django.setup()\n"
        "from django.db import transaction\n"
        "from dajia.notifications.models import SmsDelivery\n"
        "from dajia.notifications.tasks import enqueue_drain\n"
        "SmsDelivery.objects.create(key='k:1', event='order_dispatched', mobile='13800000001', text='订单已派给您')\n"
        "enqueue_drain(); enqueue_drain()\n"
        "from django_tasks_db.models import DBTaskResult\n"
        "print(DBTaskResult.objects.count())\n"
    )
    assert run("-", input_text=queue).stdout.strip() == "2"  # queued, not run: nothing sent yet
    assert not outbox.exists()
    run("-m", "django", "db_worker", "--batch", "--no-startup-delay", "--no-reload")
    sent = [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]
    assert [(m["mobile"], m["text"]) for m in sent] == [("13800000001", "订单已派给您")]
