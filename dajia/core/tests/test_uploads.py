"""The one upload rule: bounded, really an image, stored without metadata; private files only after a check."""

import io
import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dajia.core import uploads


def jpeg_with_gps(size=(64, 48)) -> bytes:
    """A JPEG as a phone writes it: EXIF with the camera, a GPS position and an orientation tag."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x8825] = {1: "N", 2: (30.0, 16.0, 12.0), 3: "E", 4: (120.0, 9.0, 36.0)}  # GPSInfo
    buf = io.BytesIO()
    Image.new("RGB", size, "green").save(buf, "JPEG", exif=exif, comment=b"Zhang San's phone")
    return buf.getvalue()


def test_a_phone_photo_is_stored_without_exif_or_gps_and_turned_upright():
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif()  # the fixture really carries EXIF
    clean = uploads.clean_image(
        SimpleUploadedFile("张三-2026-12-01.jpg", original, content_type="image/jpeg")
    )
    assert clean.name.endswith(".jpg") and "张三" not in clean.name
    stored = Image.open(io.BytesIO(clean.read()))
    assert stored.format == "JPEG"
    assert dict(stored.getexif()) == {}
    assert "exif" not in stored.info and "comment" not in stored.info and "icc_profile" not in stored.info
    assert b"PhoneMaker" not in clean.open().read() and b"Zhang San" not in clean.open().read()
    assert stored.size == (48, 64)  # the orientation was applied to the pixels before the tag was dropped


def test_a_transparent_png_stays_a_png():
    buf = io.BytesIO()
    Image.new("RGBA", (10, 10), (255, 0, 0, 0)).save(buf, "PNG")
    clean = uploads.clean_image(SimpleUploadedFile("logo.png", buf.getvalue()))
    assert clean.name.endswith(".png") and Image.open(io.BytesIO(clean.read())).mode == "RGBA"


def test_random_bytes_named_jpg_are_refused_with_a_400():
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.clean_image(SimpleUploadedFile("photo.jpg", os.urandom(4096), content_type="image/jpeg"))
    assert refused.value.status == 400 and uploads.refusal_status(refused.value) == 400


def test_a_truncated_jpeg_is_refused():
    data = jpeg_with_gps((400, 300))
    with pytest.raises(uploads.UploadRefused):
        uploads.clean_image(SimpleUploadedFile("cut.jpg", data[: len(data) // 2]))


def test_a_file_over_the_size_cap_is_refused_with_a_413(settings):
    settings.DAJIA_UPLOAD_MAX_BYTES = 8 * 1024 * 1024
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"\0" * (30 * 1024 * 1024))
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.clean_image(big, field="image")
    assert refused.value.status == 413
    assert "image" in refused.value.message_dict


def test_the_count_cap_refuses_before_any_file_is_read():
    files = [SimpleUploadedFile(f"{i}.jpg", jpeg_with_gps()) for i in range(10)]
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.clean_images(files, max_count=9)
    assert refused.value.status == 400
    assert len(uploads.clean_images(files[:9], max_count=9)) == 9


def test_private_storage_has_no_public_url_and_lives_outside_media_root(settings, tmp_path):
    settings.DAJIA_PRIVATE_MEDIA_ROOT = tmp_path / "private"
    storage = uploads.private_storage()
    name = storage.save("deliveries/x.jpg", ContentFile(b"evidence"))
    assert (tmp_path / "private" / name).read_bytes() == b"evidence"
    assert not str(tmp_path / "private").startswith(str(settings.MEDIA_ROOT))
    with pytest.raises(ValueError):
        storage.url(name)


def test_a_private_file_is_streamed_or_handed_to_nginx(settings, tmp_path):
    settings.DAJIA_PRIVATE_MEDIA_ROOT = tmp_path / "private"
    storage = uploads.private_storage()

    class Field:  # what a FieldFile offers the response
        name = storage.save("deliveries/2026/12/a.jpg", ContentFile(b"evidence"))

    Field.storage = storage
    settings.DAJIA_MEDIA_ACCEL_REDIRECT = ""
    streamed = uploads.private_file_response(Field)
    assert b"".join(streamed.streaming_content) == b"evidence"
    assert streamed["Content-Type"] == "image/jpeg" and streamed["Cache-Control"].startswith("private")
    settings.DAJIA_MEDIA_ACCEL_REDIRECT = "/_evidence/"
    handed = uploads.private_file_response(Field)
    assert handed["X-Accel-Redirect"] == f"/_evidence/{Field.name}" and handed.content == b""
