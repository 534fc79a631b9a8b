from django.urls import reverse
from django.utils.translation import gettext as _

from dajia.accounts.permissions import is_office, provider_ids
from dajia.core.context_processors import NavItem


def items(request):
    out = [NavItem(_("Service menu"), reverse("menu:list"), 10)]
    if provider_ids(request.user):
        out.append(NavItem(_("My projects"), reverse("menu:workspace"), 20))
    if is_office(request.user):
        out.append(NavItem(_("Review queue"), reverse("menu:review_queue"), 20))
        out.append(NavItem(_("Categories"), reverse("menu:category_list"), 70))
    return out
