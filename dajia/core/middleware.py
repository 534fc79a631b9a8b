"""Security headers for every response, and CORS for the live endpoints.

- A Content-Security-Policy without inline scripts on every response (pages, the admin, the API, errors, the
  API's own 400 for out-of-range numbers, and what the other middleware answers early — redirects, a bad
  host's 400, static files): every script is a static file. Hence this middleware comes first in
  ``MIDDLEWARE``. ``connect-src`` also names
  the live server when ``DAJIA_LIVE_URL`` puts it on another origin.
- Framing: every page refuses it (``X-Frame-Options: DENY`` from Django, ``frame-ancestors 'none'``) except
  the embeddable ones (``settings.DAJIA_EMBEDDABLE_VIEWS`` or the :func:`embeddable` decorator), which this site
  and the origins in ``DAJIA_FRAME_ANCESTORS`` may frame.
- ``/live/...`` (public events: counts, states, ids) answers the site's own pages from another origin, as
  ``dajia serve`` runs it (pages on PORT, live streams on PORT+1): ``Access-Control-Allow-Origin`` for an
  origin whose host is one of ``ALLOWED_HOSTS`` (or ``DAJIA_SITE_URL``/``CSRF_TRUSTED_ORIGINS``), and the
  preflight an ``EventSource`` reconnecting with ``Last-Event-ID`` may send. No credentials are ever allowed.

The settings parsers live here too (``parse_frame_ancestors``, ``parse_live_url``) so that a mistyped value
stops the process at start-up with a clear message, as ``dajia.core.env`` does for the rest.
"""

from __future__ import annotations

import re
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.http.request import split_domain_port, validate_host
from django.utils.cache import patch_vary_headers

from dajia.core.env import EnvError

LIVE_PATH = re.compile(r"^/live/")
_HOST_SOURCE = re.compile(
    r"^(?:https?://)?(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*(?::(?:[0-9]{1,5}|\*))?$", re.I
)
_PORT_ONLY = re.compile(r"^:[0-9]{1,5}$")
_FRAME_ANCESTORS = re.compile(r"frame-ancestors [^;]*")


# ---- settings ----------------------------------------------------------------------------------------------


def parse_frame_ancestors(raw: str) -> list[str]:
    """``"https://a.example https://*.b.example"`` (spaces or commas) → CSP sources; refuses anything else."""
    sources = raw.replace(",", " ").split()
    for source in sources:
        if source not in ("'self'", "https:") and not _HOST_SOURCE.match(source):
            raise EnvError(
                f"DAJIA_FRAME_ANCESTORS 中的 {source!r} 不是网站来源（如 https://www.example.org）/ "
                f"{source!r} in DAJIA_FRAME_ANCESTORS is not an origin such as https://www.example.org"
            )
    return sources


def parse_live_url(raw: str) -> str:
    """Empty (this site), ``":8001"`` (the page's host, another port) or an origin ``https://live.example.org``."""
    value = raw.strip().rstrip("/")
    if not value or _PORT_ONLY.match(value):
        return value
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query:
        raise EnvError(
            f"DAJIA_LIVE_URL={raw!r} 应为空、:端口 或 https://主机[:端口] / DAJIA_LIVE_URL must be empty, "
            f":PORT or an origin such as https://live.example.org"
        )
    return f"{parts.scheme}://{parts.netloc}"


# ---- framing -------------------------------------------------------------------------------------------------


def embeddable(view):
    """Mark a public page that other sites (``DAJIA_FRAME_ANCESTORS``) may show in a frame."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        return view(*args, **kwargs)

    wrapped.dajia_embeddable = True
    return wrapped


def _is_embeddable(request) -> bool:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False
    return bool(getattr(match.func, "dajia_embeddable", False)) or match.view_name in getattr(
        settings, "DAJIA_EMBEDDABLE_VIEWS", ()
    )


# ---- the live server's origin and CORS -------------------------------------------------------------------


def live_origin(request) -> str:
    """The origin browsers use for /live/ when it is not this site's, else ""."""
    live_url = getattr(settings, "DAJIA_LIVE_URL", "")
    if not live_url.startswith(":"):
        return live_url
    domain, _port = split_domain_port(request.get_host())
    if ":" in domain and not domain.startswith("["):
        domain = f"[{domain}]"
    return f"{request.scheme}://{domain}{live_url}"


