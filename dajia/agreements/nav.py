from django.urls import reverse
from django.utils.translation import gettext as _

from dajia.accounts.permissions import is_office, provider_ids
from dajia.core.context_processors import NavItem


def items(request):
    out = []
    if is_office(request.user) or provider_ids(request.user):
        out.append(NavItem(_("Agreements"), reverse("agreements:list"), 40))
    if is_office(request.user):
        out.append(NavItem(_("Settlement"), reverse("agreements:settlement"), 60))
    return out
