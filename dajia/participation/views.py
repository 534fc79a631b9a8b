"""The public live page of a session and what a viewer does on it: verify, support, comment, leave.

Each write answers JSON to the page's script (``Accept: application/json``) and, without script, redirects back
with a message (or shows the page again with the error and a 4xx). Refusals: 400 bad input, 403 not verified,
429 too many requests (``Retry-After``). The viewer's identity for this session is kept in the browser's
session (cookie) as the viewer's id; the number itself is never stored in it.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from dajia.consultations.models import PublishedResult, Session
from dajia.consultations.qr import qr_svg, qr_svg_document
from dajia.core import ratelimit
from dajia.core.codes import code_minutes
from dajia.core.errors import wants_json
from dajia.core.inputs import as_id, clean_mobile
from dajia.core.middleware import SecurityHeadersMiddleware
from dajia.core.ratelimit import RateLimited
from dajia.core.siteurl import absolute_url
from dajia.live.pages import listening_page
from dajia.participation import selectors, services, services_comments, services_supports
from dajia.participation.forms import CommentForm
from dajia.participation.models import Viewer
from dajia.participation.services_limits import enforce

SESSION_KEY = "participation_viewers"


# ---- helpers shared with the objection pages ---------------------------------------------------------------


def error_payload(error: ValidationError) -> tuple[str, dict[str, str]]:
    if hasattr(error, "error_dict"):
        fields = {k: str(v[0]) for k, v in error.message_dict.items()}
        return "；".join(fields.values()), fields
    return "；".join(str(m) for m in error.messages), {}


def refusal_json(error: Exception) -> tuple[int, dict, dict[str, str]]:
    """A service's refusal as JSON: (status 400/403/429, body, headers) — the page's script gets it from this
    view and from the ASGI edge alike."""
    headers = {}
    if isinstance(error, RateLimited):
        status, (message, fields) = 429, error_payload(error)
        headers["Retry-After"] = str(error.retry_after)
    elif isinstance(error, PermissionDenied):
        status, fields = 403, {}
        message = str(error) or _("You may not do this.")
    else:
        status, (message, fields) = 400, error_payload(error)
    return status, {"ok": False, "message": message, "errors": fields}, headers


def refusal(request, error: Exception, *, render_page=None) -> HttpResponse:
    """Turn a service's refusal into 400/403/429 (JSON or the page again with the message)."""
    status, body, headers = refusal_json(error)
    if wants_json(request):
        response = JsonResponse(body, status=status)
    else:
        messages.error(request, body["message"])
        response = render_page(status) if render_page else HttpResponse(body["message"], status=status)
    for name, value in headers.items():
        response[name] = value
    return response


def support_json(
    outcome: services_supports.SupportOutcome, audience: dict
) -> tuple[int, dict, dict[str, str]]:
    """The JSON answer to a support (status, body, headers) in the active language, with the audience index as
    it stands after it — this view's and the ASGI edge's (``participation.fastpath``)."""
    if outcome.error is not None:
        return refusal_json(outcome.error)
    state = outcome.state
    message = _("Support withdrawn.") if outcome.kind == "removed" else _("Thank you for your support.")
    body = {
        "ok": True,
        "message": message,
        "supported": sorted(state.supported),
        "limit": state.limit,
        "remaining": state.remaining,
        "audience": audience,
    }
    return 200, body, {}


def viewer_of(request, session: Session) -> Viewer | None:
    viewer_id = request.session.get(SESSION_KEY, {}).get(str(session.pk))
    if not viewer_id:
        return None
    return Viewer.objects.filter(pk=viewer_id, session=session, erased_at__isnull=True).first()


def _remember(request, session: Session, viewer: Viewer | None) -> None:
    known = dict(request.session.get(SESSION_KEY, {}))
    if viewer is None:
        known.pop(str(session.pk), None)
    else:
        known[str(session.pk)] = viewer.pk
    request.session[SESSION_KEY] = known


def _session(pk: int) -> Session:
    return get_object_or_404(Session.objects.select_related("federation"), pk=pk)


