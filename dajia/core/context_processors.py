"""Navigation: each app may offer a ``nav.py`` with ``items(request) -> list[NavItem]``; the menu shows each
role only what it may do."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from django.apps import apps


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    order: int = 50


def _collect(request) -> list[NavItem]:
    items: list[NavItem] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("dajia."):
            continue
        try:
            module = import_module(f"{config.name}.nav")
        except ModuleNotFoundError as e:
            if e.name != f"{config.name}.nav":
                raise
            continue
        items.extend(module.items(request))
    return sorted(items, key=lambda i: (i.order, i.label))


def navigation(request):
    large = request.COOKIES.get("dajia_large_text") == "1"
    return {"nav_items": _collect(request), "large_text": large}
