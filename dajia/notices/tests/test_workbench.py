"""Objections on the office's workbench (its own sessions' only) and their notifications: a new objection tells
the session's office, an answer tells the objector by SMS only, and only at a number verified by code."""

import datetime

import pytest

from dajia.notices import services as services_objections
from dajia.notices import workbench
from dajia.notices.models import Objection
from dajia.notifications.models import Message, SmsDelivery

REASONS = "该机构报价明显高于同类服务的市场价格，请核实。"


@pytest.fixture
def filed(published, office_user):
    """File an objection through the service within the window, as the public page does."""

    def file(entry=None, *, verified=True, mobile="13912345678"):
        entry = entry or published.entries.order_by("position").first()
        return services_objections.objection_file(
            session=published,
            entry=entry,
            name="王小红",
            mobile=mobile,
            reasons=REASONS,
            mobile_verified=verified,
            now=published.published_at + datetime.timedelta(hours=2),
        )

    return file


def test_the_office_sees_pending_objections_of_its_sessions_only(filed, office_user, other_office_user):
    objection = filed()
    group = workbench.office(office_user)[0]
    assert (group.key, group.count) == ("objections_to_answer", 1)
    assert group.items[0].url == f"/notices/s/{objection.session_id}/objections/"
    assert workbench.office(other_office_user)[0].count == 0
    services_objections.objection_respond(
        actor=office_user, objection=objection, upheld=False, response="报价符合预算标准，异议不成立。"
    )
    assert workbench.office(office_user)[0].count == 0


def test_a_new_objection_tells_the_sessions_office(filed, office_user, other_office_user):
    objection = filed()
    message = Message.objects.get(event="objection_filed")
    assert message.recipient == office_user and message.key == f"objection_filed:{objection.pk}"
    assert not Message.objects.filter(recipient=other_office_user).exists()
    assert "13912345678" not in message.text and "王小红" not in message.text


def test_the_answer_reaches_the_objector_by_sms_only_at_the_verified_number(
    filed, office_user, settings, tmp_path, django_capture_on_commit_callbacks
):
    from dajia.core import sms

    settings.DAJIA_SMS_BACKEND = "dajia.core.sms.FileSender"
    settings.DAJIA_SMS_FILE = str(tmp_path / "sms.jsonl")
    objection = filed()
    with django_capture_on_commit_callbacks(execute=True):
        services_objections.objection_respond(
            actor=office_user, objection=objection, upheld=False, response="报价符合预算标准，异议不成立。"
        )
    sent = [m for m in sms.read_file_outbox(tmp_path / "sms.jsonl") if m["event"] == "objection_answered"]
    assert [m["mobile"] for m in sent] == ["13912345678"]
    assert sent[0]["params"]["status"] == "不成立"
    assert not Message.objects.filter(event="objection_answered").exists()


def test_an_unverified_number_is_not_written_to(filed, office_user):
    objection = filed(verified=False)
    services_objections.objection_respond(
        actor=office_user, objection=objection, upheld=False, response="报价符合预算标准，异议不成立。"
    )
    assert not SmsDelivery.objects.filter(event="objection_answered").exists()
    assert Objection.objects.get().status == "rejected"
