from django.urls import reverse
from django.utils.translation import gettext as _

from dajia.accounts.permissions import is_office
from dajia.core.context_processors import NavItem


def items(request):
    if is_office(request.user):
        return [
            NavItem(_("Working-day calendar"), reverse("core:calendar"), 89),
            NavItem(_("Audit log"), reverse("core:audit_log"), 90),
        ]
    return []
