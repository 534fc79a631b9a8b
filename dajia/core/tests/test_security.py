"""Security headers, frame rules, CORS of the live endpoints, the settings that drive them, and the login
rate limit."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dajia.core import ratelimit
from dajia.core.env import EnvError
from dajia.core.middleware import live_cors_origin, parse_frame_ancestors, parse_live_url

pytestmark = pytest.mark.django_db


def _csp(response) -> dict[str, str]:
    return {
        part.strip().split(" ", 1)[0]: part.strip().split(" ", 1)[1]
        for part in response["Content-Security-Policy"].split(";")
        if part.strip()
    }


# ---- headers on ordinary pages ----------------------------------------------------------------------------


def test_pages_forbid_inline_scripts_and_framing(client):
    response = client.get("/")
    assert response.status_code == 200
    csp = _csp(response)
    assert csp["script-src"] == "'self'" and "unsafe-inline" not in csp["script-src"]
    assert csp["frame-ancestors"] == "'none'"
    assert csp["connect-src"] == "'self'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert '<meta name="dajia-live-url" content="">' in response.content.decode()


def test_the_live_server_on_another_origin_is_allowed_for_connections(client, settings):
    settings.DAJIA_LIVE_URL = ":8001"
    response = client.get("/", HTTP_HOST="127.0.0.1:8000")
    assert _csp(response)["connect-src"] == "'self' http://127.0.0.1:8001"
    assert '<meta name="dajia-live-url" content=":8001">' in response.content.decode()
    settings.DAJIA_LIVE_URL = "https://live.example.org"
    response = Client().get("/")
    assert _csp(response)["connect-src"] == "'self' https://live.example.org"


def _session(office_user, federation):
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from dajia.consultations import services_setup

    return services_setup.session_create(
        actor=office_user,
        federation=federation,
        title="2020年下城区工会购买服务协商会",
        starts_at=timezone.make_aware(datetime.datetime(2020, 9, 18, 14, 0)),
        venue="下城区职工服务中心",
        budget=Decimal("200000"),
    )


def test_embeddable_pages_may_be_framed_by_the_configured_sites_only(
    client, settings, office_user, federation
):
    session = _session(office_user, federation)
    screen = reverse("consultations:screen", args=[session.pk])
    # Not configured: the big screen refuses framing like every page.
    response = client.get(screen)
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY" and _csp(response)["frame-ancestors"] == "'none'"

    settings.DAJIA_FRAME_ANCESTORS = ["https://www.example.org", "https://*.example.cn"]
    client = Client()
    response = client.get(screen)
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert _csp(response)["frame-ancestors"] == "'self' https://www.example.org https://*.example.cn"
    # Every other page still refuses, public or not.
    for url in ["/", "/menu/", reverse("accounts:login")]:
        response = client.get(url)
        assert response["X-Frame-Options"] == "DENY", url
        assert _csp(response)["frame-ancestors"] == "'none'", url
    client.force_login(office_user)
    response = client.get(reverse("consultations:setup", args=[session.pk]))
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY" and _csp(response)["frame-ancestors"] == "'none'"


def test_the_embeddable_decorator_marks_a_view():
    from django.http import HttpResponse

    from dajia.core.middleware import embeddable

    @embeddable
    def page(request):
        return HttpResponse("ok")

    assert page.dajia_embeddable is True and page.__name__ == "page"


def test_hsts_and_secure_cookies_in_production_over_https(settings, client):
    # The production values (settings.py with DAJIA_DEBUG=0); check --deploy is tested in test_env.py.
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.get("/", HTTP_X_FORWARDED_PROTO="https")
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    plain = Client().get("/")
    assert "Strict-Transport-Security" not in plain  # never on plain HTTP (a trial with DAJIA_HTTPS=0)


# ---- CORS on the live endpoints ---------------------------------------------------------------------------


def test_live_poll_answers_the_sites_own_pages_from_another_origin(client, settings):
    settings.ALLOWED_HOSTS = ["testserver", "127.0.0.1", "dajia.example.org"]
    url = "/live/session-1/poll"
    ok = client.get(url, HTTP_ORIGIN="http://127.0.0.1:8000")
    assert ok.status_code == 200 and ok["Access-Control-Allow-Origin"] == "http://127.0.0.1:8000"
    assert "Origin" in ok["Vary"]
    assert "Access-Control-Allow-Credentials" not in ok
    https = client.get(url, HTTP_ORIGIN="https://dajia.example.org")
    assert https["Access-Control-Allow-Origin"] == "https://dajia.example.org"
    for origin in ["https://evil.example", "null", "http://127.0.0.1.evil.example", "javascript:alert(1)"]:
        response = client.get(url, HTTP_ORIGIN=origin)
        assert response.status_code == 200 and "Access-Control-Allow-Origin" not in response, origin
    assert "Access-Control-Allow-Origin" not in client.get("/", HTTP_ORIGIN="http://127.0.0.1:8000")


def test_live_preflight_allows_last_event_id(client):
    response = client.options(
        "/live/session-3/events",
        HTTP_ORIGIN="http://localhost:8000",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="last-event-id",
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "http://localhost:8000"
    assert "Last-Event-ID" in response["Access-Control-Allow-Headers"]
    assert response["Access-Control-Allow-Methods"] == "GET"
    refused = client.options("/live/session-3/events", HTTP_ORIGIN="https://evil.example")
    assert refused.status_code == 204 and "Access-Control-Allow-Origin" not in refused


def test_cors_origin_rules(settings):
    settings.ALLOWED_HOSTS = [".example.org"]
    settings.SITE_URL = "https://dajia.example.org"
    settings.CSRF_TRUSTED_ORIGINS = ["https://office.example.net"]
    assert live_cors_origin("https://a.example.org") == "https://a.example.org"
    assert live_cors_origin("https://office.example.net") == "https://office.example.net"
    assert live_cors_origin("https://example.org.evil.net") is None
    assert live_cors_origin("ftp://a.example.org") is None
    assert live_cors_origin("") is None


# ---- settings parsers -----------------------------------------------------------------------------------------


def test_frame_ancestors_setting_is_strict():
    assert parse_frame_ancestors("") == []
    assert parse_frame_ancestors("https://www.example.org, https://*.example.cn") == [
        "https://www.example.org",
        "https://*.example.cn",
    ]
    for bad in ["*", "https://x.org; script-src *", "'unsafe-inline'", "https://x.org/path"]:
        with pytest.raises(EnvError):
            parse_frame_ancestors(bad)


def test_live_url_setting_is_strict():
    assert parse_live_url("") == ""
    assert parse_live_url(":8001") == ":8001"
    assert parse_live_url("https://live.example.org/") == "https://live.example.org"
    for bad in ["live.example.org", "https://x.org/live", "ws://x.org", ":port"]:
        with pytest.raises(EnvError):
            parse_live_url(bad)


# ---- login rate limit ------------------------------------------------------------------------------------------


# The login gate itself is tested on every login path in dajia/accounts/tests/test_login_gate.py.


def test_client_address_ignores_forwarded_header_without_trusted_proxies(rf, settings):
    settings.DAJIA_TRUSTED_PROXIES = 0
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert ratelimit.client_address(request) == "10.0.0.1"
    assert ratelimit.client_address(rf.get("/", REMOTE_ADDR="garbage")) == "unknown"


# ---- the one-time code endpoint (dajia.participation) is rate limited too ------------------------------------


@pytest.fixture
def live_session(office_user, federation, provider, make_project):
    from dajia.consultations.tests.test_services_support import make_session

    return make_session(
        actor=office_user, federation=federation, providers=[provider], make_project=make_project
    )


def test_one_time_codes_are_rate_limited_per_address_and_per_number(client, settings, live_session):
    import random

    settings.REDIS_URL = ""  # counters in this test's database
    settings.DAJIA_SMS_BACKEND = "dajia.core.sms.LocmemSender"
    settings.DAJIA_PARTICIPATION_LIMITS = {"code_ip": (3, 600)}  # every request counts, refused or not
    url = reverse("participation:code_request", args=[live_session.pk])
    ip = f"198.18.{random.randrange(256)}.{random.randrange(1, 255)}"

    def ask(mobile: str):
        return client.post(url, {"mobile": mobile}, REMOTE_ADDR=ip, HTTP_ACCEPT="application/json")

    assert ask("13900001111").status_code == 200
    again = ask("13900001111")  # the same number within a minute
    assert again.status_code == 429 and int(again["Retry-After"]) >= 1
    assert ask("13900002222").status_code == 200
    refused = ask("13900003333")  # a fourth request from one address: over the limit of 3
    assert refused.status_code == 429 and refused.json()["ok"] is False


def test_the_live_page_with_a_video_stream_keeps_its_policy_and_may_be_embedded(
    client, settings, live_session
):
    live_session.stream_url = "https://video.example.com/live/s1.m3u8"
    live_session.save(update_fields=["stream_url"])
    url = reverse("participation:live", args=[live_session.pk])
    response = client.get(url)
    assert response.status_code == 200 and response["X-Frame-Options"] == "DENY"
    assert _csp(response)["frame-ancestors"] == "'none'"

    settings.DAJIA_FRAME_ANCESTORS = ["https://www.example.org"]
    response = Client().get(url)
    csp = _csp(response)
    assert "https://video.example.com" in csp["media-src"]  # the page's own widening is kept
    assert csp["frame-ancestors"] == "'self' https://www.example.org"
    assert "X-Frame-Options" not in response


def test_the_api_refuses_numbers_beyond_64_bits_in_urls_with_400(client):
    huge = "9" * 30
    for url in [
        f"/api/menu/projects/{huge}",
        f"/api/needs/needs?offset={huge}",
        f"/api/needs/needs?category=-{huge}",
    ]:
        response = client.get(url)
        assert response.status_code == 400, url
        assert "超出范围" in response.json()["detail"]
    assert (
        client.get(f"/api/menu/projects/{2**63 - 1}").status_code == 404
    )  # the largest id is a fine question


def test_a_nul_character_in_an_address_is_a_400_on_pages_and_the_api(client, db):
    # Schemathesis found it: PostgreSQL cannot compare text with a NUL, so the needs API's search was a 500.
    for url in ["/api/needs/needs?q=%00", "/api/needs/needs?sort=a%00b", "/api/needs/needs/1%00"]:
        response = client.get(url)
        assert response.status_code == 400, url
        assert response.json() == {"detail": "地址中含有无法使用的字符（NUL）。"}
    page = client.get("/needs/?q=%E5%B7%A5%00")
    assert page.status_code == 400 and "地址中含有无法使用的字符" in page.content.decode()
    english = client.get("/api/needs/needs?%00=1", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 400
    assert english.json()["detail"] == "The address holds a character that cannot be used (NUL)."
    assert client.get("/api/needs/needs?q=工会").status_code == 200


def test_a_nul_character_in_a_json_body_is_a_400_and_nothing_is_written(client, provider_user, category):
    # A JSON string may carry "\\u0000" where no form field can; the menu API stored it in a project's title on
    # SQLite and was a 500 on PostgreSQL ("text fields cannot contain NUL").
    from dajia.accounts.services import api_token_create
    from dajia.menu.models import ServiceProject
    from dajia.menu.tests.test_api import _payload

    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=provider_user, name='test')}"}
    for payload in [_payload(category, title="班组\x00长"), {**_payload(category), "a\x00": 1}]:
        response = client.post("/api/menu/mine", payload, content_type="application/json", **auth)
        assert response.status_code == 400, payload
        assert response.json() == {"detail": "请求中含有无法使用的字符（NUL）。"}
    english = client.post(
        "/api/menu/mine",
        _payload(category, audience=["x\x00"]),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
        **auth,
    )
    assert english.status_code == 400
    assert english.json()["detail"] == "The request holds a character that cannot be used (NUL)."
    assert not ServiceProject.objects.exists()
    # A backslash followed by "u0000" is six characters of text, not a NUL.
    typed = client.post(
        "/api/menu/mine", _payload(category, title="班组长\\u0000"), content_type="application/json", **auth
    )
    assert typed.status_code == 201, typed.content
    assert ServiceProject.objects.get().title == "班组长\\u0000"


# ---- the policy on every response, errors included --------------------------------------------------------------


@pytest.fixture
def admin_client(client, office_user):
    office_user.is_staff = office_user.is_superuser = True
    office_user.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(office_user)
    return client


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/admin/", 200),
        ("/admin/no-such-app/", 404),
        ("/admin/accounts/user/?password__startswith=p", 400),  # a lookup the admin refuses
    ],
)
def test_the_admin_carries_the_policy_on_pages_and_errors(admin_client, url, status):
    response = admin_client.get(url)
    assert response.status_code == status
    csp = _csp(response)
    assert csp["script-src"] == "'self'" and csp["frame-ancestors"] == "'none'"


def test_the_apis_400_for_an_out_of_range_number_carries_the_policy(client):
    response = client.get(f"/api/menu/projects/{2**70}")
    assert response.status_code == 400
    assert _csp(response)["script-src"] == "'self'"
    assert response["Permissions-Policy"].startswith("camera=")


def test_an_api_404_carries_the_policy(client):
    response = client.get("/api/no-such-endpoint")
    assert response.status_code == 404
    assert _csp(response)["default-src"] == "'self'"


@pytest.mark.parametrize(
    ("path", "extra", "status"),
    [
        ("/accounts/login", {}, 301),  # CommonMiddleware's slash redirect, answered before the view
        ("/", {"HTTP_HOST": "evil.example"}, 400),  # a host not allowed
    ],
)
def test_what_other_middleware_answers_early_carries_the_policy(client, settings, path, extra, status):
    settings.ALLOWED_HOSTS = ["testserver"]
    response = client.get(path, **extra)
    assert response.status_code == status
    assert _csp(response)["script-src"] == "'self'"
