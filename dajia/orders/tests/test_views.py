import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dajia.agreements.tests.fixtures import at
from dajia.orders import services
from dajia.orders.models import Attendance, Order, Rating

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def order(stress_agreement, place_order, chair_user, union):
    return place_order(chair_user, union, stress_agreement, days=5)


@pytest.fixture
def accepted(order, office_user, provider_user):
    services.order_dispatch(actor=office_user, order=order)
    services.order_accept(actor=provider_user, order=order)
    order.refresh_from_db()
    return order


def test_a_chair_orders_from_the_page(client, stress_agreement, budgets, chair_user, union):
    login(client, chair_user)
    page = client.get(reverse("orders:list"))
    assert page.status_code == 200 and "职工心理减压工作坊" in page.content.decode()
    form = client.get(reverse("orders:new"), {"project": stress_agreement.project_id})
    assert form.status_code == 200
    response = client.post(
        reverse("orders:new"),
        {
            "project": stress_agreement.project_id,
            "union": union.pk,
            "starts_at": at(6, 9).strftime("%Y-%m-%dT%H:%M"),
            "place": "潮鸣食品三楼会议室",
            "expected_audience": "25",
            "notes": "请准备投影",
        },
    )
    order = Order.objects.get()
    assert response.status_code == 302 and response.url == reverse("orders:detail", args=[order.pk])
    assert order.place == "潮鸣食品三楼会议室" and order.expected_audience == 25


@pytest.mark.parametrize(
    ("field", "value"),
    [("expected_audience", "很多人"), ("starts_at", "明天下午"), ("place", ""), ("expected_audience", "999")],
)
def test_bad_order_input_is_a_400_with_a_message(
    client, stress_agreement, budgets, chair_user, union, field, value
):
    login(client, chair_user)
    data = {
        "project": stress_agreement.project_id,
        "union": union.pk,
        "starts_at": at(6, 9).strftime("%Y-%m-%dT%H:%M"),
        "place": "会议室",
        "expected_audience": "25",
        **{field: value},
    }
    response = client.post(reverse("orders:new"), data)
    assert response.status_code == 400
    assert response.context["form"].errors.get(field)
    assert not Order.objects.exists()


def test_a_project_without_an_agreement_in_force_cannot_be_ordered(
    client, chair_user, union, projects, budgets
):
    login(client, chair_user)
    response = client.post(
        reverse("orders:new"),
        {
            "project": projects["loser"].pk,
            "union": union.pk,
            "starts_at": at(6).strftime("%Y-%m-%dT%H:%M"),
            "place": "x",
            "expected_audience": "5",
        },
    )
    assert response.status_code == 400 and not Order.objects.exists()


def test_only_chairs_order(client, office_user, provider_user):
    for user in (office_user, provider_user):
        assert login(Client(), user).get(reverse("orders:new")).status_code == 403


def test_not_yours_order_pages(
    order, other_chair_user, other_provider_user, other_office_user, provider_user
):
    url = reverse("orders:detail", args=[order.pk])
    for user in (other_chair_user, other_provider_user, other_office_user):
        assert login(Client(), user).get(url).status_code == 404
    # The provider sees an order once the office has dispatched it.
    assert login(Client(), provider_user).get(url).status_code == 404


def test_not_yours_actions_over_http(
    accepted, other_provider_user, provider_user, other_chair_user, chair_user, office_user
):
    services.delivery_record(
        actor=provider_user,
        order=accepted,
        started_at=accepted.starts_at,
        ended_at=accepted.ends_at,
        content="完成",
        now=accepted.ends_at,
    )
    # Another union's chair cannot see, let alone confirm.
    assert (
        login(Client(), other_chair_user).post(reverse("orders:confirm", args=[accepted.pk])).status_code
        == 404
    )
    # The provider sees the order but cannot confirm it for the union.
    assert (
        login(Client(), provider_user).post(reverse("orders:confirm", args=[accepted.pk])).status_code == 403
    )
    assert login(Client(), office_user).post(reverse("orders:confirm", args=[accepted.pk])).status_code == 403
    accepted.refresh_from_db()
    assert accepted.state == "delivered"
    assert login(Client(), chair_user).post(reverse("orders:confirm", args=[accepted.pk])).status_code == 302


def test_another_provider_cannot_accept_over_http(order, office_user, other_provider_user, provider_user):
    services.order_dispatch(actor=office_user, order=order)
    assert (
        login(Client(), other_provider_user).post(reverse("orders:accept", args=[order.pk])).status_code
        == 404
    )
    # A provider that can see it but is not the order's provider still gets a 403 from the service.
    from dajia.accounts.models import RoleAssignment

    RoleAssignment.objects.create(user=other_provider_user, role="provider", provider=order.project.provider)
    other = login(Client(), other_provider_user)
    assert other.post(reverse("orders:accept", args=[order.pk])).status_code == 302


def test_a_wrong_state_action_is_a_400_with_a_message(order, provider_user, office_user):
    services.order_dispatch(actor=office_user, order=order)
    client = login(Client(), office_user)
    response = client.post(reverse("orders:dispatch", args=[order.pk]))
    assert response.status_code == 400
    assert "dispatched" in response.content.decode() or "派" in response.content.decode()


