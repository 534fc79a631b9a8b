"""The outbox drain: sent once, retried after a failure the sender reported, never resent once claimed, the
number masked when done; the task runs the drain (at once under the tests' immediate backend)."""

import datetime

import pytest
from django.utils import timezone

from dajia.core import sms
from dajia.notifications import outbox, tasks
from dajia.notifications.models import SmsDelivery


@pytest.fixture
def row(db):
    return SmsDelivery.objects.create(
        key="order_dispatched:1:u1",
        event="order_dispatched",
        mobile="13800000001",
        text="订单 DD1 已派给您",
        params={"number": "DD1"},
    )


class FailOnce:
    """A sender whose gateway refuses the first message, then delivers to the file sender."""

    calls = 0

    def send(self, message):
        FailOnce.calls += 1
        if FailOnce.calls == 1:
            raise sms.SmsError("gateway answered 503")
        sms.FileSender().send(message)


@pytest.fixture
def fail_once(settings, sms_file):
    FailOnce.calls = 0
    settings.DAJIA_SMS_BACKEND = f"{__name__}.FailOnce"
    return sms_file


def test_a_due_row_is_sent_once_and_its_number_masked(row, sms_file):
    assert outbox.drain() == {"sent": 1}
    assert outbox.drain() == {}
    assert [m["mobile"] for m in sms_file()] == ["13800000001"]
    row.refresh_from_db()
    assert (row.state, row.attempts, row.mobile) == ("sent", 1, "138****0001")
    assert row.sent_at is not None


def test_a_failed_send_is_retried_later_and_sent_once(row, fail_once):
    now = timezone.now()
    assert outbox.drain(now=now) == {"retry": 1}
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == ("pending", 1, "gateway answered 503")
    assert row.next_attempt_at == now + datetime.timedelta(seconds=60)
    assert outbox.next_retry_at() == row.next_attempt_at
    assert outbox.drain(now=now + datetime.timedelta(seconds=30)) == {}  # not yet due
    assert outbox.drain(now=now + datetime.timedelta(seconds=61)) == {"sent": 1}
    assert outbox.drain(now=now + datetime.timedelta(hours=1)) == {}
    assert [m["text"] for m in fail_once()] == ["订单 DD1 已派给您"]
    assert FailOnce.calls == 2


def test_after_the_last_attempt_the_row_is_given_up_and_masked(row, settings):
    settings.DAJIA_SMS_BACKEND = "dajia.notifications.tests.test_outbox.AlwaysFails"
    settings.DAJIA_SMS_MAX_ATTEMPTS = 2
    now = timezone.now()
    assert outbox.drain(now=now) == {"retry": 1}
    assert outbox.drain(now=now + datetime.timedelta(days=1)) == {"failed": 1}
    row.refresh_from_db()
    assert (row.state, row.attempts, row.mobile, row.next_attempt_at) == ("failed", 2, "138****0001", None)
    assert outbox.drain(now=now + datetime.timedelta(days=2)) == {}


class AlwaysFails:
    def send(self, message):
        raise sms.SmsError("gateway unreachable")


class Explodes:
    def send(self, message):
        raise RuntimeError("connection reset after the request was written")


def test_an_unknown_error_leaves_the_row_claimed_never_resent(row, settings, caplog):
    settings.DAJIA_SMS_BACKEND = "dajia.notifications.tests.test_outbox.Explodes"
    assert outbox.drain() == {"unknown": 1}
    assert outbox.drain(now=timezone.now() + datetime.timedelta(days=1)) == {}
    row.refresh_from_db()
    assert row.state == "sending"
    assert "13800000001" not in caplog.text


def test_a_row_claimed_by_another_drain_is_skipped(row, sms_file):
    # Another worker's conditional UPDATE won the row between our listing and our claim.
    SmsDelivery.objects.filter(pk=row.pk).update(state="sending")
    assert outbox._send_one(row.pk, timezone.now()) == "taken"
    assert sms_file() == []


def test_the_task_drains_the_outbox(row, sms_file):
    result = tasks.drain_sms_outbox.enqueue()
    assert result.return_value == {"sent": 1}
    assert len(sms_file()) == 1


def test_the_http_sender_sends_the_template_id_and_parameters(row, settings, monkeypatch):
    sent = {}

    class Response:
        status = 200

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def urlopen(request, timeout):
        import json

        sent.update(json.loads(request.data))
        return Response()

    monkeypatch.setattr(sms.urllib.request, "urlopen", urlopen)
    settings.DAJIA_SMS_BACKEND = "dajia.core.sms.HttpSender"
    settings.DAJIA_SMS_HTTP_URL = "https://sms.example.cn/send"
    settings.DAJIA_SMS_SIGN_NAME = "下城区总工会"
    settings.DAJIA_SMS_TEMPLATES = {"order_dispatched": "SMS_1001"}
    assert outbox.drain() == {"sent": 1}
    assert sent == {
        "mobile": "13800000001",
        "text": "订单 DD1 已派给您",
        "sign_name": "下城区总工会",
        "template_id": "SMS_1001",
        "params": {"number": "DD1"},
    }


def test_check_deploy_names_the_missing_templates_of_the_http_gateway(settings):
    from dajia.notifications.checks import sms_templates

    settings.DAJIA_SMS_BACKEND = "dajia.core.sms.HttpSender"
    settings.DAJIA_SMS_SIGN_NAME = ""
    settings.DAJIA_SMS_TEMPLATES = {"order_dispatched": "SMS_1", "need_answered": ""}
    [warning] = sms_templates()
    assert warning.id == "dajia.W101"
    assert "DAJIA_SMS_SIGN_NAME, DAJIA_SMS_TEMPLATE_NEED_ANSWERED" in warning.msg
    settings.DAJIA_SMS_SIGN_NAME = "下城区总工会"
    settings.DAJIA_SMS_TEMPLATES = {"order_dispatched": "SMS_1"}
    assert sms_templates() == []
    settings.DAJIA_SMS_BACKEND = "dajia.core.sms.FileSender"
    settings.DAJIA_SMS_TEMPLATES = {"order_dispatched": ""}
    assert sms_templates() == []
