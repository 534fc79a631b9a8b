"""A project's photos go through the one upload rule: refused with 413/400 on the form, stored without EXIF."""

import os
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from dajia.core.models import AuditLog
from dajia.core.tests.test_uploads import jpeg_with_gps
from dajia.menu.models import ProjectPhoto

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(provider, make_project):
    return make_project(provider, status="draft")


def _post(user, project, upload):
    client = Client()
    client.force_login(user)
    return client.post(reverse("menu:photo_add", args=[project.pk]), {"image": upload, "caption": "现场"})


def _media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_30_mb_photo_is_refused_with_a_413_on_the_form(draft, provider_user, settings):
    big = SimpleUploadedFile(
        "big.jpg", jpeg_with_gps() + os.urandom(30 * 1024 * 1024), content_type="image/jpeg"
    )
    response = _post(provider_user, draft, big)
    assert response.status_code == 413 and "最大 8 MB" in response.content.decode()
    assert not ProjectPhoto.objects.exists() and _media_files(settings) == []


def test_random_bytes_named_jpg_are_refused_with_a_400(draft, provider_user, settings):
    response = _post(provider_user, draft, SimpleUploadedFile("x.jpg", os.urandom(4096)))
    assert response.status_code == 400 and "不是可识别的照片" in response.content.decode()
    assert not ProjectPhoto.objects.exists() and _media_files(settings) == []


def test_a_project_photo_is_stored_without_exif_and_stays_public(draft, provider_user, settings):
    response = _post(provider_user, draft, SimpleUploadedFile("张三的手机.jpg", jpeg_with_gps()))
    assert response.status_code == 302
    photo = ProjectPhoto.objects.get(project=draft)
    stored = Path(settings.MEDIA_ROOT) / photo.image.name
    assert dict(Image.open(stored).getexif()) == {} and b"PhoneMaker" not in stored.read_bytes()
    assert photo.image.url.startswith(settings.MEDIA_URL) and "张三" not in photo.image.url
    assert photo.caption == "现场"
    assert AuditLog.objects.filter(action="menu.photo.add", object_id=str(photo.pk)).exists()


def test_a_photo_on_another_providers_project_is_not_found(draft, other_provider_user, settings):
    response = _post(other_provider_user, draft, SimpleUploadedFile("a.jpg", jpeg_with_gps()))
    assert response.status_code == 404
    assert not ProjectPhoto.objects.exists() and _media_files(settings) == []


def test_an_approved_project_takes_no_new_photo_without_review(provider, make_project, provider_user):
    approved = make_project(provider, "班组长情绪管理培训", status="approved")
    response = _post(provider_user, approved, SimpleUploadedFile("a.jpg", jpeg_with_gps()))
    assert response.status_code == 400 and "草稿或被退回" in response.content.decode()
    assert not ProjectPhoto.objects.exists()
