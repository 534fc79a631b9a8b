"""Writes of the lectures: the office's topic menu, a request from a park office or an enterprise contact, the
schedule (by the office or the park team's lead, with a speaker who serves the park), delivery, cancelling with
a reason, and an attendee's QR sign-in. Each is one transaction with one audit entry; the requester hears when
the lecture is scheduled and the speaker when assigned (``dajia/lectures/notify.py``, the one notify service).

Sign-in is ``dajia.core.signins.sign_in``, the rule an order's session obeys too: this module passes it the
lecture's facts under the lecture's row lock.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dajia.accounts.permissions import enterprise_contact_ids, park_office_ids, require_office
from dajia.core import audit, signins
from dajia.core.inputs import clean_text, clean_whole
from dajia.desk.models import Specialty, Volunteer
from dajia.lectures import notify, selectors
from dajia.lectures.models import Lecture, LectureSignIn, Topic
from dajia.orgs.models import Enterprise, Park

TOPIC_FIELDS = ["specialty", "title", "summary", "minutes", "active"]
LECTURE_FIELDS = ["status", "starts_at", "capacity", "speaker", "place", "delivered_at", "cancel_reason"]


@transaction.atomic
def topic_save(
    *,
    actor,
    federation_id: int,
    specialty: str,
    title: str,
    summary: str = "",
    minutes,
    active: bool = True,
    topic: Topic | None = None,
) -> Topic:
    """The office adds a topic to its menu or edits one (``topic``); taking it off the menu keeps its lectures."""
    if topic is not None:
        topic = Topic.objects.select_for_update().get(pk=topic.pk)
        federation_id = topic.federation_id
    require_office(actor, federation_id)
    errors: dict[str, list[str]] = {}
    if specialty not in Specialty.values:
        errors["specialty"] = [_("Choose the specialty.")]
    try:
        title = clean_text(title, field="title", label=_("the title"), max_length=100, min_length=2)
    except ValidationError as e:
        errors.update(e.message_dict)
    try:
        summary = clean_text(
            summary, field="summary", label=_("the summary"), max_length=1000, required=False
        )
    except ValidationError as e:
        errors.update(e.message_dict)
    try:
        minutes = clean_whole(minutes, field="minutes", label=_("the length"), minimum=15, maximum=480)
    except ValidationError as e:
        errors.update(e.message_dict)
    if not errors and (
        Topic.objects.filter(federation_id=federation_id, title=title)
        .exclude(pk=topic.pk if topic else None)
        .exists()
    ):
        errors["title"] = [_("The menu already has a topic with this title.")]
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(topic, TOPIC_FIELDS) if topic else None
    topic = topic or Topic(federation_id=federation_id)
    topic.specialty, topic.title, topic.summary = specialty, title, summary
    topic.minutes, topic.active = minutes, bool(active)
    topic.save()
    audit.log(
        actor=actor,
        action="lectures.topic.save",
        obj=topic,
        before=before,
        after=audit.snapshot(topic, TOPIC_FIELDS),
        federation_id=federation_id,
    )
    return topic


def _requester_park(
    actor, *, park: Park | None, enterprise: Enterprise | None
) -> tuple[Park, Enterprise | None]:
    """The park a request is for: an enterprise contact asks for its own enterprise (in its park), a park
    office for its park; anyone else is refused."""
    if enterprise is not None:
        if enterprise.pk not in enterprise_contact_ids(actor):
            raise PermissionDenied(_("You may request lectures only for your own enterprise."))
        if enterprise.park_id is None:
            raise ValidationError({"enterprise": _("This enterprise is not in a park.")})
        return enterprise.park, enterprise
    if park is None or park.pk not in park_office_ids(actor):
        raise PermissionDenied(_("Only a park office or an enterprise contact may request a lecture."))
    return park, None


@transaction.atomic
def lecture_request(
    *,
    actor,
    topic: Topic,
    preferred_dates: str,
    place: str,
    expected_audience,
    park: Park | None = None,
    enterprise: Enterprise | None = None,
    now: datetime.datetime | None = None,
) -> Lecture:
    """A park office or an enterprise contact asks for a lecture from its federation's menu."""
    park, enterprise = _requester_park(actor, park=park, enterprise=enterprise)
    if topic.federation_id != park.federation_id or not topic.active:
        raise ValidationError({"topic": _("Choose a topic on this federation's menu.")})
    errors: dict[str, list[str]] = {}
    try:
        preferred_dates = clean_text(
            preferred_dates, field="preferred_dates", label=_("the preferred dates"), max_length=200
        )
    except ValidationError as e:
        errors.update(e.message_dict)
    try:
        place = clean_text(place, field="place", label=_("the place"), max_length=200)
    except ValidationError as e:
        errors.update(e.message_dict)
    try:
        expected_audience = clean_whole(
            expected_audience, field="expected_audience", label=_("the expected audience"), maximum=2000
        )
    except ValidationError as e:
        errors.update(e.message_dict)
    if errors:
        raise ValidationError(errors)
    lecture = Lecture.objects.create(
        federation_id=park.federation_id,
        park=park,
        enterprise=enterprise,
        topic=topic,
        requested_by=actor,
        preferred_dates=preferred_dates,
        place=place,
        expected_audience=expected_audience,
        created_at=now or timezone.now(),
    )
    audit.log(
        actor=actor,
        action="lectures.lecture.request",
        obj=lecture,
        after={
            **audit.snapshot(lecture, ["topic", "park", "enterprise", "place"]),
            "audience": expected_audience,
        },
        federation_id=lecture.federation_id,
    )
    notify.requested(lecture)
    return lecture