# ---- the page --------------------------------------------------------------------------------------------


def stream_kind(url: str) -> str:
    """hls (.m3u8), flv (.flv), embed (another https page, in a frame), link (http: a frame would be blocked)."""
    if not url:
        return ""
    path = urlsplit(url).path.lower()
    if path.endswith(".m3u8"):
        return "hls"
    if path.endswith(".flv"):
        return "flv"
    return "embed" if url.startswith("https://") else "link"


def _csp_for(request, url: str) -> str:
    """The site's policy (from the security middleware), with the stream's origin allowed for the players'
    requests (``connect-src``, ``media-src``)."""
    middleware = SecurityHeadersMiddleware(lambda r: None)
    policy = middleware.csp(request, "'none'") if callable(middleware.csp) else str(middleware.csp)
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        origin = f"{parts.scheme}://{parts.netloc}"
        for directive in ("connect-src", "media-src"):
            policy = re.sub(rf"({directive} [^;]*)", rf"\1 {origin}", policy, count=1)
    return policy


def live_url(request, session: Session) -> str:
    return absolute_url(request, reverse("participation:live", args=[session.pk]))


def _page_context(request, session: Session) -> dict:
    viewer = viewer_of(request, session)
    index = selectors.audience_index(session)
    by_entry = {row.entry_id: row for row in index.rows}
    supported = selectors.supported_ids(viewer)
    entries = selectors.agenda(session)
    settings_row = selectors.live_settings(session)
    can_comment = session.state in services_comments.COMMENT_STATES and settings_row.comments_open
    items = [
        {
            "entry": e,
            "row": by_entry.get(e.pk),
            "supported": e.pk in supported,
            "on_stage": e.pk == session.on_stage_id,
        }
        for e in entries
    ]
    url = live_url(request, session)
    config = {
        "session": session.pk,
        "channel": f"session-{session.pk}",
        # Where the live client starts (``live.pages``); a page rendered after a form post starts from the
        # newest event when its script runs.
        "since": getattr(request, "live_since", None),
        "limit": session.support_limit,
        "verified": viewer is not None,
        "supported": sorted(supported),
        "open": session.state == Session.State.OPEN,
        "urls": {
            "code": reverse("participation:code_request", args=[session.pk]),
            "verify": reverse("participation:verify", args=[session.pk]),
            "support": reverse("participation:support", args=[session.pk]),
            "audience": f"/api/participation/sessions/{session.pk}/audience",
            "comments": reverse("participation:comments", args=[session.pk]),
            "agenda": reverse("participation:agenda", args=[session.pk]),
        },
        "texts": {
            "support": pgettext("audience index", "Support"),
            "supported": pgettext("audience index", "Supported ✓"),
            "remaining": _("You can support %(n)s more project(s)."),
            "full": _("You support %(k)s projects, the most allowed. Withdraw one to support another."),
            "sent": _("A code was sent to %(m)s. It is valid for %(n)s minutes."),
            "network": _("The connection failed. Please check the network and try again."),
            "wait": _("Ask again in %(s)s s"),
            "again": _("Get a code"),
        },
    }
    return {
        "session": session,
        "viewer": viewer,
        "index": index,
        "items": items,
        "supported_count": len(supported),
        "remaining": max(0, session.support_limit - len(supported)),
        "stream_kind": stream_kind(session.stream_url),
        "share_url": url,
        "qr": qr_svg(url, scale=4, title=_("QR code of this page")),
        "comments": selectors.public_comments(session),
        "own_comments": selectors.own_comments(viewer),
        "comment_form": CommentForm(session=session) if viewer and can_comment else None,
        "can_comment": can_comment,
        "published": PublishedResult.objects.filter(session=session).exists(),
        "require_roll": settings_row.require_roll,
        "config": config,
        "code_minutes": code_minutes(),
    }


def _render_live(request, session: Session, status: int = 200) -> HttpResponse:
    response = render(request, "participation/live.html", _page_context(request, session), status=status)
    if session.stream_url:
        response["Content-Security-Policy"] = _csp_for(request, session.stream_url)
    return response


