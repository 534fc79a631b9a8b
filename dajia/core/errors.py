"""The site's own error pages (400, 403, 404, 500, a refused CSRF token), wired in dajia/urls.py and
``CSRF_FAILURE_VIEW``.

Why: a worker who opens an office page, or an evaluator with a mistyped link, must read in Chinese (English with
the switch) what happened and where to go — log in as another role, back to the home page — never a bare
"403 Forbidden" or Django's debug page. JSON clients (the phones' ``fetch`` calls, /api/, /live/) keep getting
JSON. The 500 page is rendered without context processors and without touching the database: it is what is
left when those are what failed, and if even the layout cannot render, a fixed bilingual page is sent.
"""

from __future__ import annotations

import logging

from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext_lazy

logger = logging.getLogger(__name__)

JSON_PREFIXES = ("/api/", "/live/")

# (title, what happened and what to do) per status; the template adds the ways out.
PAGES = {
    400: (
        gettext_lazy("The request could not be understood"),
        gettext_lazy(
            "The address or the form sent to the site was not valid, so nothing was done with it. "
            "Go back and try again, or start from the home page."
        ),
    ),
    403: (
        gettext_lazy("You may not open this page"),
        gettext_lazy(
            "This page belongs to another role — for example the union office's staff. "
            "If you have such an account, log in with it; otherwise go back to your home page."
        ),
    ),
    404: (
        gettext_lazy("Page not found"),
        gettext_lazy(
            "The address may be mistyped, or the link is no longer valid. An evaluator's or a sign-in link "
            "must be copied in full; ask the union office for a new one if it still does not open."
        ),
    ),
    "csrf": (
        gettext_lazy("The form had expired"),
        gettext_lazy(
            "For your safety the site only accepts a form from a page it has just sent. The page was open "
            "too long, or the browser blocks cookies. Go back, reload the page and send the form again."
        ),
    ),
    500: (
        gettext_lazy("Something went wrong on our side"),
        gettext_lazy(
            "The error has been recorded. Please try again in a moment; if it happens again, tell the union "
            "office what you were doing."
        ),
    ),
}

# What is sent when even the layout cannot be rendered (a broken template, a missing static files manifest).
BARE_PAGE = (
    '<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>出错了 / Server error</title>'
    "</head><body><main><h1>出错了 / Something went wrong</h1><p>服务器出错，已记录。请稍后再试。 / The error "
    'has been recorded. Please try again in a moment.</p><p><a href="/">回到首页 / Home page</a></p></main>'
    "</body></html>"
)


def wants_json(request) -> bool:
    """The client asked for JSON (the phones' fetch calls send ``Accept: application/json``)."""
    return "application/json" in request.headers.get("Accept", "")


def json_client(request) -> bool:
    """Answered in JSON: a client that asked for it, and the API and the live streams whatever they asked."""
    return wants_json(request) or request.path.startswith(JSON_PREFIXES)


def _json(key, status: int) -> JsonResponse:
    title, text = PAGES[key]
    return JsonResponse({"ok": False, "message": f"{title}: {text}", "errors": {}}, status=status)


def _page(request, key, status: int, *, bare: bool = False) -> HttpResponse:
    if json_client(request):
        return _json(key, status)
    title, text = PAGES[key]
    context = {"status": status, "title": title, "text": text, "other_role": key == 403}
    # A request refused before the authentication middleware (a host the site does not serve) has no user, and
    # the context processors need one; the 500 page must not depend on them at all.
    if not bare and hasattr(request, "user"):
        return render(request, "core/error.html", context, status=status)
    try:
        # No RequestContext: the context processors (navigation, the user) read the database.
        body = loader.get_template("core/error.html").render(
            {**context, "request": request, "csrf_token": get_token(request)}
        )
    except Exception:  # the error page must not fail in turn
        logger.exception("the error page could not be rendered; sent the bare one")
        body = BARE_PAGE
    return HttpResponse(body, status=status)


def bad_request(request, exception=None):
    return _page(request, 400, 400)


def permission_denied(request, exception=None):
    return _page(request, 403, 403)


def page_not_found(request, exception=None):
    return _page(request, 404, 404)


def csrf_failure(request, reason: str = ""):
    return _page(request, "csrf", 403)


def server_error(request):
    return _page(request, 500, 500, bare=True)
