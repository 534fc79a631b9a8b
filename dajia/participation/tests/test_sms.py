"""No log line holds a one-time code or the number it went to: around a real code request and verification
(the development file sender), and when the gateway fails."""

from __future__ import annotations

import logging
import re

from dajia.core import sms
from dajia.participation.tests.conftest import JSON

MOBILE = "13712345678"


def _logged(caplog) -> str:
    return "\n".join(f"{r.name} {r.levelname} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)


def test_a_code_request_and_its_verification_log_neither_the_code_nor_the_number(
    client, live_session, settings, tmp_path, caplog
):
    settings.DAJIA_SMS_BACKEND = "dajia.core.sms.FileSender"
    settings.DAJIA_SMS_FILE = str(tmp_path / "outbox.jsonl")
    caplog.set_level(logging.DEBUG)  # every logger, every level: nothing may hold the code

    sent = client.post(f"/participation/s/{live_session.pk}/code", {"mobile": MOBILE}, **JSON)
    assert sent.status_code == 200
    (message,) = sms.read_file_outbox(tmp_path / "outbox.jsonl")  # the local trial still reads its codes here
    code = re.search(r"(?<![0-9])[0-9]{6}(?![0-9])", message["text"])[0]
    wrong = client.post(
        f"/participation/s/{live_session.pk}/verify", {"mobile": MOBILE, "code": "000000"}, **JSON
    )
    right = client.post(
        f"/participation/s/{live_session.pk}/verify", {"mobile": MOBILE, "code": code}, **JSON
    )
    assert (wrong.status_code, right.status_code) == (400, 200)

    logged = _logged(caplog)
    assert "written to" in logged and str(tmp_path / "outbox.jsonl") in logged  # the sender did log, safely
    assert code not in logged
    assert MOBILE not in logged and MOBILE[-8:] not in logged


def test_a_failing_gateway_is_logged_without_the_code_or_the_number(client, live_session, settings, caplog):
    settings.DAJIA_SMS_BACKEND = "dajia.core.sms.HttpSender"
    settings.DAJIA_SMS_HTTP_URL = "http://127.0.0.1:9/send"  # the discard port: nothing answers
    settings.DAJIA_SMS_HTTP_TIMEOUT = 2
    caplog.set_level(logging.DEBUG)

    sent = client.post(f"/participation/s/{live_session.pk}/code", {"mobile": MOBILE}, **JSON)
    assert sent.status_code == 400

    warnings = [r for r in caplog.records if r.name == "dajia.core.sms" and r.levelname == "WARNING"]
    assert len(warnings) == 1 and "gateway unreachable" in warnings[0].getMessage()
    logged = _logged(caplog)
    assert MOBILE not in logged and MOBILE[-8:] not in logged
    assert not re.search(r"(?<![0-9])[0-9]{6}(?![0-9])", logged)
