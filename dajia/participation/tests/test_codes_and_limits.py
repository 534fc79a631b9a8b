"""Abuse limits: code requests and votes past the limits get 429 with a Chinese message and Retry-After; codes
expire, allow five attempts and work once; nothing is counted twice; refusals are audited."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from dajia.core import ratelimit, sms
from dajia.core.models import AuditLog, RateCounter
from dajia.participation import identity, services_limits
from dajia.participation.models import Support, SupportCount, VerificationCode, Viewer
from dajia.participation.tests.conftest import CJK, JSON, RELAXED, last_code, support, verify, zh

TOO_MANY = "Too many requests. Please try again in %(s)d seconds."

pytestmark = pytest.mark.django_db

MOBILE = "13712345678"


def _code(client, session, mobile=MOBILE, **extra):
    return client.post(f"/participation/s/{session.pk}/code", {"mobile": mobile}, **JSON, **extra)


def _verify(client, session, code, mobile=MOBILE):
    return client.post(f"/participation/s/{session.pk}/verify", {"mobile": mobile, "code": code}, **JSON)


def test_code_requests_past_the_limit_per_number_get_429_in_chinese(client, live_session, settings):
    settings.DAJIA_PARTICIPATION_LIMITS = {**RELAXED, "code_mobile_burst": (1, 10**9)}
    assert _code(client, live_session).status_code == 200
    refused = _code(Client(REMOTE_ADDR="10.1.1.2"), live_session, "137 1234 5678")
    assert refused.status_code == 429
    retry = int(refused["Retry-After"])
    assert retry > 0 and refused.json()["message"] == zh(TOO_MANY, s=retry)
    assert CJK.search(refused.json()["message"])
    assert len(sms.outbox) == 1  # nothing sent for the refused request
    # Another number from the same address is still served.
    assert _code(client, live_session, "13712340000").status_code == 200


def test_code_requests_past_the_limit_per_address_get_429(live_session, settings):
    settings.DAJIA_PARTICIPATION_LIMITS = {**RELAXED, "code_ip": (3, 10**9)}
    client = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(3):
        assert _code(client, live_session, f"1371234000{n}").status_code == 200
    refused = _code(client, live_session, "13712340009")
    assert refused.status_code == 429
    assert refused.json()["message"] == zh(TOO_MANY, s=int(refused["Retry-After"]))
    # Refusals are audited once per window, and show in the office's report.
    _code(client, live_session, "13712340008")
    logged = AuditLog.objects.filter(action="participation.rate_limited")
    assert logged.count() == 1 and logged.get().after["subject"] == "203.0.113.7"
    # The address is the client's, not a header the client writes, unless a proxy is trusted.
    other = Client(REMOTE_ADDR="203.0.113.8", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert _code(other, live_session, "13712340007").status_code == 200


def test_the_address_behind_a_trusted_proxy(rf, settings):
    settings.DAJIA_TRUSTED_PROXIES = 1
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9")
    assert ratelimit.client_ip(request) == "198.51.100.9"
    settings.DAJIA_TRUSTED_PROXIES = 0
    assert ratelimit.client_ip(request) == "127.0.0.1"
    assert ratelimit.client_ip(rf.get("/", REMOTE_ADDR="not an address")) is None


def test_votes_past_the_limit_get_429_and_are_not_counted(client, live_session, settings):
    settings.DAJIA_PARTICIPATION_LIMITS = {**RELAXED, "vote_viewer": (2, 10**9)}
    verify(client, live_session, MOBILE)
    first, second, third = live_session.entries_list
    assert support(client, live_session, first).status_code == 200
    assert support(client, live_session, second).status_code == 200
    refused = support(client, live_session, third)
    assert refused.status_code == 429
    assert refused.json()["message"] == zh(TOO_MANY, s=int(refused["Retry-After"]))
    assert Support.objects.count() == 2
    assert sum(SupportCount.objects.values_list("supports", flat=True)) == 2


def test_votes_past_the_limit_per_address_get_429(live_session, settings):
    settings.DAJIA_PARTICIPATION_LIMITS = {**RELAXED, "vote_ip": (1, 10**9)}
    phone = Client(REMOTE_ADDR="198.51.100.20")
    verify(phone, live_session, MOBILE)
    assert support(phone, live_session, live_session.entries_list[0]).status_code == 200
    assert support(phone, live_session, live_session.entries_list[1]).status_code == 429


def test_a_wrong_code_is_refused_and_counts_an_attempt(client, live_session):
    _code(client, live_session)
    good = last_code(MOBILE)
    wrong = "000000" if good != "000000" else "111111"
    response = _verify(client, live_session, wrong)
    assert response.status_code == 400
    assert response.json()["message"] == zh("The code is not right; %(n)d attempts left.", n=4)
    assert VerificationCode.objects.get().attempts == 1
    malformed = _verify(client, live_session, "12ab")
    assert malformed.json()["message"] == zh("Please enter the 6-digit code from the text message.")
    assert VerificationCode.objects.get().attempts == 1  # a malformed code is not an attempt
    assert _verify(client, live_session, good).status_code == 200


def test_five_wrong_attempts_burn_the_code(client, live_session):
    _code(client, live_session)
    good = last_code(MOBILE)
    wrong = "000000" if good != "000000" else "111111"
    for _ in range(5):
        assert _verify(client, live_session, wrong).status_code == 400
    response = _verify(client, live_session, good)
    assert response.status_code == 400
    assert response.json()["message"] == zh("Too many wrong attempts. Please ask for a new code.")
    assert not Viewer.objects.exists()


def test_an_expired_code_is_refused(client, live_session):
    _code(client, live_session)
    VerificationCode.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = _verify(client, live_session, last_code(MOBILE))
    assert response.status_code == 400
    assert response.json()["message"] == zh("This code has expired. Please ask for a new one.")
    assert not Viewer.objects.exists()


def test_a_code_works_once_and_a_new_code_replaces_the_old(client, live_session):
    _code(client, live_session)
    first = last_code(MOBILE)
    _code(client, live_session)
    second = last_code(MOBILE)
    if first != second:
        assert _verify(client, live_session, first).status_code == 400
    assert _verify(client, live_session, second).status_code == 200
    again = _verify(Client(), live_session, second)
    assert again.status_code == 400 and again.json()["message"] == zh("Please ask for a code first.")
    assert Viewer.objects.count() == 1


def test_the_code_is_stored_only_as_a_keyed_hash(client, live_session):
    _code(client, live_session)
    row = VerificationCode.objects.get()
    code = last_code(MOBILE)
    assert code not in row.code_hash and MOBILE not in row.mobile_hash
    assert row.code_hash == identity.code_hash(live_session.pk, MOBILE, code)
    assert row.mobile_masked == "137****5678" and row.ip == "127.0.0.1"


@pytest.mark.parametrize("mobile", ["", "12345", "1371234567８9", "23712345678", "abc", "1" * 200])
def test_a_bad_number_is_a_400_with_the_reason(client, live_session, mobile):
    response = _code(client, live_session, mobile)
    assert response.status_code == 400
    assert response.json()["errors"]["mobile"] == zh(
        "Please enter an 11-digit mainland mobile number starting with 1 (e.g. 13812345678)."
    )
    assert not sms.outbox


def test_a_failing_gateway_is_a_clear_400_and_nothing_is_kept(client, live_session, settings, monkeypatch):
    def broken(message):
        raise sms.SmsError("down")

    monkeypatch.setattr(sms.LocmemSender, "send", lambda self, message: broken(message))
    response = _code(client, live_session)
    assert response.status_code == 400
    assert response.json()["message"] == zh(
        "The text message could not be sent. Please try again in a minute."
    )
    assert not VerificationCode.objects.exists()


def test_the_counter_is_shared_through_the_database(live_session, settings):
    settings.DAJIA_PARTICIPATION_LIMITS = {**RELAXED, "verify_ip": (2, 10**9)}
    for _ in range(2):
        assert not services_limits.rate_limit_hit(action="verify_ip", subject="x").refused
    assert services_limits.rate_limit_hit(action="verify_ip", subject="x").refused
    assert RateCounter.objects.get(key="verify_ip:x").hits == 3


def test_redis_counts_when_configured(live_session, settings, monkeypatch):
    """With REDIS_URL the counter lives in Redis (INCR + EXPIRE); a Redis failure falls back to the database."""
    store: dict[str, int] = {}

    class Pipe:
        def __init__(self):
            self.ops = []

        def incrby(self, key, n):
            self.ops.append((key, n))

        def expire(self, key, seconds):
            self.seconds = seconds

        def execute(self):
            key, n = self.ops[0]
            store[key] = store.get(key, 0) + n
            return [store[key], True]

    class FakeRedis:
        def pipeline(self):
            return Pipe()

    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    monkeypatch.setattr(ratelimit, "_hits_redis", FakeRedis())
    monkeypatch.setattr(ratelimit, "_hits_redis_url", settings.REDIS_URL)
    monkeypatch.setattr(ratelimit, "_hits_redis_down_until", 0.0)
    settings.DAJIA_PARTICIPATION_LIMITS = {**RELAXED, "vote_ip": (1, 10**9)}
    assert not services_limits.rate_limit_hit(action="vote_ip", subject="r").refused
    assert services_limits.rate_limit_hit(action="vote_ip", subject="r").refused
    assert not RateCounter.objects.exists() and list(store.values()) == [2]

    class Broken:
        def pipeline(self):
            raise ConnectionError("redis down")

    monkeypatch.setattr(ratelimit, "_hits_redis", Broken())
    assert services_limits.rate_limit_hit(action="vote_ip", subject="s").count == 1
    assert RateCounter.objects.get(key="vote_ip:s").hits == 1
    # Left alone for 30 s after the failure: the next hit goes straight to the database.
    monkeypatch.setattr(ratelimit, "_hits_redis", FakeRedis())
    assert services_limits.rate_limit_hit(action="vote_ip", subject="s").count == 2
    assert list(store.values()) == [2]
