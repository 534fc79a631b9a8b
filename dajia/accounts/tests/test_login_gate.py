"""The one login gate: every login path refuses by the same rule, on an injected clock (no sleeps)."""

import datetime

import pytest
from django.contrib.auth import authenticate
from django.urls import reverse
from django.utils import timezone

from dajia.core import ratelimit
from dajia.core.models import AuditLog

pytestmark = pytest.mark.django_db

RIGHT = "pass-word-123"
HOME = "198.51.100.1"  # the office
STRANGER = "203.0.113.66"


class Clock:
    def __init__(self):
        # Seven minutes into an hour, whatever the wall clock says: the same windows on every run.
        self.now = timezone.now().replace(minute=7, second=0, microsecond=0)

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += datetime.timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(ratelimit, "clock", fake)
    return fake


@pytest.fixture
def staff_office(office_user):
    office_user.is_staff = True
    office_user.save(update_fields=["is_staff"])
    return office_user


def site_login(client, password, ip):
    response = client.post(
        reverse("accounts:login"), {"identifier": "office", "password": password}, REMOTE_ADDR=ip
    )
    refused = response.status_code == 429
    if refused:
        assert int(response["Retry-After"]) >= 1
        assert "次数过多" in response.content.decode()
    return {302: "in", 400: "wrong", 429: "refused"}[response.status_code], response


def admin_login(client, password, ip):
    response = client.post(
        reverse("admin:login"), {"username": "office", "password": password}, REMOTE_ADDR=ip
    )
    if response.status_code == 302:
        return "in", response
    text = response.content.decode()
    if response.status_code == 429:
        assert int(response["Retry-After"]) >= 1
        assert "次数过多" in text  # on the admin's own form
        return "refused", response
    assert response.status_code == 200
    assert "正确的" in text  # Django's own "enter the correct username and password"
    return "wrong", response


def backend_login(client, password, ip):
    """Any other path (a shell, ``Client.login``, a future API) ends in ``authenticate()``."""
    request = type("R", (), {"META": {"REMOTE_ADDR": ip}})()
    user = authenticate(request, username="office", password=password)
    if user is not None:
        return "in", None
    return ("refused" if getattr(request, "dajia_login_refusal", None) else "wrong"), None


PATHS = [site_login, admin_login, backend_login]


@pytest.mark.parametrize("attempt", PATHS, ids=lambda f: f.__name__)
def test_thirty_wrong_passwords_from_one_address_are_refused_then_the_right_one_too(
    client, clock, staff_office, attempt
):
    outcomes = [attempt(client, "wrong-guess", HOME)[0] for _ in range(30)]
    assert outcomes == ["wrong"] * 5 + ["refused"] * 25
    assert attempt(client, RIGHT, HOME)[0] == "refused"
    clock.advance(15 * 60 - 5)
    assert attempt(client, RIGHT, HOME)[0] == "refused"
    clock.advance(10)
    assert attempt(client, RIGHT, HOME)[0] == "in"
    holds = AuditLog.objects.filter(action="accounts.login.hold", object_id=str(staff_office.pk))
    assert [h.federation_id for h in holds] == [staff_office.roles.get().federation_id]


@pytest.mark.parametrize("attempt", PATHS, ids=lambda f: f.__name__)
def test_guesses_from_many_addresses_delay_the_account_but_never_lock_it(
    client, clock, staff_office, attempt
):
    # Thirty wrong passwords from six addresses, each as soon as the gate lets it through.
    delays = []
    for n in range(30):
        ip = f"203.0.113.{n // 5 + 10}"
        outcome, _response = attempt(client, "wrong-guess", ip)
        while outcome == "refused":
            refusal_wait = ratelimit.login_refusal(
                account=ratelimit.login_account(user_id=staff_office.pk, identifier=""), address=ip
            ).retry_after
            delays.append(refusal_wait)
            clock.advance(refusal_wait)
            outcome, _response = attempt(client, "wrong-guess", ip)
        assert outcome == "wrong"
    assert max(delays) == 30  # doubling from 1 s, capped at 30 s: never a lock
    # The right password, from the office's own address, is refused until the delay passes ...
    assert attempt(client, RIGHT, HOME)[0] == "refused"
    clock.advance(29)
    assert attempt(client, RIGHT, HOME)[0] == "refused"
    clock.advance(2)
    assert attempt(client, RIGHT, HOME)[0] == "in"


@pytest.mark.parametrize("attempt", PATHS, ids=lambda f: f.__name__)
def test_a_stranger_from_another_address_cannot_lock_the_office_out(client, clock, staff_office, attempt):
    outcomes = [attempt(client, "wrong-guess", STRANGER)[0] for _ in range(30)]
    assert outcomes[-1] == "refused"
    assert attempt(client, RIGHT, HOME)[0] == "in"


def test_the_refusal_on_the_site_is_a_429_with_retry_after_and_a_chinese_message(client, clock, office_user):
    for _ in range(5):
        site_login(client, "wrong-guess", HOME)
    outcome, response = site_login(client, RIGHT, HOME)
    assert outcome == "refused" and response.status_code == 429
    assert 890 <= int(response["Retry-After"]) <= 901
    assert "15 分钟" in response.content.decode()


def test_the_admin_shows_the_refusal_on_its_form(client, clock, staff_office):
    assert client.get(reverse("admin:login")).status_code == 200
    for _ in range(5):
        admin_login(client, "wrong-guess", HOME)
    outcome, response = admin_login(client, RIGHT, HOME)
    assert outcome == "refused" and response.status_code == 429
    assert "工会办公室" in response.content.decode()  # it says who can clear the failures


