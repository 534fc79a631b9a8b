"""The bank team's list in the menu, for the bank team and the office."""

from django.urls import reverse
from django.utils.translation import gettext as _

from dajia.core.context_processors import NavItem
from dajia.finance.selectors import file_scope


def items(request):
    if file_scope(request.user) is None:
        return []
    return [NavItem(_("Finance files"), reverse("finance:home"), 26, section="experts")]
