"""What needs contribute to the workbench (needs the office has not yet taken up; a worker's own needs and the
answers to them; surveys a union's chair is asked to answer) and to the notifications (a need answered → the
person who raised it; a paper-imported need has no author and tells no one)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dajia.accounts.permissions import chair_union_ids, office_federation_ids
from dajia.needs.models import Need, NeedUpdate, Survey, SurveyInvite
from dajia.notifications.services import notify, users
from dajia.workbench.registry import Group, Item, group

ANSWERED = (Need.Status.ANSWERED, Need.Status.RESOLVED, Need.Status.DECLINED)


ITEM_FIELDS = ("pk", "text", "status", "created_at")  # what an item prints, read as values


def _item(row: dict) -> Item:
    return Item(
        title=row["text"][:40],
        url=reverse("needs:detail", args=[row["pk"]]),
        detail=f"{Need.Status(row['status']).label} · {row['created_at'].date().isoformat()}",
    )


def office(user) -> list[Group]:
    waiting = Need.objects.filter(
        status=Need.Status.RECEIVED, merged_into__isnull=True, federation_id__in=office_federation_ids(user)
    ).order_by("created_at", "id")
    waiting = waiting.values(*ITEM_FIELDS)
    return [group("needs_waiting", _("Needs waiting"), waiting, _item, url=reverse("needs:office"), order=30)]


def _invite_item(invite: SurveyInvite) -> Item:
    closes = invite.survey.closes_at.date().isoformat() if invite.survey.closes_at else ""
    return Item(title=invite.survey.title, url=reverse("needs:invite", args=[invite.pk]), detail=closes)


def chair(user) -> list[Group]:
    invites = (
        SurveyInvite.objects.filter(union_id__in=chair_union_ids(user), survey__state=Survey.State.OPEN)
        .select_related("survey")
        .order_by("survey__closes_at", "id")
    )
    return [group("surveys_to_answer", _("Surveys to answer"), invites, _invite_item, order=20)]


def worker(user) -> list[Group]:
    mine = (
        Need.objects.filter(author_id=user.pk, merged_into__isnull=True)
        .order_by("-updated_at", "-id")
        .values(*ITEM_FIELDS)
    )
    return [
        group(
            "needs_answered",
            _("Answers to my needs"),
            mine.filter(status__in=ANSWERED),
            _item,
            url=reverse("needs:mine"),
            order=10,
        ),
        group(
            "needs_open",
            _("My needs being handled"),
            mine.exclude(status__in=ANSWERED),
            _item,
            url=reverse("needs:mine"),
            order=11,
        ),
    ]


def notify_answered(update: NeedUpdate) -> None:
    need = update.need
    if update.status not in ANSWERED or not need.author_id:
        return
    notify(
        event="need_answered",
        key=f"need_answered:{update.pk}",
        text=_("The union office has answered your need (%(status)s): see Dajia, My needs."),
        params={"status": Need.Status(update.status).label},
        url=reverse("needs:detail", args=[need.pk]),
        audience=users(need.author_id),
        exclude_user_id=update.actor_id,
    )
