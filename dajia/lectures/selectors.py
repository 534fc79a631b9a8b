"""Reads of the lectures: who sees which lecture, who may schedule it, which volunteers may speak, the lists.

Visibility is one rule (:func:`visible_filter`): the office sees its federations' lectures; a team lead the
lectures of the parks they lead; a speaker the lectures they are to give; a park office its park's; an
enterprise contact the lectures its enterprise asked for. Scheduling (and cancelling) is for the office and the
park team's lead (:func:`can_schedule`).
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from dajia.accounts.models import Role
from dajia.accounts.permissions import (
    can_manage_federation,
    enterprise_contact_ids,
    is_office,
    office_federation_ids,
    park_office_ids,
)
from dajia.desk.models import Volunteer
from dajia.desk.selectors import led_park_ids, volunteer_of
from dajia.lectures.models import Lecture, Topic


def visible_filter(user) -> Q | None:
    """The lectures ``user`` may open; ``None`` when the user has no role the lectures serve (403)."""
    q = Q(pk__in=[])
    roles = False
    if is_office(user):
        q |= Q(federation_id__in=office_federation_ids(user))
        roles = True
    if led_park_ids(user):
        q |= Q(park_id__in=led_park_ids(user))
        roles = True
    volunteer = volunteer_of(user)
    if volunteer is not None:
        q |= Q(speaker=volunteer)
        roles = True
    if park_office_ids(user):
        q |= Q(park_id__in=park_office_ids(user))
        roles = True
    if enterprise_contact_ids(user):
        q |= Q(enterprise_id__in=enterprise_contact_ids(user))
        roles = True
    return q if roles else None


def on_lectures(user) -> bool:
    return visible_filter(user) is not None


def may_request(user) -> bool:
    return bool(park_office_ids(user) or enterprise_contact_ids(user))


def visible_lectures(user) -> QuerySet[Lecture]:
    where = visible_filter(user)
    if where is None:
        return Lecture.objects.none()
    return for_list(Lecture.objects.filter(where))


def for_list(queryset: QuerySet[Lecture]) -> QuerySet[Lecture]:
    """Lectures with what a list row shows, and their attendance, in one query."""
    return queryset.select_related("topic", "park", "enterprise", "speaker__user").annotate(
        attendance=Count("signins")
    )


def can_schedule(user, lecture: Lecture) -> bool:
    """Schedule, reschedule, cancel, mark delivered: the federation's office and the park team's lead."""
    return can_manage_federation(user, lecture.federation_id) or lecture.park_id in led_park_ids(user)


def is_speaker(user, lecture: Lecture) -> bool:
    volunteer = volunteer_of(user)
    return volunteer is not None and lecture.speaker_id == volunteer.pk


def speakers_for(park) -> QuerySet[Volunteer]:
    """The active volunteers of the park's federation who serve the park (their expert role rows)."""
    return (
        Volunteer.objects.filter(
            federation_id=park.federation_id,
            is_active=True,
            user__roles__role=Role.EXPERT,
            user__roles__park_id=park.pk,
        )
        .select_related("user")
        .distinct()
        .order_by("specialty", "pk")
    )


def menu(federation_ids, *, active_only: bool = True) -> QuerySet[Topic]:
    topics = Topic.objects.filter(federation_id__in=federation_ids)
    return topics.filter(active=True) if active_only else topics


def open_requests(user) -> QuerySet[Lecture]:
    """Requests waiting to be scheduled by this user (the office's federations, the parks the user leads)."""
    q = Q(pk__in=[])
    if is_office(user):
        q |= Q(federation_id__in=office_federation_ids(user))
    if led_park_ids(user):
        q |= Q(park_id__in=led_park_ids(user))
    return (
        Lecture.objects.filter(q, status=Lecture.Status.REQUESTED)
        .select_related("topic", "park")
        .order_by("created_at", "id")
    )


def next_lectures(volunteer: Volunteer, now) -> QuerySet[Lecture]:
    """The speaker's scheduled lectures still to come (or under way today)."""
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return (
        Lecture.objects.filter(speaker=volunteer, status=Lecture.Status.SCHEDULED, starts_at__gte=today)
        .select_related("topic", "park")
        .order_by("starts_at", "id")
    )
