"""The lectures' place in the menu, for everyone the lectures serve."""

from django.urls import reverse
from django.utils.translation import gettext as _

from dajia.core.context_processors import NavItem
from dajia.lectures.selectors import on_lectures


def items(request):
    return [NavItem(_("Lectures"), reverse("lectures:home"), 26)] if on_lectures(request.user) else []