def live_cors_origin(origin: str) -> str | None:
    """``origin`` when one of the site's pages may read the live endpoints from it, else None."""
    if not origin or origin == "null" or len(origin) > 300:
        return None
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        return None
    site = {settings.SITE_URL.rstrip("/"), *(o.rstrip("/") for o in settings.CSRF_TRUSTED_ORIGINS)}
    if origin in site:
        return origin
    domain, _port = split_domain_port(parts.netloc)
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    return origin if domain and validate_host(domain, allowed) else None


def live_cors_headers(origin: str) -> list[tuple[str, str]]:
    """The CORS headers of a live response (GET) for a request from ``origin``."""
    allowed = live_cors_origin(origin)
    if allowed is None:
        return [("Vary", "Origin")]
    return [("Access-Control-Allow-Origin", allowed), ("Vary", "Origin")]


def _preflight(request) -> HttpResponse:
    response = HttpResponse(status=204)
    allowed = live_cors_origin(request.headers.get("Origin", ""))
    if allowed is not None:
        response["Access-Control-Allow-Origin"] = allowed
        response["Access-Control-Allow-Methods"] = "GET"
        response["Access-Control-Allow-Headers"] = "Last-Event-ID, Accept, Cache-Control"
        response["Access-Control-Max-Age"] = "600"
    patch_vary_headers(response, ["Origin"])
    return response


class SecurityHeadersMiddleware:
    """Content-Security-Policy, frame rules, Permissions-Policy; CORS on /live/ (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.frame_ancestors = " ".join(["'self'", *getattr(settings, "DAJIA_FRAME_ANCESTORS", [])])
        self.can_embed = bool(getattr(settings, "DAJIA_FRAME_ANCESTORS", []))

    def csp(self, request, frame_ancestors: str) -> str:
        connect = "'self'"
        other = live_origin(request)
        if other:
            connect += f" {other}"
        return (
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            f"img-src 'self' data: blob:; media-src 'self' blob: https:; connect-src {connect}; "
            f"frame-src 'self' https:; frame-ancestors {frame_ancestors}; base-uri 'self'; form-action 'self'"
        )

    def __call__(self, request):
        request.dajia_live_url = getattr(settings, "DAJIA_LIVE_URL", "")  # <meta name="dajia-live-url">
        is_live = bool(LIVE_PATH.match(request.path))
        if is_live and request.method == "OPTIONS":
            return _preflight(request)
        response = self.get_response(request)
        if is_live:
            allowed = live_cors_origin(request.headers.get("Origin", ""))
            if allowed is not None:
                response.headers["Access-Control-Allow-Origin"] = allowed
            patch_vary_headers(response, ["Origin"])
        frame_ancestors = "'none'"
        if self.can_embed and _is_embeddable(request):
            frame_ancestors = self.frame_ancestors
            # X-Frame-Options cannot name origins; the CSP does. This middleware wraps Django's, which has
            # already answered DENY by now.
            response.xframe_options_exempt = True
            if "X-Frame-Options" in response.headers:
                del response.headers["X-Frame-Options"]
            own = response.headers.get("Content-Security-Policy")
            if own:  # a view that widened the policy (a live page's video origin) keeps it, framing aside
                response.headers["Content-Security-Policy"] = _FRAME_ANCESTORS.sub(
                    f"frame-ancestors {frame_ancestors}", own
                )
        # Every response, the admin's and every error page included: Django's admin needs no inline script.
        response.headers.setdefault("Content-Security-Policy", self.csp(request, frame_ancestors))
        response.headers.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
        return response
