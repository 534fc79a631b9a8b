from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from dajia.accounts.permissions import is_office, office_federation_ids
from dajia.core.inputs import query_page
from dajia.core.models import AuditLog
from dajia.menu.models import Category, ServiceProject
from dajia.orgs.models import Federation, Provider, Union


def home(request):
    published = ServiceProject.objects.published()
    stats = {
        "providers": Provider.objects.approved().count(),
        "projects": published.count(),
        "categories": Category.objects.active().count(),
        "unions": Union.objects.count(),
        "federations": Federation.objects.count(),
    }
    return render(request, "core/home.html", {"stats": stats})


@login_required
def audit_log(request):
    if not is_office(request.user):
        raise PermissionDenied
    entries = AuditLog.objects.for_office(
        office_federation_ids(request.user), everything=request.user.is_superuser
    ).select_related("actor")
    action = request.GET.get("action", "").strip()
    if action:
        entries = entries.filter(action__startswith=action)
    page = Paginator(entries, 50).get_page(query_page(request.GET))
    return render(request, "core/audit_log.html", {"page": page, "action": action})
