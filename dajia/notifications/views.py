"""The inbox page: one's own messages, opening one (marks it read and goes to the page that acts on it), and
the SMS switch. The inbox is personal, so there is no export."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dajia.core.validators import mask_mobile
from dajia.notifications import selectors, services
from dajia.notifications.models import Message


@login_required
def inbox(request):
    return render(
        request,
        "notifications/inbox.html",
        {
            "inbox": selectors.inbox(request.user),
            "sms_enabled": selectors.sms_enabled(request.user),
            "mobile": mask_mobile(request.user.mobile) if request.user.mobile else "",
        },
    )


@login_required
@require_POST
def open_message(request, pk: int):
    try:
        message = services.message_open(actor=request.user, message_id=pk)
    except Message.DoesNotExist:
        raise Http404(_("No such message.")) from None
    target = message.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect("notifications:inbox")
    return redirect(target)


@login_required
@require_POST
def read_all(request):
    services.messages_read_all(actor=request.user)
    return redirect("notifications:inbox")


@login_required
@require_POST
def preference(request):
    enabled = request.POST.get("sms") == "on"
    services.sms_preference_set(actor=request.user, enabled=enabled)
    flash.success(
        request,
        _("Text messages are on.") if enabled else _("Text messages are off; the inbox still has them."),
    )
    return redirect("notifications:inbox")
