"""What an app contributes to the workbench (工作台), and how the workbench gathers it.

Each app may offer a ``workbench.py`` with one function per role it has waiting items for — ``office(user)``,
``chair(user)``, ``provider(user)``, ``worker(user)`` — each returning a list of :class:`Group`. The workbench
imports no app's models; an app (the expert desk next) joins by adding the module. A contribution answers in a
fixed number of queries (a count and the first rows), so the page's count does not grow with the records.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dajia.core.contributions import app_modules

ROLES = ("office", "chair", "provider", "expert", "park", "enterprise", "worker")
SHOWN = 5  # rows listed per group; the group links to the page with all of them


@dataclass(frozen=True)
class Item:
    title: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    count: int
    items: list[Item] = field(default_factory=list)
    url: str = ""
    order: int = 50


def group(key: str, label: str, queryset, item, *, url: str = "", order: int = 50) -> Group:
    """A group from a queryset of the waiting records: its count and the first rows turned into items. Fewer
    rows than asked for are all of them, and their number is the count: most groups are short or empty, and
    their count query is spared (a workbench of a dozen groups sends half the queries)."""
    rows = list(queryset[:SHOWN])
    return Group(
        key=key,
        label=str(label),
        count=len(rows) if len(rows) < SHOWN else queryset.count(),
        items=[item(row) for row in rows],
        url=url,
        order=order,
    )


def collect(role: str, user) -> list[Group]:
    if role not in ROLES:
        raise ValueError(role)
    groups: list[Group] = []
    for module in app_modules("workbench"):
        contribute = getattr(module, role, None)
        if contribute is not None:
            groups.extend(contribute(user))
    return sorted(groups, key=lambda g: (g.order, g.label))
