"""What the expert desk puts on the workbench: for the office and a team lead, the cases waiting for want of
anyone on duty or past a service target; for a volunteer, the cases to take and their own open ones; for a park
office its park's open cases; for an enterprise contact its open problems and the resolved ones to rate.
Each of the desk's roles has its own workbench section (``expert``, ``park``, ``enterprise``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dajia.accounts.permissions import enterprise_contact_ids, park_office_ids
from dajia.desk import selectors
from dajia.desk.models import Case, Specialty, case_number
from dajia.workbench.registry import Group, Item, group

ITEM_FIELDS = ("pk", "description", "park__name", "specialty", "status")  # what an item prints


def _rows(cases):
    """The columns an item prints, as values: not the cases with their parks, enterprises and volunteers."""
    return cases.prefetch_related(None).values(*ITEM_FIELDS)


def _item(row: dict) -> Item:
    return Item(
        title=f"{case_number(row['pk'])} {row['description'][:30]}",
        url=reverse("desk:case_detail", args=[row["pk"]]),
        detail=f"{row['park__name']} · {Specialty(row['specialty']).label} · {Case.Status(row['status']).label}",
    )


def _queue(user) -> list[Group]:
    queue = _rows(selectors.lead_queue(user).order_by("created_at", "id"))
    return [
        group(
            "desk_flagged",
            _("Desk cases waiting or past target"),
            queue,
            _item,
            url=reverse("desk:home"),
            order=15,
        )
    ]


def office(user) -> list[Group]:
    return _queue(user)


def expert(user) -> list[Group]:
    groups: list[Group] = []
    volunteer = selectors.volunteer_of(user)
    cases = selectors.visible_cases(user)
    url = reverse("desk:home")
    if volunteer is not None:
        if selectors.led_park_ids(user):
            groups += _queue(user)
        to_take = _rows(
            cases.filter(status=Case.Status.NEW, assignments__isnull=True).order_by("created_at", "id")
        )
        mine = _rows(
            cases.filter(assignments__volunteer=volunteer, status__in=Case.OPEN).order_by("created_at", "id")
        )
        groups.append(group("desk_to_take", _("Desk cases to take"), to_take, _item, url=url, order=16))
        groups.append(group("desk_mine", _("My open desk cases"), mine, _item, url=url, order=17))
    return groups


def park(user) -> list[Group]:
    groups: list[Group] = []
    cases = selectors.visible_cases(user)
    url = reverse("desk:home")
    if park_office_ids(user):
        open_here = _rows(
            cases.filter(park_id__in=park_office_ids(user), status__in=Case.OPEN).order_by("created_at", "id")
        )
        groups.append(
            group("desk_park_open", _("Open cases of my park"), open_here, _item, url=url, order=18)
        )
    return groups


def enterprise(user) -> list[Group]:
    groups: list[Group] = []
    cases = selectors.visible_cases(user)
    url = reverse("desk:home")
    if enterprise_contact_ids(user):
        ours = cases.filter(kind=Case.Kind.ENTERPRISE, enterprise_id__in=enterprise_contact_ids(user))
        groups.append(
            group(
                "desk_ours_open",
                _("Our problems at the expert desk"),
                _rows(ours.filter(status__in=Case.OPEN).order_by("-created_at")),
                _item,
                url=url,
                order=19,
            )
        )
        to_rate = _rows(ours.filter(status__in=Case.RATEABLE, rating__isnull=True).order_by("-finished_at"))
        groups.append(
            group("desk_to_rate", _("Resolved problems to rate"), to_rate, _item, url=url, order=20)
        )
    return groups
