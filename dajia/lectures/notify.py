"""What the lectures tell whom, in one place, through the one notify service (``dajia.notifications``): the
office and the team lead of a new request, the requester when the lecture is scheduled or cancelled, the
speaker when assigned. Keys make each message once-only (a reschedule to a new time is a new message)."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dajia.accounts.models import Role
from dajia.lectures.models import Lecture


def _send(**kwargs) -> None:
    from dajia.notifications.services import notify

    notify(**kwargs)


def _url(lecture: Lecture) -> str:
    return reverse("lectures:detail", args=[lecture.pk])


def _when(lecture: Lecture) -> str:
    return timezone.localtime(lecture.starts_at).strftime("%Y-%m-%d %H:%M") if lecture.starts_at else ""


def _schedulers(lecture: Lecture) -> Q:
    audience = Q(roles__role=Role.OFFICE, roles__federation_id=lecture.federation_id)
    team = getattr(lecture.park, "team", None)
    if team is not None and team.lead_id:
        audience |= Q(volunteer__pk=team.lead_id)
    return audience


def requested(lecture: Lecture) -> None:
    _send(
        event="lectures.lecture.requested",
        key=f"lecture-{lecture.pk}-requested",
        text=_("A lecture “%(topic)s” was requested at %(park)s."),
        params={"topic": lecture.topic.title, "park": lecture.park.name},
        url=_url(lecture),
        audience=_schedulers(lecture),
        exclude_user_id=lecture.requested_by_id,
    )


def scheduled(lecture: Lecture) -> None:
    _send(
        event="lectures.lecture.scheduled",
        key=f"lecture-{lecture.pk}-scheduled-{_when(lecture)}",
        text=_("Your lecture “%(topic)s” is scheduled for %(when)s at %(place)s."),
        params={"topic": lecture.topic.title, "when": _when(lecture), "place": lecture.place},
        url=_url(lecture),
        audience=Q(pk=lecture.requested_by_id),
    )


def speaker_assigned(lecture: Lecture) -> None:
    _send(
        event="lectures.lecture.speaker",
        key=f"lecture-{lecture.pk}-speaker-{lecture.speaker_id}",
        text=_("You are to give the lecture “%(topic)s” at %(park)s on %(when)s."),
        params={"topic": lecture.topic.title, "park": lecture.park.name, "when": _when(lecture)},
        url=_url(lecture),
        audience=Q(volunteer__pk=lecture.speaker_id),
    )


def cancelled(lecture: Lecture) -> None:
    audience = Q(pk=lecture.requested_by_id)
    if lecture.speaker_id:
        audience |= Q(volunteer__pk=lecture.speaker_id)
    _send(
        event="lectures.lecture.cancelled",
        key=f"lecture-{lecture.pk}-cancelled",
        text=_("The lecture “%(topic)s” at %(park)s was cancelled: %(reason)s"),
        params={"topic": lecture.topic.title, "park": lecture.park.name, "reason": lecture.cancel_reason},
        url=_url(lecture),
        audience=audience,
    )
