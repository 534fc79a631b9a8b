"""Every notification event, told twice (a retried service or job) while the gateway fails once: one inbox
message per account and one SMS per person in the end — through the file sender — and none by SMS to a person
who turned it off."""

import datetime

import pytest
from django.utils import timezone

from dajia.agreements import workbench as agreements_events
from dajia.conftest import make_user
from dajia.core import sms
from dajia.needs import workbench as needs_events
from dajia.needs.models import Need, NeedUpdate
from dajia.notices import workbench as objection_events
from dajia.notices.models import Objection
from dajia.notifications import outbox
from dajia.notifications.models import Message, SmsDelivery, SmsPreference
from dajia.orders import workbench as orders_events
from dajia.orders.models import Order


class FailOnce:
    """The gateway refuses the very first message it is given, then delivers (to the file sender)."""

    failed = False

    def send(self, message):
        if not FailOnce.failed:
            FailOnce.failed = True
            raise sms.SmsError("gateway answered 503")
        sms.FileSender().send(message)


@pytest.fixture
def world(
    stress_agreement,
    place_order,
    chair_user,
    union,
    office_user,
    provider_user,
    published_session,
    settings,
    tmp_path,
):
    FailOnce.failed = False
    settings.DAJIA_SMS_BACKEND = f"{__name__}.FailOnce"
    settings.DAJIA_SMS_FILE = str(tmp_path / "sms.jsonl")
    for n, user in enumerate((office_user, provider_user, chair_user), start=1):
        user.mobile = f"1380000000{n}"
        user.save()
    worker = make_user("worker", role="worker")
    worker.mobile = "13800000004"
    worker.save()
    order = place_order(chair_user, union, stress_agreement, days=5)
    need = Need.objects.create(
        federation=union.federation, union=union, author=worker, text="希望开设职工子女暑期托管班"
    )
    objection = Objection.objects.create(
        session=published_session,
        entry=stress_agreement.entry,
        name="王小红",
        mobile="13900000009",
        mobile_verified=True,
        reasons="报价明显高于同类服务的市场价格",
        filed_at=timezone.now(),
        status="rejected",
        response="报价符合预算标准，异议不成立。",
        responded_by=office_user,
        responded_at=timezone.now(),
    )
    # What building the world told is not under test.
    Message.objects.all().delete()
    SmsDelivery.objects.all().delete()
    return {
        "order": order,
        "need": need,
        "objection": objection,
        "worker": worker,
        "agreement": stress_agreement,
        "sms_file": tmp_path / "sms.jsonl",
    }


def _events(world, office_user, provider_user):
    order, agreement = world["order"], world["agreement"]
    accepted = Order(
        pk=order.pk, number=order.number, project=order.project, union=order.union, state="accepted"
    )
    declined = Order(
        pk=order.pk, number=order.number, project=order.project, union=order.union, state="declined"
    )
    update = NeedUpdate.objects.create(
        need=world["need"], status="answered", message="七月开班", actor=office_user
    )
    order.state_reason = "活动改期"
    return {
        "order_dispatched": lambda: orders_events.notify_dispatched(order, actor=office_user),
        "order_accepted": lambda: orders_events.notify_answered(accepted, actor=provider_user),
        "order_declined": lambda: orders_events.notify_answered(declined, actor=provider_user),
        "order_cancelled": lambda: orders_events.notify_cancelled([order], actor=None, was="dispatched"),
        "agreement_to_sign": lambda: agreements_events.notify_to_sign(
            agreement, agreement.versions.get(), actor=None
        ),
        "agreement_voided": lambda: agreements_events.notify_voided(agreement, actor=None, cancelled=1),
        "objection_filed": lambda: objection_events.notify_filed(world["objection"]),
        "objection_answered": lambda: objection_events.notify_answered(world["objection"]),
        "need_answered": lambda: needs_events.notify_answered(update),
    }


RECIPIENTS = {
    "order_dispatched": {"provider"},
    "order_accepted": {"chair"},
    "order_declined": {"chair"},
    "order_cancelled": {"chair", "provider"},
    "agreement_to_sign": {"office", "provider"},
    "agreement_voided": {"provider"},
    "objection_filed": {"office"},
    "objection_answered": set(),  # no account: SMS only
    "need_answered": {"worker"},
}
NUMBERS = {
    "office": "13800000001",
    "provider": "13800000002",
    "chair": "13800000003",
    "worker": "13800000004",
}


@pytest.mark.parametrize("event", sorted(RECIPIENTS))
def test_each_event_tells_once_even_when_retried_and_the_gateway_fails_once(
    event, world, office_user, provider_user, django_capture_on_commit_callbacks
):
    tell = _events(world, office_user, provider_user)[event]
    with django_capture_on_commit_callbacks(execute=True):
        tell()
    with django_capture_on_commit_callbacks(execute=True):
        tell()  # the service (or the job) is retried
    assert FailOnce.failed  # the first send failed ...
    outbox.drain(now=timezone.now() + datetime.timedelta(hours=1))  # ... and was retried
    inbox = list(Message.objects.filter(event=event).values_list("recipient__username", flat=True))
    assert sorted(inbox) == sorted(RECIPIENTS[event])
    sent = [m["mobile"] for m in sms.read_file_outbox(world["sms_file"])]
    expected = sorted(NUMBERS[u] for u in RECIPIENTS[event]) or ["13900000009"]
    assert sorted(sent) == expected


def test_a_person_who_turned_sms_off_gets_no_sms_for_any_event(
    world, office_user, provider_user, chair_user, django_capture_on_commit_callbacks
):
    for user in (office_user, provider_user, chair_user, world["worker"]):
        SmsPreference.objects.create(user=user, sms_enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        for event, tell in _events(world, office_user, provider_user).items():
            if event != "objection_answered":
                tell()
    outbox.drain(now=timezone.now() + datetime.timedelta(hours=1))
    assert sms.read_file_outbox(world["sms_file"]) == []
    assert Message.objects.count() == sum(len(r) for r in RECIPIENTS.values())
