"""The site's base URL (dajia/core/siteurl.py): DAJIA_SITE_URL first, a trial's network address, else the request;
the machine's address is found without sending anything."""

from __future__ import annotations

import socket

import pytest
from django.test import RequestFactory

from dajia.core import siteurl
from dajia.core.tests.qrcodes import encodes


def test_the_configured_address_wins_over_the_request(settings):
    settings.SITE_URL = "http://192.168.1.10:8000"
    request = RequestFactory().get("/", HTTP_HOST="127.0.0.1:8000")
    assert siteurl.absolute_url(request, "/sessions/e/abc/") == "http://192.168.1.10:8000/sessions/e/abc/"
    assert siteurl.is_loopback(request) is False


def test_without_one_the_request_s_address_is_used_and_a_loopback_one_is_flagged(settings):
    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = ["127.0.0.1", "dajia.example.org"]
    request = RequestFactory().get("/", HTTP_HOST="127.0.0.1:8000")
    assert siteurl.absolute_url(request, "/x/") == "http://127.0.0.1:8000/x/"
    assert siteurl.is_loopback(request) is True
    assert siteurl.is_loopback(RequestFactory().get("/", HTTP_HOST="dajia.example.org")) is False


def test_a_command_without_a_request_names_this_computer_on_the_served_port(settings):
    settings.SITE_URL, settings.DAJIA_SERVE_PORT = "", 8123
    assert siteurl.site_base_url() == "http://127.0.0.1:8123"


@pytest.mark.parametrize(
    ("host", "lan", "expected"),
    [
        ("0.0.0.0", "192.168.1.10", "http://192.168.1.10:8000"),  # noqa: S104
        ("0.0.0.0", None, ""),  # noqa: S104 - no network: the request decides
        ("127.0.0.1", "192.168.1.10", ""),
        ("localhost", "192.168.1.10", ""),
        ("192.168.1.23", "192.168.1.10", "http://192.168.1.23:8000"),  # the host given
        ("fd00::5", None, "http://[fd00::5]:8000"),
    ],
)
def test_a_trial_links_the_address_phones_reach(monkeypatch, host, lan, expected):
    monkeypatch.setattr(siteurl, "lan_address", lambda: lan)
    assert siteurl.trial_site_url(host, 8000) == expected


def test_the_lan_address_is_found_without_sending_a_packet(monkeypatch):
    calls = []

    class Probe:
        def __init__(self, family, kind):
            calls.append(("socket", family, kind))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def connect(self, address):
            calls.append(("connect", address))

        def getsockname(self):
            return ("192.168.1.10", 40000)

        def __getattr__(self, name):  # send, sendto, ...: any of them would be network traffic
            raise AssertionError(f"the probe must not call {name}")

    monkeypatch.setattr(siteurl.socket, "socket", Probe)
    assert siteurl.lan_address() == "192.168.1.10"
    assert calls[0] == ("socket", socket.AF_INET, socket.SOCK_DGRAM)
    assert calls[1][0] == "connect" and calls[1][1][0].startswith("10.")  # a private address


def test_no_network_means_no_lan_address(monkeypatch):
    class Unroutable:
        def __init__(self, *args):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def connect(self, address):
            raise OSError("Network is unreachable")

    monkeypatch.setattr(siteurl.socket, "socket", Unroutable)
    assert siteurl.lan_address() is None


def test_the_qr_helper_tells_payloads_apart():
    import segno

    svg = segno.make("http://192.168.1.10:8000/a", error="m").svg_inline(scale=5, border=2)
    assert encodes(svg, "http://192.168.1.10:8000/a") and not encodes(svg, "http://127.0.0.1:8000/a")
