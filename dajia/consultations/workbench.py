"""What consultations contribute to the workbench: the office's sessions coming up, and the sessions a person
(a union's chair on a panel) is to score in, through their own evaluator link."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dajia.accounts.permissions import office_federation_ids
from dajia.consultations.models import Evaluator, Session
from dajia.workbench.registry import Group, Item, group

COMING = (Session.State.DRAFT, Session.State.OPEN)


def _when(session: Session) -> str:
    return timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M")


def office(user) -> list[Group]:
    coming = Session.objects.filter(
        state__in=COMING,
        federation_id__in=office_federation_ids(user),
        starts_at__gte=timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0),
    ).order_by("starts_at", "id")
    return [
        group(
            "sessions_coming",
            _("Sessions coming"),
            coming,
            lambda s: Item(title=s.title, url=reverse("consultations:setup", args=[s.pk]), detail=_when(s)),
            url=reverse("consultations:session_list"),
            order=50,
        )
    ]


def chair(user) -> list[Group]:
    seats = (
        Evaluator.objects.filter(person__user_id=user.pk, session__state__in=COMING)
        .select_related("session")
        .order_by("session__starts_at", "id")
    )
    return [
        group(
            "sessions_to_score",
            _("Sessions to score in"),
            seats,
            lambda e: Item(
                title=e.session.title,
                url=reverse("consultations:evaluator_page", args=[e.token]),
                detail=_when(e.session),
            ),
            order=30,
        )
    ]
