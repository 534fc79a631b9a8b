from django.urls import reverse
from django.utils.translation import gettext as _

from dajia.accounts.permissions import chair_union_ids, is_office, provider_ids
from dajia.core.context_processors import NavItem


def items(request):
    user = request.user
    out = []
    if is_office(user):
        out.append(NavItem(_("Social organisations"), reverse("orgs:provider_list"), 30))
        out.append(NavItem(_("Grassroots unions"), reverse("orgs:union_list"), 40))
    for union_id in sorted(chair_union_ids(user)):
        out.append(NavItem(_("My union"), reverse("orgs:union_detail", args=[union_id]), 30))
    for pid in sorted(provider_ids(user)):
        out.append(NavItem(_("My organisation"), reverse("orgs:provider_edit", args=[pid]), 31))
    return out
