"""The SMS outbox (短信发件箱): under a local trial only, what the development sender would have sent.

Why: in a demo (``make run``) no text message leaves the machine — the codes are written to ``DAJIA_SMS_FILE``
(dajia/core/sms.py) — so without this page a demo stops at the viewer's verification. The office reads
the last messages, codes included, with the numbers masked. Outside a local trial the page does not exist (404):
in production codes go to the SMS gateway and nobody reads them here.
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.dateparse import parse_datetime

from dajia.accounts.permissions import is_office
from dajia.core import sms
from dajia.core.validators import mask_mobile

SHOWN = 50


def sms_outbox(request):
    outbox = sms.trial_outbox()
    if outbox is None:  # before the login check: in production the address answers 404 to everyone
        raise Http404
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not is_office(request.user):
        raise PermissionDenied
    rows = reversed(sms.read_file_outbox(outbox.path(), last=SHOWN))  # newest first
    sent = [
        {
            "at": parse_datetime(str(row.get("at", ""))),
            "mobile": mask_mobile(str(row.get("mobile", ""))),
            "text": str(row.get("text", "")),
        }
        for row in rows
        if isinstance(row, dict)
    ]
    return render(request, "participation/sms_outbox.html", {"sent": sent, "shown": SHOWN})
