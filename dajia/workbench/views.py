"""The workbench page: where each person lands after login, one section per role they hold."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from dajia.workbench.selectors import SELECTORS, roles_of

TITLES = {
    "office": _("Union office"),
    "chair": _("Grassroots union"),
    "provider": _("Social organisation"),
    "expert": _("Expert desk: my cases"),
    "park": _("Expert desk: my park"),
    "enterprise": _("Expert desk: our problems"),
    "worker": _("My needs"),
}


@login_required
def home(request):
    sections = []
    for role in roles_of(request.user):
        groups = SELECTORS[role](request.user)
        sections.append(
            {
                "role": role,
                "title": TITLES[role],
                "groups": groups,
                # Groups with nothing waiting are one line, so a phone shows what waits first.
                "idle": [g for g in groups if not g.count],
                "waiting": sum(g.count for g in groups),
            }
        )
    return render(request, "workbench/home.html", {"sections": sections})
