from django.urls import reverse
from django.utils.translation import gettext as _

from dajia.accounts.permissions import is_office
from dajia.core.context_processors import NavItem


def items(request):
    if is_office(request.user):
        return [NavItem(_("Consultation sessions"), reverse("consultations:session_list"), 30)]
    return []
