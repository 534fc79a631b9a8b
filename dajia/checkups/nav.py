"""The health checks' place in the menu, for everyone who has a role in them."""

from django.urls import reverse
from django.utils.translation import gettext as _

from dajia.checkups.selectors import visible_filter
from dajia.core.context_processors import NavItem


def items(request):
    if visible_filter(request.user) is None:
        return []
    return [NavItem(_("Legal health checks"), reverse("checkups:home"), 26)]