def _locked(lecture: Lecture) -> Lecture:
    return Lecture.objects.select_for_update().select_related("topic", "park").get(pk=lecture.pk)


def _require_scheduler(actor, lecture: Lecture) -> None:
    if not selectors.can_schedule(actor, lecture):
        raise PermissionDenied(_("Only the union office or the park team's lead may do this."))


@transaction.atomic
def lecture_schedule(
    *,
    actor,
    lecture: Lecture,
    starts_at: datetime.datetime,
    place: str,
    capacity,
    speaker: Volunteer,
    now: datetime.datetime | None = None,
) -> Lecture:
    """Fix (or move) the lecture's time, place, places and speaker. The speaker must serve the lecture's park;
    the requester is told of the schedule and a newly assigned speaker of the lecture."""
    lecture = _locked(lecture)
    _require_scheduler(actor, lecture)
    now = now or timezone.now()
    if lecture.status not in (Lecture.Status.REQUESTED, Lecture.Status.SCHEDULED):
        raise ValidationError(_("Only a requested or scheduled lecture can be scheduled."))
    errors: dict[str, list[str]] = {}
    if starts_at is None or starts_at <= now:
        errors["starts_at"] = [_("Choose a time in the future.")]
    try:
        place = clean_text(place, field="place", label=_("the place"), max_length=200)
    except ValidationError as e:
        errors.update(e.message_dict)
    try:
        capacity = clean_whole(capacity, field="capacity", label=_("the places"), maximum=2000)
    except ValidationError as e:
        errors.update(e.message_dict)
        capacity = None
    if capacity is not None:
        # A moved lecture keeps its sign-ins: its places may not drop below them.
        signed = LectureSignIn.objects.filter(lecture=lecture).count()
        if capacity < signed:
            errors["capacity"] = [_("%(n)s people have already signed in.") % {"n": signed}]
    if speaker is None or not selectors.speakers_for(lecture.park).filter(pk=speaker.pk).exists():
        errors["speaker"] = [_("Choose a volunteer who serves this park.")]
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(lecture, LECTURE_FIELDS)
    new_speaker = lecture.speaker_id != speaker.pk
    lecture.starts_at, lecture.place, lecture.capacity, lecture.speaker = starts_at, place, capacity, speaker
    lecture.status = Lecture.Status.SCHEDULED
    lecture.scheduled_by = actor
    lecture.save(update_fields=["starts_at", "place", "capacity", "speaker", "status", "scheduled_by"])
    audit.log(
        actor=actor,
        action="lectures.lecture.schedule",
        obj=lecture,
        before=before,
        after=audit.snapshot(lecture, LECTURE_FIELDS),
        federation_id=lecture.federation_id,
    )
    notify.scheduled(lecture)
    if new_speaker:
        notify.speaker_assigned(lecture)
    return lecture


