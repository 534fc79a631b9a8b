import pytest
from django.urls import reverse

from dajia.accounts.models import User
from dajia.conftest import make_user

pytestmark = pytest.mark.django_db


def _login(client, ident, password="pass-word-123"):
    return client.post(reverse("accounts:login"), {"identifier": ident, "password": password})


def test_it_logs_in_by_username_and_by_mobile(client, chair_user):
    chair_user.mobile = "13812345678"
    chair_user.save()
    assert _login(client, "chair").status_code == 302
    client.logout()
    assert _login(client, "138 1234 5678").status_code == 302


def test_wrong_password_is_a_400_with_a_message(client, chair_user):
    response = _login(client, "chair", "nope")
    assert response.status_code == 400
    assert "密码" in response.content.decode()


def test_office_resets_a_password(client, office_user, chair_user, federation):
    client.force_login(office_user)
    response = client.post(reverse("accounts:reset_password", args=[chair_user.pk]), follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    temporary = text.split("临时密码")[1] if "临时密码" in text else text.split("Temporary password")[1]
    chair_user.refresh_from_db()
    assert chair_user.must_change_password
    assert temporary


def test_office_cannot_reset_a_password_in_another_federation(client, other_office_user, chair_user):
    before = User.objects.get(pk=chair_user.pk).password
    client.force_login(other_office_user)
    response = client.post(reverse("accounts:reset_password", args=[chair_user.pk]))
    assert response.status_code == 403
    assert User.objects.get(pk=chair_user.pk).password == before


def test_a_chair_cannot_reset_passwords(client, chair_user, union):
    other = make_user("someone", role="chair", union=union)
    client.force_login(chair_user)
    assert client.post(reverse("accounts:reset_password", args=[other.pk])).status_code == 403


def test_must_change_password_after_reset(client, chair_user):
    chair_user.must_change_password = True
    chair_user.save()
    response = _login(client, "chair")
    assert response.status_code == 302 and response.url == reverse("accounts:change_password")
    response = client.post(
        reverse("accounts:change_password"), {"new_password": "a-new-Passw0rd", "confirm": "a-new-Passw0rd"}
    )
    assert response.status_code == 302
    chair_user.refresh_from_db()
    assert not chair_user.must_change_password and chair_user.check_password("a-new-Passw0rd")
