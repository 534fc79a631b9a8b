import pytest
from django.urls import reverse

from dajia.accounts.models import RoleAssignment, User
from dajia.core.models import AuditLog
from dajia.demo.codes import uscc
from dajia.orgs.models import Provider

pytestmark = pytest.mark.django_db


def _data(federation, **over):
    data = {
        "organisation_name": "下城区邻里互助社工服务社",
        "uscc": uscc("52", "330103", 4242),
        "federation": federation.pk,
        "full_name": "周晓东",
        "mobile": "13912345678",
        "username": "linli",
        "password": "Strong-pass-2020",
    }
    data.update(over)
    return data


def test_a_provider_registers_and_waits_for_approval(client, federation):
    response = client.post(reverse("accounts:register_provider"), _data(federation))
    assert response.status_code == 302
    provider = Provider.objects.get()
    assert provider.status == Provider.Status.PENDING
    assert RoleAssignment.objects.filter(provider=provider, role="provider", user__username="linli").exists()
    assert AuditLog.objects.filter(action="orgs.provider.register").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("uscc", "913301030000000000", "统一社会信用代码"),
        ("uscc", "12345", "18"),
        ("mobile", "12345678901", "手机号"),
    ],
)
def test_bad_codes_get_a_clear_chinese_message_and_nothing_is_saved(
    client, federation, field, value, message
):
    response = client.post(reverse("accounts:register_provider"), _data(federation, **{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Provider.objects.exists()
    assert not User.objects.exists()