@transaction.atomic
def lecture_deliver(*, actor, lecture: Lecture, now: datetime.datetime | None = None) -> Lecture:
    """The lecture was given: the office, the team lead or the speaker marks it, once it has started. It then
    counts in the ledger; its attendance is its sign-ins."""
    lecture = _locked(lecture)
    if not (selectors.can_schedule(actor, lecture) or selectors.is_speaker(actor, lecture)):
        raise PermissionDenied(_("Only the union office, the park team's lead or the speaker may do this."))
    now = now or timezone.now()
    if lecture.status != Lecture.Status.SCHEDULED:
        raise ValidationError(_("Only a scheduled lecture can be marked delivered."))
    if now < lecture.starts_at:
        raise ValidationError(_("A lecture can be marked delivered once it has started."))
    before = audit.snapshot(lecture, LECTURE_FIELDS)
    lecture.status, lecture.delivered_at = Lecture.Status.DELIVERED, now
    lecture.save(update_fields=["status", "delivered_at"])
    audit.log(
        actor=actor,
        action="lectures.lecture.deliver",
        obj=lecture,
        before=before,
        after={**audit.snapshot(lecture, LECTURE_FIELDS), "attendance": lecture.signins.count()},
        federation_id=lecture.federation_id,
    )
    return lecture


@transaction.atomic
def lecture_cancel(*, actor, lecture: Lecture, reason: str) -> Lecture:
    """Cancel a lecture not yet delivered, with a reason: the office or the team lead; the requester too while
    it is only requested. Everyone involved is told."""
    lecture = _locked(lecture)
    own_request = lecture.requested_by_id == actor.pk and lecture.status == Lecture.Status.REQUESTED
    if not (own_request or selectors.can_schedule(actor, lecture)):
        raise PermissionDenied(_("Only the union office or the park team's lead may do this."))
    if lecture.status not in (Lecture.Status.REQUESTED, Lecture.Status.SCHEDULED):
        raise ValidationError(_("A delivered or cancelled lecture cannot be cancelled."))
    reason = clean_text(reason, field="reason", label=_("the reason"), max_length=300, min_length=2)
    before = audit.snapshot(lecture, LECTURE_FIELDS)
    lecture.status, lecture.cancel_reason = Lecture.Status.CANCELLED, reason
    lecture.save(update_fields=["status", "cancel_reason"])
    audit.log(
        actor=actor,
        action="lectures.lecture.cancel",
        obj=lecture,
        before=before,
        after=audit.snapshot(lecture, LECTURE_FIELDS),
        federation_id=lecture.federation_id,
    )
    notify.cancelled(lecture)
    return lecture


# Sign-in is open for a scheduled lecture and stays open once it is marked delivered, within the window.
SIGNIN_STATES = (Lecture.Status.SCHEDULED, Lecture.Status.DELIVERED)


@transaction.atomic
def lecture_sign_in(
    *, lecture: Lecture, device: str, name: str, union_name: str, now: datetime.datetime | None = None
) -> tuple[LectureSignIn, bool]:
    """An attendee signs in from the lecture's QR code, under the one rule of ``dajia.core.signins`` (an
    order's session obeys it too): one per device, at most the lecture's places, within the window."""
    # The lecture's row lock serialises its sign-ins, so the count and the next seat are exact.
    lecture = _locked(lecture)
    opens, closes = lecture.signin_window() if lecture.starts_at else (None, None)
    gate = signins.Gate(
        open=lecture.status in SIGNIN_STATES,
        opens=opens,
        closes=closes,
        capacity=lecture.capacity or 0,
        federation_id=lecture.federation_id,
    )
    return signins.sign_in(
        model=LectureSignIn,
        parent={"lecture": lecture},
        gate=gate,
        device=device,
        name=name,
        union_name=union_name,
        action="lectures.signin.sign_in",
        now=now,
    )