def test_decline_without_reason_is_a_400(order, office_user, provider_user):
    services.order_dispatch(actor=office_user, order=order)
    client = login(Client(), provider_user)
    response = client.post(reverse("orders:decline", args=[order.pk]), {"decline-reason": ""})
    assert response.status_code == 400
    response = client.post(
        reverse("orders:decline", args=[order.pk]),
        {"decline-reason": "讲师出差", "decline-proposed_starts_at": at(7, 9).strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == "proposed"


def test_cancel_over_http_needs_a_reason(order, chair_user):
    client = login(Client(), chair_user)
    assert client.post(reverse("orders:cancel", args=[order.pk]), {"reason": ""}).status_code == 400
    assert (
        client.post(reverse("orders:cancel", args=[order.pk]), {"reason": "企业临时停工"}).status_code == 302
    )
    order.refresh_from_db()
    assert order.state == "cancelled"


def test_the_cancel_form_is_shown_only_while_the_service_would_accept_it(accepted, chair_user, provider_user):
    cancel = reverse("orders:cancel", args=[accepted.pk])
    chair = login(Client(), chair_user)
    assert cancel in chair.get(reverse("orders:detail", args=[accepted.pk])).content.decode()
    # Not the provider's to cancel: no form for them.
    assert (
        cancel
        not in login(Client(), provider_user)
        .get(reverse("orders:detail", args=[accepted.pk]))
        .content.decode()
    )
    # The event has started: the chair may no longer cancel, and the page no longer offers it.
    Order.objects.filter(pk=accepted.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=1))
    page = chair.get(reverse("orders:detail", args=[accepted.pk]))
    assert page.status_code == 200 and cancel not in page.content.decode()
    assert chair.post(cancel, {"reason": "临时停工"}).status_code == 400


def test_the_qr_code_points_at_the_sign_in_page(accepted, chair_user):
    response = login(Client(), chair_user).get(reverse("orders:qr", args=[accepted.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content


def _freeze(monkeypatch, moment):
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_the_same_phone_signing_in_twice_over_http_counts_once(accepted, monkeypatch):
    _freeze(monkeypatch, accepted.starts_at - datetime.timedelta(minutes=5))
    phone = Client()
    url = reverse("orders:signin", args=[accepted.signin_token])
    page = phone.get(url)
    assert page.status_code == 200 and "dajia_device" in phone.cookies
    first = phone.post(url, {"name": "王小红", "union_name": "潮鸣食品"})
    assert first.status_code == 302
    again = phone.post(url, {"name": "王小红", "union_name": "潮鸣食品"})
    assert again.status_code == 302
    assert Attendance.objects.filter(order=accepted).count() == 1
    # Another phone counts.
    other = Client()
    other.get(url)
    assert other.post(url, {"name": "赵五", "union_name": "潮鸣食品"}).status_code == 302
    assert Attendance.objects.filter(order=accepted).count() == 2
    assert "王小红" in phone.get(url).content.decode()


def test_sign_in_after_the_window_is_refused_over_http(accepted, monkeypatch):
    _freeze(monkeypatch, accepted.ends_at + datetime.timedelta(hours=2, minutes=1))
    phone = Client()
    url = reverse("orders:signin", args=[accepted.signin_token])
    page = phone.get(url).content.decode()
    assert 'name="name"' not in page  # no form once closed
    response = phone.post(url, {"name": "迟到者", "union_name": "潮鸣食品"})
    assert response.status_code == 400
    assert "截止" in response.content.decode()  # "Sign-in … closed at …"
    assert not Attendance.objects.exists()


def test_bad_sign_in_input_is_a_400(accepted, monkeypatch):
    _freeze(monkeypatch, accepted.starts_at)
    url = reverse("orders:signin", args=[accepted.signin_token])
    phone = Client()
    phone.get(url)
    response = phone.post(url, {"name": "", "union_name": "潮鸣食品"})
    assert response.status_code == 400 and not Attendance.objects.exists()
    assert Client().get(reverse("orders:signin", args=["nope"])).status_code == 404


def test_an_attendee_rates_from_the_qr_page(accepted, monkeypatch):
    _freeze(monkeypatch, accepted.starts_at + datetime.timedelta(minutes=50))
    phone = Client()
    url = reverse("orders:signin", args=[accepted.signin_token])
    phone.get(url)
    phone.post(url, {"name": "王小红", "union_name": "潮鸣食品"})
    rate = reverse("orders:signin_rate", args=[accepted.signin_token])
    assert phone.post(rate, {"stars": "9"}).status_code == 400
    assert phone.post(rate, {"stars": "5", "comment": "很有帮助"}).status_code == 302
    assert Rating.objects.get().stars == 5


def test_the_chair_rates_from_the_qr_page(accepted, chair_user, other_chair_user, monkeypatch):
    _freeze(monkeypatch, accepted.ends_at)
    rate = reverse("orders:signin_rate", args=[accepted.signin_token])
    assert (
        login(Client(), other_chair_user).post(rate, {"as_chair": "1", "chair-stars": "1"}).status_code == 403
    )
    assert login(Client(), chair_user).post(rate, {"as_chair": "1", "chair-stars": "4"}).status_code == 302
    assert Rating.objects.get().role == "chair"


def test_the_office_overview_does_not_grow_queries_with_rows(
    client, stress_agreement, place_order, chair_user, union, office_user, django_assert_max_num_queries
):
    login(client, office_user)
    place_order(chair_user, union, stress_agreement, days=5)
    url = reverse("orders:overview")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for d in range(6, 14):
        place_order(chair_user, union, stress_agreement, days=d)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count(reverse("orders:detail", args=[Order.objects.last().pk])) == 1


def test_the_office_overview_prints_each_orders_row(
    client, stress_agreement, place_order, chair_user, union, office_user
):
    order = place_order(chair_user, union, stress_agreement, days=5)
    response = login(client, office_user).get(reverse("orders:overview"))
    assert response.status_code == 200
    row = next(r for r in response.content.decode().split("<tr>") if order.number in r)
    for text in (
        order.project.title,
        order.project.provider.name,
        union.name,
        order.agreement.number,
        timezone.localtime(order.starts_at).strftime("%Y-%m-%d %H:%M"),
    ):
        assert text in row, text
    assert row.count('<td class="num">0</td>') == 2  # no sign-ins, no ratings yet


def test_the_office_overview_is_for_the_office(client, chair_user, provider_user):
    for user in (chair_user, provider_user):
        assert login(Client(), user).get(reverse("orders:overview")).status_code == 403


def test_budgets_page(client, office_user, union, other_office_user):
    login(client, office_user)
    response = client.post(reverse("orders:budgets"), {"union": union.pk, "year": "2020", "amount": "三万"})
    assert response.status_code == 400 and response.context["form"].errors.get("amount")
    response = client.post(reverse("orders:budgets"), {"union": union.pk, "year": "2020", "amount": "30000"})
    assert response.status_code == 302
    page = client.get(reverse("orders:budgets"), {"year": "2020"}).content.decode()
    assert "¥30,000.00" in page
    # Another federation's office does not even see this union in the form.
    other = login(Client(), other_office_user)
    assert (
        other.post(reverse("orders:budgets"), {"union": union.pk, "year": "2020", "amount": "1"}).status_code
        == 400
    )


def test_settlement_export_for_finance(
    client, stress_agreement, place_order, chair_user, union, office_user, provider_user
):
    for d in (5, 6, 7):
        o = place_order(chair_user, union, stress_agreement, days=d)
        services.order_dispatch(actor=office_user, order=o)
        services.order_accept(actor=provider_user, order=o)
        services.delivery_record(
            actor=provider_user,
            order=o,
            started_at=o.starts_at,
            ended_at=o.ends_at,
            content="完成",
            now=o.ends_at,
        )
        if d != 7:
            services.delivery_confirm(actor=chair_user, order=o)
    login(client, office_user)
    page = client.get(reverse("agreements:settlement"))
    assert page.status_code == 200
    assert 'data-due="5600.00"' in page.content.decode()
    xlsx = client.get(reverse("agreements:settlement_export"))
    assert xlsx.status_code == 200
    wb = load_workbook(io.BytesIO(xlsx.content))
    summary = wb["结算汇总"]
    row = next(r for r in summary.iter_rows(min_row=2, values_only=True) if r[0] == stress_agreement.number)
    assert row[7] == 2 and row[8] == 1 and float(row[9]) == 5600.00
    detail = list(wb["场次明细"].iter_rows(min_row=2, values_only=True))
    assert len(detail) == 2 and sum(float(r[6]) for r in detail) == 5600.00
    assert login(Client(), chair_user).get(reverse("agreements:settlement")).status_code == 403


def test_the_provider_records_a_delivery_with_photos(accepted, provider_user, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from dajia.orders.models import DeliveryPhoto

    _freeze(monkeypatch, accepted.ends_at)
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, format="PNG")
    photo = SimpleUploadedFile("现场.png", buf.getvalue(), content_type="image/png")
    fake = SimpleUploadedFile("notes.png", b"not an image", content_type="image/png")
    client = login(Client(), provider_user)
    url = reverse("orders:deliver", args=[accepted.pk])
    data = {
        "delivery-started_at": accepted.starts_at.astimezone(timezone.get_current_timezone()).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "delivery-ended_at": accepted.ends_at.astimezone(timezone.get_current_timezone()).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "delivery-content": "团体辅导和正念练习",
    }
    assert client.post(url, {**data, "delivery-photos": [fake]}).status_code == 400
    assert client.post(url, {**data, "delivery-ended_at": "昨天"}).status_code == 400
    assert client.post(url, {**data, "delivery-photos": [photo]}).status_code == 302
    accepted.refresh_from_db()
    assert (
        accepted.state == "delivered" and DeliveryPhoto.objects.filter(delivery__order=accepted).count() == 1
    )
