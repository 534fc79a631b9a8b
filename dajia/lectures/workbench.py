"""What the lectures put on the workbench: for the office and a park team's lead, the requests waiting to be
scheduled; for a speaker, their next lectures; for a park office and an enterprise contact, their requests
still open (requested or scheduled)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dajia.desk.selectors import led_park_ids, volunteer_of
from dajia.lectures import selectors
from dajia.lectures.models import Lecture
from dajia.workbench.registry import Group, Item, group

ITEM_FIELDS = ("pk", "topic__title", "park__name", "starts_at", "preferred_dates", "status")  # what it prints


def _item(row: dict) -> Item:
    when = (
        timezone.localtime(row["starts_at"]).strftime("%Y-%m-%d %H:%M")
        if row["starts_at"]
        else row["preferred_dates"]
    )
    return Item(
        title=row["topic__title"],
        url=reverse("lectures:detail", args=[row["pk"]]),
        detail=f"{row['park__name']} · {when} · {Lecture.Status(row['status']).label}",
    )


def _requests(user) -> Group:
    return group(
        "lectures_requested",
        _("Lecture requests to schedule"),
        selectors.open_requests(user).values(*ITEM_FIELDS),
        _item,
        url=reverse("lectures:home"),
        order=21,
    )


def office(user) -> list[Group]:
    return [_requests(user)]


def expert(user) -> list[Group]:
    groups: list[Group] = []
    volunteer = volunteer_of(user)
    if volunteer is None:
        return groups
    if led_park_ids(user):
        groups.append(_requests(user))
    groups.append(
        group(
            "lectures_mine",
            _("My next lectures"),
            selectors.next_lectures(volunteer, timezone.now()).values(*ITEM_FIELDS),
            _item,
            url=reverse("lectures:home"),
            order=22,
        )
    )
    return groups


def _ours(user, key: str) -> list[Group]:
    if not selectors.may_request(user):
        return []
    where = selectors.visible_filter(user)
    ours = (
        Lecture.objects.filter(where, status__in=[Lecture.Status.REQUESTED, Lecture.Status.SCHEDULED])
        .order_by("created_at", "id")
        .values(*ITEM_FIELDS)
    )
    return [group(key, _("Our lecture requests"), ours, _item, url=reverse("lectures:home"), order=23)]


def park(user) -> list[Group]:
    return _ours(user, "lectures_park")


def enterprise(user) -> list[Group]:
    return _ours(user, "lectures_enterprise")
