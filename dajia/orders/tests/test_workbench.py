"""Orders on the workbench (each role's waiting orders, nobody else's) and the order events' notifications."""

import pytest
from django.utils import timezone

from dajia.conftest import make_user
from dajia.notifications.models import Message, SmsDelivery
from dajia.orders import services, workbench
from dajia.orders.models import Order, Rating


def _keys(groups):
    return {g.key: [i.title.split()[0] for i in g.items] for g in groups}


def _messages(user):
    return list(
        Message.objects.filter(recipient=user, event__startswith="order_")
        .order_by("id")
        .values_list("event", flat=True)
    )


@pytest.fixture
def orders(stress_agreement, agreements, place_order, chair_user, union, other_union, other_chair_user):
    mine = place_order(chair_user, union, stress_agreement, days=5)
    theirs = place_order(other_chair_user, other_union, agreements["fire"], days=6)
    return mine, theirs


@pytest.fixture
def other_chair_user(other_union):
    return make_user("otherchair", role="chair", union=other_union)


def test_the_office_sees_orders_to_dispatch_of_its_federation_only(orders, office_user, other_office_user):
    mine, theirs = orders
    assert set(_keys(workbench.office(office_user))["orders_to_dispatch"]) == {mine.number, theirs.number}
    assert workbench.office(other_office_user)[0].count == 0


def test_a_provider_sees_its_dispatched_orders_not_another_providers(
    orders, office_user, provider_user, other_provider_user
):
    mine, theirs = orders
    for order in orders:
        services.order_dispatch(actor=office_user, order=order)
    assert _keys(workbench.provider(provider_user))["orders_to_accept"] == [mine.number]
    assert _keys(workbench.provider(other_provider_user))["orders_to_accept"] == [theirs.number]


def test_a_provider_sees_deliveries_to_record_and_ratings_to_reply(
    orders, provider_user, other_provider_user
):
    mine, theirs = orders
    past = timezone.now() - timezone.timedelta(hours=3)
    Order.objects.filter(pk__in=[mine.pk, theirs.pk]).update(state="accepted", starts_at=past)
    for order in orders:
        Rating.objects.create(order=order, role="chair", stars=2, comment="迟到", created_at=timezone.now())
    groups = _keys(workbench.provider(provider_user))
    assert groups["deliveries_to_record"] == [mine.number]
    assert groups["ratings_to_reply"] == [mine.number]
    assert _keys(workbench.provider(other_provider_user))["ratings_to_reply"] == [theirs.number]


def test_a_chair_sees_its_unions_proposals_and_deliveries_to_confirm(orders, chair_user, other_chair_user):
    mine, theirs = orders
    Order.objects.filter(pk=mine.pk).update(state="delivered")
    Order.objects.filter(pk=theirs.pk).update(state="proposed")
    assert _keys(workbench.chair(chair_user)) == {
        "orders_to_confirm": [],
        "deliveries_to_confirm": [mine.number],
    }
    assert _keys(workbench.chair(other_chair_user)) == {
        "orders_to_confirm": [theirs.number],
        "deliveries_to_confirm": [],
    }


def test_dispatch_tells_the_provider_and_accept_tells_the_chair(
    orders, office_user, provider_user, other_provider_user, chair_user, other_chair_user
):
    mine, _theirs = orders
    services.order_dispatch(actor=office_user, order=mine)
    assert _messages(provider_user) == ["order_dispatched"]
    assert _messages(other_provider_user) == []
    services.order_accept(actor=provider_user, order=mine)
    assert _messages(chair_user) == ["order_accepted"]
    assert _messages(other_chair_user) == []
    assert Message.objects.get(recipient=chair_user, event="order_accepted").url == f"/orders/{mine.pk}/"


def test_decline_tells_the_chair(orders, office_user, provider_user, chair_user):
    mine, _theirs = orders
    services.order_dispatch(actor=office_user, order=mine)
    services.order_decline(actor=provider_user, order=mine, reason="讲师生病，无法到场")
    assert _messages(chair_user) == ["order_declined"]
    assert "拒单" in Message.objects.get(recipient=chair_user, event="order_declined").text


def test_cancel_tells_the_provider_who_had_it_and_not_the_chair_who_cancelled(
    orders, office_user, provider_user, chair_user
):
    mine, _theirs = orders
    services.order_dispatch(actor=office_user, order=mine)
    services.order_cancel(actor=chair_user, order=mine, reason="活动改期")
    assert _messages(provider_user) == ["order_dispatched", "order_cancelled"]
    assert _messages(chair_user) == []


def test_an_order_cancelled_before_dispatch_does_not_tell_the_provider(
    orders, office_user, provider_user, chair_user
):
    mine, _theirs = orders
    services.order_cancel(actor=office_user, order=mine, reason="预算调整")
    assert _messages(provider_user) == []
    assert _messages(chair_user) == ["order_cancelled"]


def test_each_event_sends_at_most_one_sms_and_none_to_a_person_who_turned_it_off(
    orders, office_user, provider_user, settings, tmp_path, django_capture_on_commit_callbacks
):
    from dajia.core import sms
    from dajia.notifications.models import SmsPreference

    settings.DAJIA_SMS_BACKEND = "dajia.core.sms.FileSender"
    settings.DAJIA_SMS_FILE = str(tmp_path / "sms.jsonl")
    provider_user.mobile = "13800000001"
    provider_user.save()
    second = make_user("provider2", role="provider", provider=provider_user.roles.get().provider)
    second.mobile = "13800000002"
    second.save()
    SmsPreference.objects.create(user=second, sms_enabled=False)
    mine, _theirs = orders
    with django_capture_on_commit_callbacks(execute=True):
        services.order_dispatch(actor=office_user, order=mine)
    workbench.notify_dispatched(mine, actor=office_user)  # the event told again (a retried job)
    assert [m["mobile"] for m in sms.read_file_outbox(tmp_path / "sms.jsonl")] == ["13800000001"]
    assert SmsDelivery.objects.count() == 1
    assert Message.objects.filter(event="order_dispatched").count() == 2  # both members' inboxes
