"""Sign-ins and ratings count real people: a server-issued device cookie, the session's capacity, one rating per
sign-in, a per-address limit no lower than the capacity, and a track record that counts only these."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dajia.core import devices, ratelimit
from dajia.orders import services, services_signins
from dajia.orders.models import Attendance, Rating
from dajia.orders.selectors import track_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(stress_agreement, place_order, chair_user, union, office_user, provider_user):
    order = place_order(chair_user, union, stress_agreement, days=5)
    services.order_dispatch(actor=office_user, order=order)
    services.order_accept(actor=provider_user, order=order)
    order.refresh_from_db()
    assert order.agreement.capacity == 30
    return order


@pytest.fixture
def during(order, monkeypatch):
    moment = order.starts_at + datetime.timedelta(minutes=20)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


def _urls(order):
    return (
        reverse("orders:signin", args=[order.signin_token]),
        reverse("orders:signin_rate", args=[order.signin_token]),
    )


def _phone(order) -> Client:
    phone = Client()  # every test client comes from 127.0.0.1: one venue's shared address
    assert phone.get(_urls(order)[0]).status_code == 200
    return phone


def test_thirty_sign_in_from_one_address_and_the_thirty_first_is_refused(order, during):
    url, _rate = _urls(order)
    for i in range(30):
        response = _phone(order).post(url, {"name": f"职工{i}", "union_name": "潮鸣食品"})
        assert response.status_code == 302, i
    assert list(Attendance.objects.filter(order=order).values_list("seat", flat=True)) == list(range(1, 31))
    late = _phone(order).post(url, {"name": "第三十一人", "union_name": "潮鸣食品"})
    assert late.status_code == 400
    assert "已满" in late.content.decode()  # "This session is full…"
    assert Attendance.objects.filter(order=order).count() == 30


def test_the_service_stops_at_the_capacity(order, during):
    for i in range(30):
        services_signins.attendance_sign_in(
            order=order, device=f"device-{i:020d}", name="李四", union_name="x"
        )
    with pytest.raises(ValidationError, match="已满"):
        services_signins.attendance_sign_in(
            order=order, device="device-extra-00000000", name="王五", union_name="x"
        )
    assert Attendance.objects.filter(order=order).count() == 30


def test_two_sign_ins_can_never_hold_the_same_seat(order, during):
    attendance, _ = services_signins.attendance_sign_in(
        order=order, device="device-a-000000000000", name="李四", union_name="x"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(
            order=order,
            device="device-b-000000000000",
            seat=attendance.seat,
            name="王五",
            union_name="x",
            signed_at=during,
        )


def test_a_post_without_a_server_issued_cookie_is_refused(order, during):
    url, _rate = _urls(order)
    nocookie = Client().post(url, {"name": "王小红", "union_name": "潮鸣食品"})
    assert nocookie.status_code == 400
    page = nocookie.content.decode()
    assert "重新打开" in page and 'value="王小红"' in page  # told to open the page again; input kept
    assert "dajia_device" in nocookie.cookies  # …and given a cookie for when it does
    forged = Client()
    forged.cookies["dajia_device"] = "x" * 32  # a device id the client chose
    assert forged.post(url, {"name": "王小红", "union_name": "潮鸣食品"}).status_code == 400
    tampered = _phone(order)
    tampered.cookies["dajia_device"] = tampered.cookies["dajia_device"].value[:-2] + "AA"
    assert tampered.post(url, {"name": "王小红", "union_name": "潮鸣食品"}).status_code == 400
    assert not Attendance.objects.exists()


def test_one_cookie_signs_in_once_and_rates_once(order, during):
    url, rate = _urls(order)
    phone = _phone(order)
    assert phone.post(url, {"name": "王小红", "union_name": "潮鸣食品"}).status_code == 302
    assert phone.post(url, {"name": "王小红二号", "union_name": "潮鸣食品"}).status_code == 302
    assert phone.post(rate, {"stars": "5"}).status_code == 302
    assert phone.post(rate, {"stars": "4", "comment": "第二次"}).status_code == 302
    attendance = Attendance.objects.get(order=order)
    rating = Rating.objects.get(order=order)  # the second one replaced the first
    assert attendance.name == "王小红" and rating.attendance == attendance and rating.stars == 4


def test_a_rating_without_a_sign_in_is_refused(order, during):
    _url, rate = _urls(order)
    opened_only = _phone(order)  # has a valid cookie, never signed in
    refused = opened_only.post(rate, {"stars": "1"})
    assert refused.status_code == 400 and "签到" in refused.content.decode()
    assert Client().post(rate, {"stars": "1"}).status_code == 400  # no cookie at all
    assert not Rating.objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(order=order, role=Rating.Role.ATTENDEE, stars=1, created_at=during)


def test_the_per_address_limit_is_never_below_the_capacity(settings):
    settings.DAJIA_SIGNIN_ATTEMPTS_PER_ADDRESS = 5
    assert devices.address_limit(30) == 60
    assert devices.address_limit(100) == 200


def test_too_many_attempts_from_one_address_are_a_429(order, during):
    url, _rate = _urls(order)
    phone = _phone(order)
    key = f"signin_ip:order-{order.pk}-signin:127.0.0.1"
    for _ in range(devices.address_limit(order.agreement.capacity)):
        ratelimit.fail(key=key, window=3600)
    response = phone.post(url, {"name": "王小红", "union_name": "潮鸣食品"})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert not Attendance.objects.exists()
    # Another address (another venue) is not affected.
    elsewhere = Client(REMOTE_ADDR="10.1.2.3")
    elsewhere.get(url)
    assert elsewhere.post(url, {"name": "赵五", "union_name": "潮鸣食品"}).status_code == 302


def test_the_track_record_counts_only_sign_ins_within_the_capacity(order, during, provider_user, chair_user):
    for i in range(30):
        services_signins.attendance_sign_in(
            order=order, device=f"device-{i:020d}", name="李四", union_name="x"
        )
        services_signins.rating_submit(order=order, device=f"device-{i:020d}", stars=5)
    # Sign-ins recorded before the cap existed (the forged 60 of issue 10) sit beyond the capacity.
    for i in range(30, 60):
        extra = Attendance.objects.create(
            order=order, device=f"forged-{i:020d}", seat=i + 1, name="脚本", union_name="x", signed_at=during
        )
        Rating.objects.create(order=order, role="attendee", attendance=extra, stars=1, created_at=during)
    services.delivery_record(
        actor=provider_user,
        order=order,
        started_at=order.starts_at,
        ended_at=during,
        content="团体辅导",
    )
    services.delivery_confirm(actor=chair_user, order=order)
    record = track_record(project_ids=[order.project_id])[order.project_id]
    assert record.attendance == 30 and record.capacity == 30
    assert record.ratings == 30 and record.complaints == 0 and record.average_rating == 5
