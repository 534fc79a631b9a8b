"""notify / notifications_send: one inbox message and at most one SMS per event and person, in the caller's
transaction, sent after commit; SMS off means none; people without an account get SMS only."""

import pytest
from django.db import transaction
from django.utils.translation import gettext_lazy

from dajia.notifications import services
from dajia.notifications.models import Message, SmsDelivery, SmsPreference

TEXT = gettext_lazy("Order %(number)s (%(project)s) has been dispatched to you: please accept or decline it.")


def _notify(audience=None, mobiles=(), key="order_dispatched:1"):
    services.notify(
        event="order_dispatched",
        key=key,
        text=TEXT,
        params={"number": "DD1", "project": "减压"},
        url="/orders/1/",
        audience=audience,
        mobiles=mobiles,
    )


@pytest.fixture
def member(provider_user):
    provider_user.mobile = "13800000001"
    provider_user.save()
    return provider_user


def test_one_message_and_one_sms_even_when_the_event_is_told_twice(
    member, provider, sms_file, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _notify(services.members_of(provider.pk))
        _notify(services.members_of(provider.pk))  # the service retried
    assert Message.objects.filter(recipient=member).count() == 1
    message = Message.objects.get(recipient=member)
    assert message.text == "订单 DD1（减压）已派给您，请接单或拒单。"
    assert message.url == "/orders/1/" and message.read_at is None
    sent = sms_file()
    assert [(m["mobile"], m["event"], m["params"]) for m in sent] == [
        ("13800000001", "order_dispatched", {"number": "DD1", "project": "减压"})
    ]
    delivery = SmsDelivery.objects.get()
    assert delivery.state == "sent" and delivery.mobile == "138****0001"


def test_nothing_is_sent_before_commit_and_nothing_when_rolled_back(member, provider, sms_file):
    with pytest.raises(RuntimeError), transaction.atomic():
        _notify(services.members_of(provider.pk))
        assert SmsDelivery.objects.count() == 1
        raise RuntimeError
    assert Message.objects.count() == 0 and SmsDelivery.objects.count() == 0
    assert sms_file() == []


def test_a_person_who_turned_sms_off_gets_the_inbox_message_only(
    member, provider, sms_file, django_capture_on_commit_callbacks
):
    SmsPreference.objects.create(user=member, sms_enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        _notify(services.members_of(provider.pk))
    assert Message.objects.filter(recipient=member).count() == 1
    assert SmsDelivery.objects.count() == 0 and sms_file() == []


def test_without_a_mobile_number_only_the_inbox(provider_user, provider, sms_file):
    _notify(services.members_of(provider.pk))
    assert Message.objects.filter(recipient=provider_user).count() == 1
    assert SmsDelivery.objects.count() == 0


def test_people_without_an_account_get_one_sms_at_the_given_number(
    db, sms_file, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _notify(mobiles=["13900000009"], key="objection_answered:7")
        _notify(mobiles=["13900000009"], key="objection_answered:7")
    assert Message.objects.count() == 0
    assert [m["mobile"] for m in sms_file()] == ["13900000009"]
    # The key kept after sending does not hold the number.
    assert "13900000009" not in SmsDelivery.objects.get().key


def test_audience_is_only_the_named_role_and_organisation(
    member, other_provider_user, office_user, provider, other_provider, federation, other_office_user
):
    _notify(services.members_of(provider.pk) | services.office_of(federation.pk))
    assert set(Message.objects.values_list("recipient__username", flat=True)) == {"provider", "office"}


def test_the_actor_is_not_told_of_their_own_action(office_user, federation):
    services.notify(
        event="agreement_to_sign",
        key="agreement_to_sign:1:v1:federation",
        text=TEXT,
        params={"number": "X", "project": "Y"},
        audience=services.office_of(federation.pk),
        exclude_user_id=office_user.pk,
    )
    assert Message.objects.count() == 0


def test_an_inactive_account_is_not_told(member, provider):
    member.is_active = False
    member.save()
    _notify(services.members_of(provider.pk))
    assert Message.objects.count() == 0


def test_text_is_in_chinese_whatever_the_actor_reads(member, provider):
    from django.utils import translation

    with translation.override("en"):
        _notify(services.members_of(provider.pk))
    assert Message.objects.get().text.startswith("订单 DD1")


def test_someone_else_is_not_in_the_audience_of_a_user_notice(member, other_provider_user):
    services.notify(
        event="need_answered",
        key="need_answered:1",
        text=TEXT,
        params={"number": 1, "project": 2},
        audience=services.users(member.pk),
    )
    assert list(Message.objects.values_list("recipient", flat=True)) == [member.pk]
    assert services.users(None) is None
