"""The attendee's phone at a lecture (no account): the sign-in page opened from the lecture's QR code. The phone
is known only by the server-issued device cookie and each address's attempts are limited
(``dajia.core.devices``, the same cookie and limit as an order's session); the write is
``services.lecture_sign_in``, which applies the one sign-in rule of ``dajia.core.signins``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from dajia.accounts.forms import apply_service_errors
from dajia.core import devices
from dajia.lectures import services
from dajia.lectures.forms import SignInForm
from dajia.lectures.models import Lecture, LectureSignIn


def _page(request, lecture: Lecture, device: str, new_device: bool, *, status: int = 200, form=None):
    now = timezone.now()
    live = lecture.status in services.SIGNIN_STATES
    opens, closes = lecture.signin_window() if lecture.starts_at else (None, None)
    context = {
        "lecture": lecture,
        "signin": LectureSignIn.objects.filter(lecture=lecture, device=device).first(),
        "signin_open": live,
        "opens": opens,
        "closes": closes,
        "window": ("open" if opens <= now <= closes else ("early" if now < opens else "closed"))
        if live
        else "",
        "form": form or SignInForm(),
    }
    response = render(request, "lectures/signin.html", context, status=status)
    if new_device:
        devices.issue(response, request, device)
    return response


def signin(request, token: str):
    lecture = get_object_or_404(
        Lecture.objects.select_related("topic", "park", "speaker__user"), signin_token=token
    )
    if request.method != "POST":
        device, new_device = devices.device_for_page(request)
        return _page(request, lecture, device, new_device)
    form = SignInForm(request.POST)
    check = devices.phone_device(
        request, scope=f"lecture-{lecture.pk}-signin", capacity=lecture.capacity or 0
    )
    if check.refused:
        # The input is kept; a phone without a valid cookie gets one now, so sending again is all it takes.
        form.is_valid()
        form.add_error(None, check.message)
        device, new_device = devices.device_for_page(request)
        response = _page(request, lecture, device, new_device, status=check.status, form=form)
        if check.retry_after:
            response["Retry-After"] = str(check.retry_after)
        return response
    if not form.is_valid():
        return _page(request, lecture, check.device, False, status=400, form=form)
    try:
        _signin, created = services.lecture_sign_in(lecture=lecture, device=check.device, **form.cleaned_data)
    except ValidationError as e:
        apply_service_errors(form, e)
        return _page(request, lecture, check.device, False, status=400, form=form)
    messages.success(
        request, _("You are signed in. Welcome!") if created else _("This phone has already signed in.")
    )
    return redirect("lectures:signin", token=token)
