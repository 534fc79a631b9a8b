"""What the 公示 objections contribute to the workbench (objections the office has to answer) and to the
notifications (a new objection → the session's office; an answer → the objector, by SMS only, at the number
they verified: they have no account)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dajia.accounts.permissions import office_federation_ids
from dajia.notices.models import Objection
from dajia.notifications.services import notify, office_of
from dajia.workbench.registry import Group, Item, group

ITEM_FIELDS = ("session_id", "session__title", "entry__project__title", "filed_at")  # what an item prints


def _item(row: dict) -> Item:
    return Item(
        title=f"{row['session__title']} · {row['entry__project__title']}",
        url=reverse("notices:objections", args=[row["session_id"]]),
        detail=row["filed_at"].date().isoformat(),
    )


def office(user) -> list[Group]:
    pending = (
        Objection.objects.filter(
            status=Objection.Status.PENDING, session__federation_id__in=office_federation_ids(user)
        )
        .order_by("filed_at", "id")
        .values(*ITEM_FIELDS)
    )
    return [group("objections_to_answer", _("Objections to answer"), pending, _item, order=10)]


def notify_filed(objection: Objection) -> None:
    notify(
        event="objection_filed",
        key=f"objection_filed:{objection.pk}",
        text=_("A new objection to “%(project)s” in “%(session)s” waits for your answer."),
        params={"project": objection.entry.project.title[:20], "session": objection.session.title[:20]},
        url=reverse("notices:objections", args=[objection.session_id]),
        audience=office_of(objection.session.federation_id),
    )


def notify_answered(objection: Objection) -> None:
    if not objection.mobile_verified:
        return  # only a number proven by code is written to: an unverified one may be someone else's
    notify(
        event="objection_answered",
        key=f"objection_answered:{objection.pk}",
        text=_("The union office has answered your objection to “%(project)s”: %(status)s."),
        params={
            "project": objection.entry.project.title[:20],
            "status": Objection.Status(objection.status).label,
        },
        mobiles=[objection.mobile],
    )
