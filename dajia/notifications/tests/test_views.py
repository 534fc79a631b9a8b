"""The inbox page, opening a message (one's own only), the SMS switch and the header's unread count."""

import pytest
from django.urls import reverse

from dajia.notifications.models import Message, SmsPreference


def _message(user, n=1, url="/orders/1/"):
    return Message.objects.create(
        recipient=user, event="order_dispatched", key=f"k{n}", text=f"消息{n}", url=url
    )


def test_the_inbox_lists_ones_own_messages_and_the_header_counts_the_unread(
    client, provider_user, other_provider_user
):
    _message(provider_user, 1)
    _message(provider_user, 2)
    _message(other_provider_user, 3)
    client.force_login(provider_user)
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "消息1" in body and "消息2" in body and "消息3" not in body
    assert 'data-unread="2"' in body


def test_opening_a_message_marks_it_read_and_goes_to_its_page(client, provider_user):
    message = _message(provider_user)
    client.force_login(provider_user)
    response = client.post(reverse("notifications:open", args=[message.pk]))
    assert response.status_code == 302 and response["Location"] == "/orders/1/"
    message.refresh_from_db()
    assert message.read_at is not None
    assert "data-unread" not in client.get(reverse("notifications:inbox")).content.decode()


def test_someone_elses_message_is_not_found_and_stays_unread(client, provider_user, other_provider_user):
    message = _message(other_provider_user)
    client.force_login(provider_user)
    assert client.post(reverse("notifications:open", args=[message.pk])).status_code == 404
    message.refresh_from_db()
    assert message.read_at is None


def test_a_link_to_another_site_is_not_followed(client, provider_user):
    message = _message(provider_user, url="https://evil.example.com/")
    client.force_login(provider_user)
    response = client.post(reverse("notifications:open", args=[message.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("notifications:inbox")


def test_mark_all_read(client, provider_user, other_provider_user):
    _message(provider_user, 1)
    _message(provider_user, 2)
    theirs = _message(other_provider_user, 3)
    client.force_login(provider_user)
    assert client.post(reverse("notifications:read_all")).status_code == 302
    assert not Message.objects.filter(recipient=provider_user, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_turning_sms_off_and_on(client, provider_user):
    client.force_login(provider_user)
    assert "账号没有手机号" in client.get(reverse("notifications:inbox")).content.decode()
    provider_user.mobile = "13800000001"
    provider_user.save()
    assert "138****0001" in client.get(reverse("notifications:inbox")).content.decode()
    assert client.post(reverse("notifications:preference"), {}).status_code == 302
    assert SmsPreference.objects.get(user=provider_user).sms_enabled is False
    assert 'name="sms" checked' not in client.get(reverse("notifications:inbox")).content.decode()
    client.post(reverse("notifications:preference"), {"sms": "on"})
    assert SmsPreference.objects.get(user=provider_user).sms_enabled is True


def test_the_inbox_needs_a_login_and_writes_need_post(client, provider_user):
    assert client.get(reverse("notifications:inbox")).status_code == 302
    client.force_login(provider_user)
    assert client.get(reverse("notifications:read_all")).status_code == 405


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_unread_count_costs_one_query_signed_in_and_none_otherwise(
    rf, provider_user, django_assert_num_queries, signed_in
):
    from django.contrib.auth.models import AnonymousUser

    from dajia.notifications.context_processors import unread

    _message(provider_user)
    request = rf.get("/")
    request.user = provider_user if signed_in else AnonymousUser()
    with django_assert_num_queries(1 if signed_in else 0):
        context = unread(request)
        assert context.get("unread_count", 0) == (1 if signed_in else 0)
