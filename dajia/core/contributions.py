"""Finding what each Dajia app contributes to a shared page: the ``nav.py`` menu items, the ``workbench.py``
waiting items. One place walks the installed apps, so a page that gathers contributions imports no app's
models, and an app joins by adding the module."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from django.apps import apps


def app_modules(name: str) -> list[ModuleType]:
    """The ``<app>.<name>`` module of every installed Dajia app that has one, in INSTALLED_APPS order."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("dajia."):
            continue
        try:
            found.append(import_module(f"{config.name}.{name}"))
        except ModuleNotFoundError as error:
            # Only a missing contribution is skipped; a broken import inside one must surface.
            if error.name != f"{config.name}.{name}":
                raise
    return found
