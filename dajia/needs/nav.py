from django.urls import reverse
from django.utils.translation import gettext as _

from dajia.accounts.permissions import chair_union_ids, is_office
from dajia.core.context_processors import NavItem


def items(request):
    out = [
        NavItem(_("Voice a need"), reverse("needs:list"), 5),
        NavItem(_("Demand ranking"), reverse("needs:ranking"), 15),
    ]
    if request.user.is_authenticated:
        out.append(NavItem(_("My needs"), reverse("needs:mine"), 16))
    if is_office(request.user):
        out.append(NavItem(_("Needs desk"), reverse("needs:office"), 25))
    if is_office(request.user) or chair_union_ids(request.user):
        out.append(NavItem(_("Needs surveys"), reverse("needs:survey_list"), 26))
    return out
