"""The desk's place in the menu, for everyone who has one there."""

from django.urls import reverse
from django.utils.translation import gettext as _

from dajia.core.context_processors import NavItem
from dajia.desk.selectors import on_desk


def items(request):
    return [NavItem(_("Expert desk"), reverse("desk:home"), 25)] if on_desk(request.user) else []
