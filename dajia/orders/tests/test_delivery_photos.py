"""Delivery photos: bounded, real images stored without metadata, in private storage, shown only to the order's
chair, provider and office through the permission-checked view."""

import io
import os
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from dajia.core.tests.test_uploads import jpeg_with_gps
from dajia.orders import services
from dajia.orders.models import Delivery, DeliveryPhoto

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def accepted(stress_agreement, place_order, chair_user, union, office_user, provider_user, monkeypatch):
    order = place_order(chair_user, union, stress_agreement, days=5)
    services.order_dispatch(actor=office_user, order=order)
    services.order_accept(actor=provider_user, order=order)
    order.refresh_from_db()
    monkeypatch.setattr(timezone, "now", lambda: order.ends_at)
    return order


def _form(order, photos) -> dict:
    local = timezone.get_current_timezone()
    return {
        "delivery-started_at": order.starts_at.astimezone(local).strftime("%Y-%m-%dT%H:%M"),
        "delivery-ended_at": order.ends_at.astimezone(local).strftime("%Y-%m-%dT%H:%M"),
        "delivery-content": "团体辅导和正念练习",
        "delivery-photos": photos,
    }


def _stored_files(settings) -> list[Path]:
    roots = [Path(settings.MEDIA_ROOT), Path(settings.DAJIA_PRIVATE_MEDIA_ROOT)]
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()]


def _deliver(order, provider_user, photos):
    return login(Client(), provider_user).post(
        reverse("orders:deliver", args=[order.pk]), _form(order, photos)
    )


def test_a_30_mb_photo_is_refused_with_a_413_and_nothing_is_stored(accepted, provider_user, settings):
    big = SimpleUploadedFile(
        "现场.jpg", jpeg_with_gps() + os.urandom(30 * 1024 * 1024), content_type="image/jpeg"
    )
    response = _deliver(accepted, provider_user, [big])
    assert response.status_code == 413
    assert "最大 8 MB" in response.content.decode()  # the message is on the form, not behind a redirect
    assert not Delivery.objects.exists() and not DeliveryPhoto.objects.exists()
    assert _stored_files(settings) == []
    accepted.refresh_from_db()
    assert accepted.state == "accepted"


def test_random_bytes_named_jpg_are_refused_and_nothing_is_stored(accepted, provider_user, settings):
    good = SimpleUploadedFile("a.jpg", jpeg_with_gps(), content_type="image/jpeg")
    fake = SimpleUploadedFile("b.jpg", os.urandom(2048), content_type="image/jpeg")
    response = _deliver(accepted, provider_user, [good, fake])
    assert response.status_code == 400 and "不是可识别的照片" in response.content.decode()
    assert not DeliveryPhoto.objects.exists() and _stored_files(settings) == []


def test_at_most_nine_photos_per_delivery(accepted, provider_user, settings):
    photos = [SimpleUploadedFile(f"{i}.jpg", jpeg_with_gps(), content_type="image/jpeg") for i in range(10)]
    response = _deliver(accepted, provider_user, photos)
    assert response.status_code == 400 and "最多只能上传 9 张" in response.content.decode()
    assert not DeliveryPhoto.objects.exists() and _stored_files(settings) == []


@pytest.fixture
def photo(accepted, provider_user):
    response = _deliver(accepted, provider_user, [SimpleUploadedFile("张三.jpg", jpeg_with_gps())])
    assert response.status_code == 302
    return DeliveryPhoto.objects.get(delivery__order=accepted)


def test_a_delivery_photo_is_private_and_holds_no_exif(photo, accepted, settings, chair_user):
    stored = Path(settings.DAJIA_PRIVATE_MEDIA_ROOT) / photo.image.name
    assert stored.is_file() and not Path(settings.MEDIA_ROOT, photo.image.name).exists()
    assert dict(Image.open(stored).getexif()) == {} and "张三" not in photo.image.name
    page = login(Client(), chair_user).get(reverse("orders:detail", args=[accepted.pk])).content.decode()
    assert reverse("orders:photo", args=[accepted.pk, photo.pk]) in page
    assert "/media/" not in page


@pytest.mark.parametrize("who", ["chair_user", "provider_user", "office_user"])
def test_a_delivery_photo_is_served_to_the_orders_chair_provider_and_office(request, who, photo, accepted):
    response = login(Client(), request.getfixturevalue(who)).get(
        reverse("orders:photo", args=[accepted.pk, photo.pk])
    )
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    served = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert served.format == "JPEG" and dict(served.getexif()) == {}


@pytest.mark.parametrize("who", ["other_chair_user", "other_provider_user", "other_office_user"])
def test_a_delivery_photo_is_not_yours_404(request, who, photo, accepted):
    url = reverse("orders:photo", args=[accepted.pk, photo.pk])
    assert login(Client(), request.getfixturevalue(who)).get(url).status_code == 404


def test_a_photo_of_another_order_is_404_through_this_one(
    photo, accepted, chair_user, stress_agreement, place_order, union
):
    mine = place_order(chair_user, union, stress_agreement, days=6)
    url = reverse("orders:photo", args=[mine.pk, photo.pk])
    assert login(Client(), chair_user).get(url).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(photo, accepted):
    response = Client().get(reverse("orders:photo", args=[accepted.pk, photo.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_with_the_accel_setting_nginx_sends_the_file(photo, accepted, office_user, settings):
    settings.DAJIA_MEDIA_ACCEL_REDIRECT = "/_evidence/"
    response = login(Client(), office_user).get(reverse("orders:photo", args=[accepted.pk, photo.pk]))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_evidence/{photo.image.name}" and response.content == b""


def test_the_back_office_links_the_checked_view_not_a_file(photo, accepted, admin_client):
    response = admin_client.get(reverse("admin:orders_deliveryphoto_change", args=[photo.pk]))
    assert response.status_code == 200
    assert reverse("orders:photo", args=[accepted.pk, photo.pk]) in response.content.decode()
