import re

import pytest
from django.urls import reverse

from dajia.accounts.models import RegistrationCode, RoleAssignment, User
from dajia.conftest import make_user
from dajia.core import sms
from dajia.core.models import AuditLog
from dajia.demo.codes import uscc
from dajia.orgs.models import Provider

pytestmark = pytest.mark.django_db

MOBILE = "13912345678"
URL = "/accounts/register/"


@pytest.fixture(autouse=True)
def _steady_windows(monkeypatch):
    """The rate limits' clock stands seven minutes into an hour, so no test straddles a window's end."""
    from django.utils import timezone

    from dajia.core import ratelimit

    fixed = timezone.now().replace(minute=7, second=0, microsecond=0)
    monkeypatch.setattr(ratelimit, "clock", lambda: fixed)


@pytest.fixture(autouse=True)
def outbox(settings):
    settings.DAJIA_SMS_BACKEND = "dajia.core.sms.LocmemSender"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def _send_code(client, mobile=MOBILE, ip="198.51.100.20"):
    return client.post(URL, {"step": "code", "mobile": mobile}, REMOTE_ADDR=ip)


def _code_for(mobile=MOBILE) -> str:
    text = next(m.text for m in reversed(sms.outbox) if m.mobile == mobile)
    return re.search(r"\b(\d{6})\b", text).group(1)


def _data(federation, **over):
    data = {
        "step": "details",
        "organisation_name": "下城区邻里互助社工服务社",
        "uscc": uscc("52", "330103", 4242),
        "federation": federation.pk,
        "full_name": "周晓东",
        "mobile": MOBILE,
        "username": "linli",
        "password": "Strong-pass-2020",
    }
    data.update(over)
    return data


def _register(client, federation, **over):
    assert _send_code(client, over.get("mobile", MOBILE)).status_code == 200
    data = _data(federation, **over)
    data.setdefault(
        "code", _code_for(data["mobile"]) if data["mobile"] in {m.mobile for m in sms.outbox} else ""
    )
    return client.post(URL, data)


def test_a_provider_registers_with_the_texted_code_and_waits_for_approval(client, federation):
    assert reverse("accounts:register_provider") == URL
    page = _send_code(client)
    assert page.status_code == 200
    assert "139****5678" in page.content.decode()
    assert not User.objects.exists()  # no account before the number is proven
    response = client.post(URL, _data(federation, code=_code_for()))
    assert response.status_code == 302
    provider = Provider.objects.get()
    assert provider.status == Provider.Status.PENDING
    assert RoleAssignment.objects.filter(provider=provider, role="provider", user__username="linli").exists()
    assert User.objects.get(username="linli").mobile == MOBILE
    assert AuditLog.objects.filter(action="orgs.provider.register").exists()
    assert AuditLog.objects.filter(action="accounts.register.code_verify").exists()


def test_without_the_right_code_no_account_is_made(client, federation):
    _send_code(client)
    right = _code_for()
    wrong = "000000" if right != "000000" else "111111"
    response = client.post(URL, _data(federation, code=wrong))
    assert response.status_code == 400
    assert "验证码不正确" in response.content.decode()
    assert not User.objects.exists() and not Provider.objects.exists()
    assert client.post(URL, _data(federation, code="")).status_code == 400
    assert not User.objects.exists()


def test_a_code_for_another_number_does_not_prove_this_one(client, federation):
    _send_code(client, "13700001111")
    response = client.post(URL, _data(federation, code=_code_for("13700001111")))  # MOBILE was never texted
    assert response.status_code == 400
    assert not User.objects.exists()


def test_a_mistake_elsewhere_does_not_use_up_the_code(client, federation):
    _send_code(client)
    code = _code_for()
    assert client.post(URL, _data(federation, code=code, uscc="12345")).status_code == 400
    assert client.post(URL, _data(federation, code=code)).status_code == 302
    assert Provider.objects.count() == 1


def test_a_taken_number_gets_the_same_page_and_only_its_phone_is_told(client, federation):
    holder = make_user("holder")
    holder.mobile = "13900009999"
    holder.save(update_fields=["mobile"])

    def page(mobile):
        response = _send_code(client, mobile)
        text = re.sub(
            r'(csrfmiddlewaretoken" value|csrf-token" content)="[^"]+"', "", response.content.decode()
        )
        return response.status_code, text.replace(mobile, "").replace(mobile[-4:], "####")

    free, taken = page("13900008888"), page("13900009999")
    assert free == taken  # nothing on the page tells the two apart
    assert free[0] == 200
    to_holder = next(m.text for m in sms.outbox if m.mobile == "13900009999")
    assert "已有账号" in to_holder and not re.search(r"\d{6}", to_holder)
    assert re.search(r"\d{6}", next(m.text for m in sms.outbox if m.mobile == "13900008888"))
    # And no code can pass for the taken number: the one filed was never sent.
    for guess in ["123456", "000000"]:
        response = client.post(URL, _data(federation, mobile="13900009999", code=guess))
        assert response.status_code == 400
    assert User.objects.count() == 1


def test_code_requests_are_rate_limited_per_address(client, settings):
    settings.DAJIA_REGISTER_CODES_PER_ADDRESS = 3
    for n in range(3):
        assert _send_code(client, f"1390000100{n}").status_code == 200
    refused = _send_code(client, "13900001009")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert "操作太频繁" in refused.content.decode()
    assert not any(m.mobile == "13900001009" for m in sms.outbox)  # nothing sent for the refused request
    assert _send_code(client, "13900001009", ip="203.0.113.8").status_code == 200  # another address


def test_code_requests_are_rate_limited_per_number_taken_or_not(client, settings):
    settings.DAJIA_REGISTER_CODES_PER_MOBILE = 2
    holder = make_user("holder")
    holder.mobile = "13900009999"
    holder.save(update_fields=["mobile"])
    for mobile in ["13900008888", "13900009999"]:
        codes = [_send_code(client, mobile, ip=f"203.0.113.{n}").status_code for n in range(3)]
        assert codes == [200, 200, 429]


def test_a_bad_number_is_a_400_with_a_chinese_message(client):
    response = _send_code(client, "12345678901")
    assert response.status_code == 400
    assert "手机号" in response.content.decode()
    assert not sms.outbox and not RegistrationCode.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("uscc", "913301030000000000", "统一社会信用代码"),
        ("uscc", "12345", "18"),
    ],
)
def test_bad_codes_get_a_clear_chinese_message_and_nothing_is_saved(
    client, federation, field, value, message
):
    response = _register(client, federation, **{field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Provider.objects.exists()
    assert not User.objects.exists()


def test_old_registration_codes_are_dropped_after_the_retention_period(client, settings):
    import datetime

    from django.utils import timezone

    settings.DAJIA_PARTICIPATION_IP_DAYS = 30
    _send_code(client, "13900002222")
    RegistrationCode.objects.update(created_at=timezone.now() - datetime.timedelta(days=31))
    _send_code(client, "13900003333")
    assert RegistrationCode.objects.get().mobile_masked == "139****3333"
