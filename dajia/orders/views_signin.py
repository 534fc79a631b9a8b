"""The attendee's phone (no account): the sign-in page opened from the session's QR code, the sign-in and the
rating. The phone is known only by the server-issued device cookie (``dajia.core.devices``); a POST without
one is refused with the form kept, and each address has its attempts per session limited. The writes are
``services_signins``; this module only turns them into pages.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dajia.accounts.forms import apply_service_errors
from dajia.accounts.permissions import chair_union_ids
from dajia.core import devices
from dajia.orders import services_signins
from dajia.orders.forms import RatingForm, SignInForm
from dajia.orders.models import Attendance, Order, Rating


def _signin_context(request, order: Order, device: str) -> dict:
    now = timezone.now()
    opens, closes = order.signin_window()
    attendance = Attendance.objects.filter(order=order, device=device).first()
    rating = Rating.objects.filter(attendance=attendance).first() if attendance else None
    chair = order.union_id in chair_union_ids(request.user)
    chair_rating = Rating.objects.filter(order=order, role=Rating.Role.CHAIR).first() if chair else None
    can_rate = (
        order.state in services_signins.RATING_STATES
        and order.starts_at <= now <= order.ends_at + datetime.timedelta(days=services_signins.rating_days())
    )
    return {
        "order": order,
        "device": device,
        "attendance": attendance,
        "rating": rating,
        "opens": opens,
        "closes": closes,
        "window": "open" if opens <= now <= closes else ("early" if now < opens else "closed"),
        "signin_open": order.state in services_signins.SIGNIN_STATES,
        "form": SignInForm(),
        "rating_form": RatingForm(
            initial={"stars": str(rating.stars), "comment": rating.comment} if rating else None
        ),
        "chair": chair,
        "chair_rating": chair_rating,
        "chair_form": RatingForm(
            prefix="chair",
            initial={"stars": str(chair_rating.stars), "comment": chair_rating.comment}
            if chair_rating
            else None,
        ),
        "can_rate": can_rate,
    }


def _phone_response(request, order, device, new_device, *, status=200, **extra):
    response = render(
        request, "orders/signin.html", {**_signin_context(request, order, device), **extra}, status=status
    )
    if new_device:
        devices.issue(response, request, device)
    return response


def _phone_refused(request, order, *, form, key: str, status: int, message: str, retry_after: int = 0):
    """The sign-in page again with the attendee's input kept and ``message`` on the form. A phone without a
    valid device cookie gets one now, so opening the page again is all it takes."""
    form.add_error(None, message)
    device, new_device = devices.device_for_page(request)
    response = _phone_response(request, order, device, new_device, status=status, **{key: form})
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _phone_device(request, order, form, key: str, scope: str):
    """The phone's server-issued device id, or the refusal to answer with (``dajia.core.devices.phone_device``:
    no valid cookie; too many attempts from this address at ``scope``: sign-ins and ratings are counted apart)."""
    check = devices.phone_device(
        request, scope=f"order-{order.pk}-{scope}", capacity=order.agreement.capacity
    )
    if check.refused:
        return None, _phone_refused(
            request,
            order,
            form=form,
            key=key,
            status=check.status,
            retry_after=check.retry_after,
            message=check.message,
        )
    return check.device, None


def _phone_order(token: str) -> Order:
    return get_object_or_404(
        Order.objects.select_related("project__provider", "union", "agreement"), signin_token=token
    )


def signin(request, token: str):
    order = _phone_order(token)
    if request.method != "POST":
        device, new_device = devices.device_for_page(request)
        return _phone_response(request, order, device, new_device)
    form = SignInForm(request.POST)
    device, refused = _phone_device(request, order, form, "form", "signin")
    if refused:
        return refused
    if not form.is_valid():
        return _phone_response(request, order, device, False, status=400, form=form)
    try:
        _attendance, created = services_signins.attendance_sign_in(
            order=order, device=device, **form.cleaned_data
        )
    except ValidationError as e:
        apply_service_errors(form, e)
        return _phone_response(request, order, device, False, status=400, form=form)
    messages.success(
        request, _("You are signed in. Welcome!") if created else _("This phone has already signed in.")
    )
    return redirect("orders:signin", token=token)


@require_POST
def signin_rate(request, token: str):
    order = _phone_order(token)
    as_chair = request.POST.get("as_chair") == "1" and request.user.is_authenticated
    form = RatingForm(request.POST, prefix="chair" if as_chair else None)
    key = "chair_form" if as_chair else "rating_form"
    if as_chair:
        device, new_device = devices.device_for_page(request)
    else:
        device, refused = _phone_device(request, order, form, key, "rate")
        if refused:
            return refused
        new_device = False
    if not form.is_valid():
        return _phone_response(request, order, device, new_device, status=400, **{key: form})
    try:
        if as_chair:
            services_signins.rating_submit(order=order, actor=request.user, **form.cleaned_data)
        else:
            services_signins.rating_submit(order=order, device=device, **form.cleaned_data)
    except ValidationError as e:
        apply_service_errors(form, e)
        return _phone_response(request, order, device, new_device, status=400, **{key: form})
    messages.success(request, _("Thank you for your rating."))
    return redirect("orders:signin", token=token)
