"""Acceptance 2 of issue 16: a lecture's sign-ins follow the same rules as an order's — capacity, one per
server-issued device cookie, the per-address limit — through the same code (``dajia.core.signins.sign_in`` and
``dajia.core.devices``). Each test runs once over an order's session and once over a lecture."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dajia.core import devices, ratelimit, signins
from dajia.lectures import services as lecture_services
from dajia.lectures.models import LectureSignIn
from dajia.orders import services as order_services
from dajia.orders import services_signins
from dajia.orders.models import Attendance

pytestmark = pytest.mark.django_db


@dataclass
class Parent:
    kind: str
    obj: object
    url: str
    scope: str
    capacity: int

    def sign_in(self, device: str, name: str = "李四"):
        if self.kind == "order":
            return services_signins.attendance_sign_in(
                order=self.obj, device=device, name=name, union_name="x"
            )
        return lecture_services.lecture_sign_in(lecture=self.obj, device=device, name=name, union_name="x")

    def rows(self):
        if self.kind == "order":
            return Attendance.objects.filter(order=self.obj)
        return LectureSignIn.objects.filter(lecture=self.obj)


@pytest.fixture(params=["order", "lecture"])
def parent(request, monkeypatch) -> Parent:
    if request.param == "order":
        chair_user, union = request.getfixturevalue("chair_user"), request.getfixturevalue("union")
        order = request.getfixturevalue("place_order")(
            chair_user, union, request.getfixturevalue("stress_agreement"), days=5
        )
        order_services.order_dispatch(actor=request.getfixturevalue("office_user"), order=order)
        order_services.order_accept(actor=request.getfixturevalue("provider_user"), order=order)
        order.refresh_from_db()
        moment = order.starts_at + datetime.timedelta(minutes=20)
        found = Parent(
            "order",
            order,
            reverse("orders:signin", args=[order.signin_token]),
            f"order-{order.pk}-signin",
            30,
        )
    else:
        lecture = request.getfixturevalue("scheduled")
        moment = lecture.starts_at + datetime.timedelta(minutes=20)
        found = Parent(
            "lecture",
            lecture,
            reverse("lectures:signin", args=[lecture.signin_token]),
            f"lecture-{lecture.pk}-signin",
            lecture.capacity,
        )
    assert found.capacity == 30
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return found


@pytest.fixture
def calls(monkeypatch):
    """Every call of the one sign-in rule, by the model it writes."""
    seen = []
    real = signins.sign_in

    def spy(**kwargs):
        seen.append(kwargs["model"].__name__)
        return real(**kwargs)

    monkeypatch.setattr(signins, "sign_in", spy)
    return seen


def _phone(url: str) -> Client:
    phone = Client()  # every test client comes from 127.0.0.1: one venue's shared address
    assert phone.get(url).status_code == 200
    return phone


def test_both_sign_in_through_the_one_rule(parent, calls):
    parent.sign_in("device-a-000000000000")
    assert calls == [{"order": "Attendance", "lecture": "LectureSignIn"}[parent.kind]]


def test_capacity_holds_and_seats_are_numbered(parent):
    for i in range(parent.capacity):
        parent.sign_in(f"device-{i:020d}")
    assert list(parent.rows().values_list("seat", flat=True)) == list(range(1, parent.capacity + 1))
    with pytest.raises(ValidationError, match="已满"):
        parent.sign_in("device-extra-00000000")
    assert parent.rows().count() == parent.capacity


def test_one_sign_in_per_device(parent):
    first, created = parent.sign_in("device-a-000000000000", name="王小红")
    again, created_again = parent.sign_in("device-a-000000000000", name="王小红二号")
    assert (created, created_again, again.pk, parent.rows().count()) == (True, False, first.pk, 1)


def test_the_thirty_first_phone_of_one_address_is_refused_by_the_page(parent):
    for i in range(parent.capacity):
        assert (
            _phone(parent.url).post(parent.url, {"name": f"职工{i}", "union_name": "潮鸣食品"}).status_code
            == 302
        )
    late = _phone(parent.url).post(parent.url, {"name": "第三十一人", "union_name": "潮鸣食品"})
    assert late.status_code == 400 and "已满" in late.content.decode()
    assert parent.rows().count() == parent.capacity


def test_a_post_without_a_server_issued_cookie_is_refused_and_given_one(parent):
    refused = Client().post(parent.url, {"name": "王小红", "union_name": "潮鸣食品"})
    assert refused.status_code == 400
    assert "重新打开" in refused.content.decode() and 'value="王小红"' in refused.content.decode()
    assert devices.COOKIE in refused.cookies
    forged = Client()
    forged.cookies[devices.COOKIE] = "x" * 32  # a device id the client chose
    assert forged.post(parent.url, {"name": "王小红", "union_name": "潮鸣食品"}).status_code == 400
    assert not parent.rows().exists()


def test_one_phone_is_one_device_for_orders_and_lectures_alike(parent):
    phone = _phone(parent.url)
    assert phone.post(parent.url, {"name": "王小红", "union_name": "潮鸣食品"}).status_code == 302
    assert phone.post(parent.url, {"name": "王小红", "union_name": "潮鸣食品"}).status_code == 302
    signed = parent.rows().get()
    assert signed.device == devices.device_of(_request_with(phone))


def test_the_per_address_limit_answers_429(parent):
    phone = _phone(parent.url)
    for _ in range(devices.address_limit(parent.capacity)):
        ratelimit.fail(key=f"signin_ip:{parent.scope}:127.0.0.1", window=3600)
    response = phone.post(parent.url, {"name": "王小红", "union_name": "潮鸣食品"})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert not parent.rows().exists()
    elsewhere = Client(REMOTE_ADDR="10.1.2.3")
    elsewhere.get(parent.url)
    assert elsewhere.post(parent.url, {"name": "赵五", "union_name": "潮鸣食品"}).status_code == 302


def _request_with(client: Client):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.COOKIES = {k: v.value for k, v in client.cookies.items()}
    return request
