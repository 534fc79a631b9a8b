"""The site's base URL: the one place that decides which address QR codes and links printed for phones carry.

Why one place: evaluator links, sign-in QR codes, survey invitations and the live page's share link are read by
phones, not by the computer that opened the page. Built from the request, they carry whatever address the office
happened to type — 127.0.0.1 on the laptop running ``make run`` — and every phone at the venue fails on them.
So the address comes, in this order, from ``DAJIA_SITE_URL``; under a local trial bound to every interface
(``make run HOST=0.0.0.0``) from the machine's address on the local network (settings.py, ``trial_site_url``);
else from the request (behind a proxy, the host the visitor used).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]", "testserver"}
ALL_INTERFACES = {"0.0.0.0", "::", ""}  # noqa: S104 - names of a bind address, compared, not bound
# Any private address will do: a UDP "connect" only asks the kernel which interface would route there; no packet
# is sent (nothing is written to the socket).
_PROBE = ("10.255.255.254", 9)


def lan_address() -> str | None:
    """This machine's IPv4 address on its local network, or None (no network, or only loopback)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(_PROBE)
            address = probe.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address  # noqa: S104


def _netloc(host: str, port: int | str) -> str:
    try:
        is_v6 = ipaddress.ip_address(host.strip("[]")).version == 6
    except ValueError:
        is_v6 = False
    return f"[{host.strip('[]')}]:{port}" if is_v6 else f"{host}:{port}"


def trial_site_url(host: str, port: int | str) -> str:
    """The address phones use for a trial server bound to ``host``:``port`` (plain HTTP), or "" when only the
    request can tell (bound to loopback, or bound to every interface on a machine without a network)."""
    if host in ALL_INTERFACES:
        host = lan_address() or ""
    if not host or host in LOOPBACK:
        return ""
    return f"http://{_netloc(host, port)}"


def url_host(url: str) -> str:
    """The host of ``url`` as ALLOWED_HOSTS spells it (no port; an IPv6 address in brackets)."""
    host = urlsplit(url).hostname or ""
    return f"[{host}]" if ":" in host else host


def local_url() -> str:
    """This computer's own address for the server (a browser on the machine running ``make run``)."""
    return f"http://127.0.0.1:{settings.DAJIA_SERVE_PORT}"


def site_base_url(request=None) -> str:
    """Scheme and host (no trailing slash) that links for phones and other devices start with."""
    if settings.SITE_URL:
        return settings.SITE_URL.rstrip("/")
    if request is None:  # a command's output (make run's banner)
        return local_url()
    return f"{request.scheme}://{request.get_host()}"


def absolute_url(request, path: str) -> str:
    """``path`` (from ``reverse``) as an address a phone can open."""
    return site_base_url(request) + path


def is_loopback(request) -> bool:
    """True when the links built for this request point at this computer only (127.0.0.1, localhost), so a
    phone cannot open them: the page then says how to serve the venue's network."""
    return is_loopback_url(site_base_url(request))


def is_loopback_url(url: str) -> bool:
    return (urlsplit(url).hostname or "") in LOOPBACK
