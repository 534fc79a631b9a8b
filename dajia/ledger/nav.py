"""The ledger's place in the menu, for those who have a ledger to read."""

from django.urls import reverse
from django.utils.translation import gettext as _

from dajia.core.context_processors import NavItem
from dajia.ledger.selectors import reader_scope


def items(request):
    return (
        [NavItem(_("Outcome ledger"), reverse("ledger:home"), 27, section="experts")]
        if reader_scope(request.user)
        else []
    )
