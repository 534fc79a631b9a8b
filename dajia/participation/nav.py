from django.urls import reverse
from django.utils.translation import gettext as _

from dajia.accounts.permissions import is_office
from dajia.core import sms
from dajia.core.context_processors import NavItem


def items(request):
    out = [NavItem(_("Live sessions"), reverse("participation:index"), 32, section="sessions")]
    if is_office(request.user):
        out += [
            NavItem(_("Online participation"), reverse("participation:office"), 33, section="sessions"),
            NavItem(_("Sensitive words"), reverse("participation:words"), 34, section="sessions"),
            NavItem(_("Member roll"), reverse("participation:roll"), 35, section="sessions"),
        ]
        if sms.trial_outbox() is not None:  # a local trial whose codes are written, not sent
            out.append(NavItem(_("SMS outbox"), reverse("participation:sms_outbox"), 36, section="sessions"))
    return out
