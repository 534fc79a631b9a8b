"""Navigation: each app may offer a ``nav.py`` with ``items(request) -> list[NavItem]``; the menu shows each
role only what it may do, grouped by domain so an office's long list stays readable on a phone. Also whether this
is a local trial (``local_trial``), for the pages that tell a demo's presenter how it differs from production."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from dajia.core.contributions import app_modules


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    order: int = 50
    section: str = ""


# (key, label, url prefixes that belong to it). An item names its section, or is placed by its address.
SECTIONS = [
    ("needs", _("Needs"), ("/needs/",)),
    ("menu", _("Services"), ("/menu/",)),
    ("sessions", _("Consultations"), ("/sessions/", "/participation/")),
    ("delivery", _("Agreements and delivery"), ("/agreements/", "/orders/")),
    ("experts", _("Expert desk"), ("/experts/",)),
    ("admin", _("Administration"), ("/orgs/", "/accounts/", "/audit/", "/menu/categories/")),
]


@dataclass
class NavSection:
    key: str
    label: str
    items: list[NavItem] = field(default_factory=list)


def _section_of(item: NavItem) -> str:
    if item.section:
        return item.section
    best, length = "", 0
    for key, _label, prefixes in SECTIONS:
        for prefix in prefixes:
            if item.url.startswith(prefix) and len(prefix) > length:
                best, length = key, len(prefix)
    return best


def _collect(request) -> list[NavItem]:
    items: list[NavItem] = []
    for module in app_modules("nav"):
        items.extend(module.items(request))
    return sorted(items, key=lambda i: (i.order, str(i.label)))


def group(items: list[NavItem]) -> list[NavSection]:
    sections = {key: NavSection(key, str(label)) for key, label, _p in SECTIONS}
    loose = NavSection("", "")
    for item in items:
        sections.get(_section_of(item), loose).items.append(item)
    out = [s for s in sections.values() if s.items]
    return ([loose] if loose.items else []) + out


def navigation(request):
    large = request.COOKIES.get("dajia_large_text") == "1"
    return {"nav_sections": group(_collect(request)), "large_text": large}


def trial(request):
    return {"local_trial": settings.DAJIA_LOCAL_TRIAL}
