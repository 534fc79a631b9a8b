"""The ledger on the workbench: the office, a park office and a volunteer reach their ledger (and a volunteer
their certificate) from their section. Nothing waits in a ledger, so the group counts 0 and shows as a link
on the section's "nothing waiting" line, at no query."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dajia.desk.selectors import volunteer_of
from dajia.workbench.registry import Group


def _ledger() -> list[Group]:
    return [
        Group(key="ledger", label=str(_("Outcome ledger")), count=0, url=reverse("ledger:home"), order=90)
    ]


def office(user) -> list[Group]:
    return _ledger()


def park(user) -> list[Group]:
    return _ledger()


def expert(user) -> list[Group]:
    return _ledger() if volunteer_of(user) is not None else []