@never_cache
@listening_page
def live(request, pk: int):
    """The public live page: the stream, the agenda with the project on stage, live supports, comments."""
    return _render_live(request, _session(pk))


@never_cache
@require_GET
def agenda_partial(request, pk: int):
    session = _session(pk)
    return render(request, "participation/_agenda.html", _page_context(request, session))


@require_GET
def live_qr(request, pk: int):
    session = _session(pk)
    response = HttpResponse(qr_svg_document(live_url(request, session)), content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="live-{session.pk}.svg"'
    return response


def index(request):
    """Sessions open to the public: live pages (draft to revealed) and public notices (published)."""
    sessions = Session.objects.select_related("federation").order_by("-starts_at", "-id")[:50]
    return render(request, "participation/index.html", {"sessions": sessions})


# ---- verification ---------------------------------------------------------------------------------------


def _me(session: Session, viewer: Viewer | None) -> dict:
    supported = sorted(selectors.supported_ids(viewer))
    return {
        "verified": viewer is not None,
        "mobile": viewer.mobile_masked if viewer else "",
        "supported": supported,
        "limit": session.support_limit,
        "remaining": max(0, session.support_limit - len(supported)),
    }


def code_limits(request, session: Session, mobile: str) -> str:
    ip = ratelimit.client_ip(request)
    enforce(action="code_ip", subject=ip or "", session=session)
    number = clean_mobile(mobile)
    subject = ratelimit.subject_token(number)
    enforce(action="code_mobile_burst", subject=subject, session=session)
    enforce(action="code_mobile", subject=subject, session=session)
    return number


@require_POST
def code_request(request, pk: int):
    session = _session(pk)
    purpose = request.POST.get("purpose") or "viewer"
    if purpose not in ("viewer", "objection"):
        purpose = "viewer"
    try:
        number = code_limits(request, session, request.POST.get("mobile", ""))
        sent = services.code_request(
            session=session, mobile=number, purpose=purpose, ip=ratelimit.client_ip(request)
        )
    except (ValidationError, PermissionDenied) as error:
        return refusal(request, error, render_page=lambda status: _render_live(request, session, status))
    message = _("A code was sent to %(m)s. It is valid for %(n)s minutes.") % {
        "m": sent.masked,
        "n": code_minutes(),
    }
    if wants_json(request):
        return JsonResponse({"ok": True, "message": message, "mobile": sent.masked})
    messages.success(request, message)
    return redirect(f"{reverse('participation:live', args=[pk])}?mobile={sent.masked}#verify")


@require_POST
def verify(request, pk: int):
    session = _session(pk)
    ip = ratelimit.client_ip(request)
    try:
        enforce(action="verify_ip", subject=ip or "", session=session)
        outcome = services.code_verify(
            session=session, mobile=request.POST.get("mobile", ""), code=request.POST.get("code", ""), ip=ip
        )
    except (ValidationError, PermissionDenied) as error:
        return refusal(request, error, render_page=lambda status: _render_live(request, session, status))
    if not outcome.ok:
        return refusal(
            request,
            ValidationError({outcome.field: outcome.error}),
            render_page=lambda status: _render_live(request, session, status),
        )
    _remember(request, session, outcome.viewer)
    request.session.cycle_key()
    message = _("Verified. You can support up to %(k)s projects.") % {"k": session.support_limit}
    if wants_json(request):
        return JsonResponse({"ok": True, "message": message, **_me(session, outcome.viewer)})
    messages.success(request, message)
    return redirect("participation:live", pk=pk)


@never_cache
@require_GET
def me(request, pk: int):
    session = _session(pk)
    return JsonResponse(_me(session, viewer_of(request, session)))


@require_POST
def leave(request, pk: int):
    """Forget the verification on this device only (the viewer and their supports stay)."""
    session = _session(pk)
    _remember(request, session, None)
    messages.success(request, _("This device is no longer verified."))
    return redirect("participation:live", pk=pk)


@require_POST
def forget(request, pk: int):
    """Delete my data for this session (see ``services.viewer_erase``)."""
    session = _session(pk)
    viewer = viewer_of(request, session)
    if viewer is None:
        return refusal(request, PermissionDenied(_("Please verify with your mobile number first.")))
    services.viewer_erase(viewer=viewer)
    _remember(request, session, None)
    messages.success(request, _("Your data for this session has been deleted."))
    return redirect("participation:live", pk=pk)


# ---- supports -------------------------------------------------------------------------------------------


@require_POST
def support(request, pk: int):
    """``entry`` and ``action`` (add | remove): a verified viewer supports a project or withdraws."""
    session = _session(pk)
    viewer = viewer_of(request, session)
    ip = ratelimit.client_ip(request)
    page = lambda status: _render_live(request, session, status)  # noqa: E731
    if viewer is None:
        return refusal(
            request,
            PermissionDenied(_("Please verify with your mobile number before supporting a project.")),
            render_page=page,
        )
    action = request.POST.get("action", "add")
    try:
        if action == "add":
            # The one implementation of the support rule and its rate limits (a batch of one).
            state = services_supports.support_add(viewer=viewer, entry=request.POST.get("entry", ""), ip=ip)
            outcome = services_supports.SupportOutcome("added" if state.changed else "unchanged", state)
        else:
            enforce(action="vote_ip", subject=ip or "", session=session)
            enforce(action="vote_viewer", subject=str(viewer.pk), session=session)
            entry_id = as_id(request.POST.get("entry"))
            if entry_id is None:
                raise ValidationError({"entry": _("This project is not part of this session.")})
            if action != "remove":
                raise ValidationError({"action": _("Unknown action.")})
            state = services.support_remove(viewer=viewer, entry=entry_id, ip=ip)
            outcome = services_supports.SupportOutcome("removed", state)
    except (ValidationError, PermissionDenied) as error:
        return refusal(request, error, render_page=page)
    if wants_json(request):
        status, body, _headers = support_json(outcome, selectors.audience_index(session).as_data())
        return JsonResponse(body, status=status)
    messages.success(request, support_json(outcome, {})[1]["message"])
    return redirect(f"{reverse('participation:live', args=[pk])}#agenda")


# ---- comments -------------------------------------------------------------------------------------------


@never_cache
def comments(request, pk: int):
    """GET: the approved comments (a partial for the page). POST: a verified viewer writes one."""
    session = _session(pk)
    if request.method != "POST":
        viewer = viewer_of(request, session)
        return render(
            request,
            "participation/_comments.html",
            {
                "session": session,
                "comments": selectors.public_comments(session),
                "own_comments": selectors.own_comments(viewer),
                "viewer": viewer,
            },
        )
    viewer = viewer_of(request, session)
    page = lambda status: _render_live(request, session, status)  # noqa: E731
    if viewer is None:
        return refusal(
            request, PermissionDenied(_("Please verify with your mobile number first.")), render_page=page
        )
    form = CommentForm(request.POST, session=session)
    try:
        enforce(action="comment_ip", subject=ratelimit.client_ip(request) or "", session=session)
        enforce(action="comment_viewer", subject=str(viewer.pk), session=session)
        if not form.is_valid():
            raise ValidationError({k: v[0] for k, v in form.errors.items()})
        comment = services_comments.comment_post(
            viewer=viewer,
            text=form.cleaned_data["text"],
            entry=form.cleaned_data["entry"],
            kind=form.cleaned_data["kind"],
        )
    except (ValidationError, PermissionDenied) as error:
        return refusal(request, error, render_page=page)
    if comment.status == comment.Status.REJECTED:
        message = _("Your comment was not accepted: %(reason)s") % {"reason": comment.status_reason}
        status = 400
    else:
        message = _("Thank you. Your comment will be shown once the union office has read it.")
        status = 201
    if wants_json(request):
        return JsonResponse(
            {"ok": status == 201, "message": message, "status": comment.status, "id": comment.pk},
            status=status,
        )
    (messages.success if status == 201 else messages.error)(request, message)
    if status == 400:
        return _render_live(request, session, 400)
    return redirect(f"{reverse('participation:live', args=[pk])}#comments")
