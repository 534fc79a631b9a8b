"""The public objection form of a 公示 notice: real name, mobile number verified by a code, the project, the
reasons. Open only during the window; afterwards it says when the window closed and refuses (400)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from dajia.accounts.forms import apply_service_errors
from dajia.consultations.models import Session
from dajia.participation import identity, selectors, services, services_objections
from dajia.participation.forms import ObjectionForm
from dajia.participation.services_limits import enforce
from dajia.participation.views import refusal, wants_json


def _session(pk: int) -> Session:
    session = get_object_or_404(Session.objects.select_related("federation"), pk=pk)
    if selectors.notice_window(session) is None:
        raise Http404
    return session


def _render(request, session: Session, form: ObjectionForm, status: int = 200):
    window = selectors.notice_window(session)
    return render(
        request,
        "participation/objection.html",
        {"session": session, "form": form, "window": window, "is_open": window.is_open()},
        status=status,
    )


@never_cache
def objection(request, pk: int):
    session = _session(pk)
    if request.method != "POST":
        return _render(request, session, ObjectionForm(session=session))
    form = ObjectionForm(request.POST, session=session)
    ip = identity.client_ip(request)
    try:
        enforce(action="objection_ip", subject=ip or "", session=session)
        services_objections.require_window(session)
    except ValidationError as error:
        form.add_error(None, error.messages)
        return _render(request, session, form, status=429 if getattr(error, "retry_after", None) else 400)
    if not form.is_valid():
        return _render(request, session, form, status=400)
    outcome = services.code_verify(
        session=session,
        mobile=form.cleaned_data["mobile"],
        code=form.cleaned_data["code"],
        purpose="objection",
        ip=ip,
    )
    if not outcome.ok:
        form.add_error(outcome.field if outcome.field in form.fields else None, outcome.error)
        return _render(request, session, form, status=400)
    try:
        services_objections.objection_file(
            session=session,
            entry=form.cleaned_data["entry"],
            name=form.cleaned_data["name"],
            mobile=form.cleaned_data["mobile"],
            reasons=form.cleaned_data["reasons"],
            mobile_verified=True,
            ip=ip,
        )
    except ValidationError as error:
        apply_service_errors(form, error)
        return _render(request, session, form, status=400)
    messages.success(
        request,
        _(
            "Your objection is filed. The union office will answer it; the answer is shown on the public notice."
        ),
    )
    return redirect("consultations:results_notice", pk=pk)


@require_POST
def objection_code(request, pk: int):
    """Send the objector a code (the same limits as a viewer's code)."""
    from dajia.participation.views import _code_limits

    session = _session(pk)
    try:
        services_objections.require_window(session)
        number = _code_limits(request, session, request.POST.get("mobile", ""))
        sent = services.code_request(
            session=session, mobile=number, purpose="objection", ip=identity.client_ip(request)
        )
    except (ValidationError, PermissionDenied) as error:
        return refusal(
            request,
            error,
            render_page=lambda status: _render(
                request, session, ObjectionForm(request.POST, session=session), status
            ),
        )
    message = _("A code was sent to %(m)s. It is valid for %(n)s minutes.") % {
        "m": sent.masked,
        "n": services.code_minutes(),
    }
    if wants_json(request):
        return JsonResponse({"ok": True, "message": message, "mobile": sent.masked})
    messages.success(request, message)
    # Without script the whole form came with the request: show it again as typed, the code still to enter.
    kept = {k: v for k, v in request.POST.items() if k in ("name", "mobile", "entry", "reasons")}
    return _render(request, session, ObjectionForm(initial=kept, session=session))
