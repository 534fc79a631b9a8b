"""Pages of the 公示 objections: the public form (real name, a mobile number verified by a code, the project,
the reasons), open only during the window — afterwards it says when the window closed and refuses (400) — and
the office's list with its written answers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from dajia.accounts.forms import apply_service_errors
from dajia.accounts.permissions import is_office, office_federation_ids
from dajia.consultations.models import Session
from dajia.core import ratelimit
from dajia.core.codes import code_minutes
from dajia.notices import selectors, services
from dajia.notices.forms import ObjectionForm, RespondForm
from dajia.notices.models import Objection
from dajia.notices.window import notice_window, require_open
from dajia.participation import services as participation
from dajia.participation.services_limits import enforce
from dajia.participation.views import code_limits, refusal, wants_json
from dajia.participation.views_office import office_session


def _session(pk: int) -> Session:
    session = get_object_or_404(Session.objects.select_related("federation"), pk=pk)
    if notice_window(session) is None:
        raise Http404
    return session


def _render(request, session: Session, form: ObjectionForm, status: int = 200):
    window = notice_window(session)
    return render(
        request,
        "notices/objection.html",
        {"session": session, "form": form, "window": window, "is_open": window.is_open()},
        status=status,
    )


@never_cache
def objection(request, pk: int):
    session = _session(pk)
    if request.method != "POST":
        return _render(request, session, ObjectionForm(session=session))
    form = ObjectionForm(request.POST, session=session)
    ip = ratelimit.client_ip(request)
    try:
        enforce(action="objection_ip", subject=ip or "", session=session)
        require_open(session)
    except ValidationError as error:
        form.add_error(None, error.messages)
        return _render(request, session, form, status=429 if getattr(error, "retry_after", None) else 400)
    if not form.is_valid():
        return _render(request, session, form, status=400)
    filing = {k: form.cleaned_data[k] for k in ("entry", "name", "mobile", "reasons")}
    try:
        # Everything the filing would refuse is refused before the code is used up: a mistyped name must not
        # cost the objector another text message.
        services.objection_check(session=session, **filing)
    except ValidationError as error:
        apply_service_errors(form, error)
        return _render(request, session, form, status=400)
    outcome = participation.code_verify(
        session=session, mobile=filing["mobile"], code=form.cleaned_data["code"], purpose="objection", ip=ip
    )
    if not outcome.ok:
        form.add_error(outcome.field if outcome.field in form.fields else None, outcome.error)
        return _render(request, session, form, status=400)
    try:
        services.objection_file(session=session, mobile_verified=True, ip=ip, **filing)
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
    session = _session(pk)
    try:
        require_open(session)
        number = code_limits(request, session, request.POST.get("mobile", ""))
        sent = participation.code_request(
            session=session, mobile=number, purpose="objection", ip=ratelimit.client_ip(request)
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
        "n": code_minutes(),
    }
    if wants_json(request):
        return JsonResponse({"ok": True, "message": message, "mobile": sent.masked})
    messages.success(request, message)
    # Without script the whole form came with the request: show it again as typed, the code still to enter.
    kept = {k: v for k, v in request.POST.items() if k in ("name", "mobile", "entry", "reasons")}
    return _render(request, session, ObjectionForm(initial=kept, session=session))


# ---- the office ----------------------------------------------------------------------------------------------


def _office_page(request, session: Session, *, status: int = 200):
    return render(
        request,
        "notices/objections_office.html",
        {
            "session": session,
            "objections": selectors.notice_objections(session),
            "window": notice_window(session),
            "form": RespondForm(),
        },
        status=status,
    )


@login_required
def objections(request, pk: int):
    return _office_page(request, office_session(request, pk))


@login_required
@require_POST
def objection_respond(request, objection_id: int):
    if not is_office(request.user):
        raise PermissionDenied
    objection = get_object_or_404(
        Objection.objects.select_related("session"),
        pk=objection_id,
        session__federation_id__in=office_federation_ids(request.user),
    )
    form = RespondForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose a decision and write the response."))
        services.objection_respond(
            actor=request.user,
            objection=objection,
            upheld=form.cleaned_data["decision"] == "upheld",
            response=form.cleaned_data["response"],
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return _office_page(request, objection.session, status=400)
    messages.success(request, _("The response is recorded and shown on the public notice."))
    return redirect("notices:objections", pk=objection.session_id)
