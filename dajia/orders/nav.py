from django.urls import reverse
from django.utils.translation import gettext as _

from dajia.accounts.permissions import chair_union_ids, is_office, provider_ids
from dajia.core.context_processors import NavItem


def items(request):
    out = []
    user = request.user
    if chair_union_ids(user) or provider_ids(user):
        out.append(NavItem(_("Orders"), reverse("orders:list"), 30))
    if is_office(user):
        out.append(NavItem(_("Delivery"), reverse("orders:overview"), 45))
        out.append(NavItem(_("Union budgets"), reverse("orders:budgets"), 65))
    for pk in sorted(provider_ids(user))[:1]:
        out.append(NavItem(_("Track record"), reverse("orders:provider", args=[pk]), 25))
    return out