def test_five_failures_across_a_counting_windows_end_still_refuse(client, clock, office_user):
    window = 15 * 60
    clock.now = clock.now.replace(microsecond=0) - datetime.timedelta(
        seconds=int(clock.now.timestamp()) % window - window + 3
    )  # three seconds before a window ends
    for _ in range(3):
        assert site_login(client, "wrong-guess", HOME)[0] == "wrong"
    clock.advance(5)  # the next window
    for _ in range(2):
        assert site_login(client, "wrong-guess", HOME)[0] == "wrong"
    assert site_login(client, RIGHT, HOME)[0] == "refused"
    clock.advance(window + 1)  # after the hold, the address starts again from zero
    assert site_login(client, "wrong-guess", HOME)[0] == "wrong"
    assert site_login(client, RIGHT, HOME)[0] == "in"


def test_unknown_names_are_gated_alike(client, clock, db):
    codes = [
        client.post(
            reverse("accounts:login"), {"identifier": "nobody", "password": "x"}, REMOTE_ADDR=HOME
        ).status_code
        for _ in range(6)
    ]
    assert codes == [400] * 5 + [429]


def test_the_username_and_the_mobile_number_are_one_account(client, clock, office_user):
    office_user.mobile = "13800001111"
    office_user.save(update_fields=["mobile"])
    for ident in ["office", "138 0000 1111", "13800001111", "office", "13800001111"]:
        client.post(reverse("accounts:login"), {"identifier": ident, "password": "x"}, REMOTE_ADDR=HOME)
    assert site_login(client, RIGHT, HOME)[0] == "refused"


def test_the_right_password_forgets_this_addresses_failures(client, clock, office_user):
    for _ in range(4):
        site_login(client, "wrong-guess", HOME)
    assert site_login(client, RIGHT, HOME)[0] == "in"
    client.logout()
    for _ in range(4):
        assert site_login(client, "wrong-guess", HOME)[0] == "wrong"


def test_behind_a_proxy_the_forwarded_address_is_the_one_gated(client, clock, settings, office_user):
    settings.DAJIA_TRUSTED_PROXIES = 1

    def post(forwarded, password="wrong-guess"):
        return client.post(
            reverse("accounts:login"),
            {"identifier": "office", "password": password},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=forwarded,
        ).status_code

    for _ in range(5):
        post("1.2.3.4, 203.0.113.50")
    assert post("203.0.113.50", RIGHT) == 429
    # Forging the left part does not escape; the office's real address passes.
    assert post("203.0.113.50, 203.0.113.50", RIGHT) == 429
    assert post("9.9.9.9, 198.51.100.1", RIGHT) == 302


# ---- the office clears the failures --------------------------------------------------------------------------


def test_the_office_sees_and_clears_an_accounts_failed_logins(client, clock, office_user, chair_user):
    for _ in range(5):
        client.post(reverse("accounts:login"), {"identifier": "chair", "password": "x"}, REMOTE_ADDR=HOME)
    client.force_login(office_user)
    page = client.get(reverse("accounts:people"))
    assert page.status_code == 200
    assert "本小时登录失败 5 次" in page.content.decode()
    response = client.post(reverse("accounts:clear_login_failures", args=[chair_user.pk]))
    assert response.status_code == 302
    assert AuditLog.objects.filter(
        action="accounts.user.clear_login_failures", object_id=str(chair_user.pk), actor=office_user
    ).exists()
    client.logout()
    ok = client.post(reverse("accounts:login"), {"identifier": "chair", "password": RIGHT}, REMOTE_ADDR=HOME)
    assert ok.status_code == 302


def test_another_federations_office_cannot_clear_failures(client, clock, other_office_user, chair_user):
    for _ in range(5):
        client.post(reverse("accounts:login"), {"identifier": "chair", "password": "x"}, REMOTE_ADDR=HOME)
    client.force_login(other_office_user)
    response = client.post(reverse("accounts:clear_login_failures", args=[chair_user.pk]))
    assert response.status_code == 403
    client.logout()
    refused = client.post(
        reverse("accounts:login"), {"identifier": "chair", "password": RIGHT}, REMOTE_ADDR=HOME
    )
    assert refused.status_code == 429


def test_a_chair_cannot_clear_failures(client, chair_user, office_user):
    client.force_login(chair_user)
    response = client.post(reverse("accounts:clear_login_failures", args=[office_user.pk]))
    assert response.status_code == 403


def test_resetting_a_password_clears_the_failures(client, clock, office_user, chair_user):
    for _ in range(5):
        client.post(reverse("accounts:login"), {"identifier": "chair", "password": "x"}, REMOTE_ADDR=HOME)
    client.force_login(office_user)
    assert client.post(reverse("accounts:reset_password", args=[chair_user.pk])).status_code == 302
    account = ratelimit.login_account(user_id=chair_user.pk, identifier="")
    assert ratelimit.login_refusal(account=account, address=HOME).refused is False


def test_login_still_works_when_the_counters_cannot_be_read(client, office_user, monkeypatch, caplog):
    from django.db import DatabaseError

    def broken():
        raise DatabaseError("no such table")

    monkeypatch.setattr(ratelimit, "_model", broken)
    assert site_login(client, "wrong-guess", HOME)[0] == "wrong"
    assert site_login(client, RIGHT, HOME)[0] == "in"
    assert "login gate: could not read the counters" in caplog.text
