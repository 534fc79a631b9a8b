"""The site's own error pages (dajia/core/errors.py): 400, 403, 404, 500 and a refused CSRF token, in the site's
layout, Chinese by default and English with the switch, with a way home — and never Django's debug pages under
the settings ``make run`` uses (DEBUG off, DAJIA_LOCAL_TRIAL on; that the Makefile sets them:
test_make_run.py). JSON clients get JSON."""

from __future__ import annotations

import importlib

import pytest
from django.test import Client, override_settings
from django.urls import Resolver404, resolve, reverse

from dajia.core import context_processors

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls("dajia.core.tests.urls_errors"),
]

TRIAL = {"DEBUG": False, "DAJIA_LOCAL_TRIAL": True}
HOME_LINK = 'href="/"'
LAYOUT = 'class="site-header"'
DEBUG_MARKS = ("Traceback", "Using the URLconf", "DEBUG = True", "technical_500", "Request Method:")

# (how to cause it, status, Chinese title, English title)
CASES = {
    "400": ("/test-suspicious/", 400, "无法处理这个请求", "The request could not be understood"),
    "403": ("/audit/", 403, "您无权打开这个页面", "You may not open this page"),
    "404": ("/sessions/e/mistyped-link/", 404, "找不到这个页面", "Page not found"),
    "500": ("/test-fails/", 500, "服务器出错了", "Something went wrong on our side"),
}


def _client(user=None, **kwargs) -> Client:
    client = Client(raise_request_exception=False, **kwargs)
    if user is not None:
        client.force_login(user)
    return client


def _english(client: Client, path: str) -> None:
    """Press the site's language switch (the form in the header) on the error page."""
    switched = client.post("/i18n/setlang/", {"language": "en", "next": path})
    assert switched.status_code == 302


def _assert_page(response, status: int, title: str) -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert LAYOUT in page and 'id="main"' in page  # core/base.html
    assert title in page and HOME_LINK in page
    assert not any(mark in page for mark in DEBUG_MARKS)
    return page


@override_settings(**TRIAL)
@pytest.mark.parametrize("case", sorted(CASES))
def test_each_error_page_is_in_the_layout_chinese_first_english_with_the_switch(case, provider_user):
    path, status, chinese, english = CASES[case]
    client = _client(provider_user)  # a provider opening the office's audit log: 403
    page = _assert_page(client.get(path), status, chinese)
    assert "回到首页" in page and 'lang="zh-Hans"' in page
    _english(client, path)
    page = _assert_page(client.get(path), status, english)
    assert "Back to the home page" in page and 'lang="en"' in page


@override_settings(**TRIAL)
def test_a_forbidden_page_offers_to_log_in_as_another_role(provider_user):
    page = _client(provider_user).get("/audit/").content.decode()
    assert f'href="{reverse("accounts:login")}?next=/audit/"' in page and "以其他角色登录" in page


@override_settings(**TRIAL)
def test_a_refused_csrf_token_gets_the_site_page_in_both_languages():
    client = _client(enforce_csrf_checks=True)
    login = reverse("accounts:login")
    page = _assert_page(client.post(login, {"identifier": "x", "password": "y"}), 403, "表单已过期")
    assert "刷新页面" in page
    client.cookies["django_language"] = "en"
    _assert_page(client.post(login, {"identifier": "x", "password": "y"}), 403, "The form had expired")


@override_settings(**TRIAL, ALLOWED_HOSTS=["127.0.0.1"])
def test_a_host_the_site_does_not_serve_is_a_400_page_not_a_debug_page():
    _assert_page(_client().get("/", HTTP_HOST="evil.example"), 400, "无法处理这个请求")


@override_settings(**TRIAL)
def test_the_500_page_renders_when_the_navigation_and_the_database_fail(
    monkeypatch, django_assert_num_queries
):
    def broken(request):
        raise RuntimeError("the database is gone")

    monkeypatch.setattr(context_processors, "_collect", broken)
    with django_assert_num_queries(0):  # the 500 page reads nothing from the database
        page = _assert_page(_client().get("/test-fails/"), 500, "服务器出错了")
    assert "English" in page  # the language switch is there


@override_settings(**TRIAL)
def test_when_even_the_layout_fails_a_fixed_bilingual_500_is_sent(monkeypatch):
    def broken(name, using=None):
        raise RuntimeError("templates unreadable")

    monkeypatch.setattr("dajia.core.errors.loader.get_template", broken)
    response = _client().get("/test-fails/")
    assert response.status_code == 500
    assert (
        "出错了 / Something went wrong" in response.content.decode()
        and 'href="/"' in response.content.decode()
    )


@override_settings(**TRIAL)
@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        ("/api/no-such-endpoint", {}, 404),
        ("/live/", {}, 404),
        ("/sessions/e/mistyped-link/", {"HTTP_ACCEPT": "application/json"}, 404),
        ("/test-fails/", {"HTTP_ACCEPT": "application/json"}, 500),
    ],
)
def test_json_clients_keep_json_errors(path, headers, status):
    response = _client().get(path, **headers)
    assert response.status_code == status and response["Content-Type"] == "application/json"
    body = response.json()
    assert body["ok"] is False and body["message"]


def test_no_address_serves_the_private_media_folder_even_with_debug(settings, reload_urls):
    """The debug-only static() route served all of MEDIA_ROOT, the delivery evidence included."""
    settings.DEBUG = True
    urls = reload_urls()
    for path in ("/media/deliveries/2026/12/evidence.jpg", "/media/projects/2026/12/photo.jpg"):
        with pytest.raises(Resolver404):
            resolve(path, urls)


@pytest.fixture
def reload_urls():
    import dajia.urls

    yield lambda: importlib.reload(dajia.urls).__name__
    importlib.reload(dajia.urls)
