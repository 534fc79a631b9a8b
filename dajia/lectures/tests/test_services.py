"""Every rule of the lectures' services: who may edit the menu, request, schedule, deliver and cancel; what a
schedule needs (a future time, places, a speaker serving the park); who is told; and the audit entry."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dajia.core.models import AuditLog
from dajia.lectures import services
from dajia.lectures.models import Lecture
from dajia.lectures.tests.conftest import NOW, STARTS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_messages")]


# ---- the menu -------------------------------------------------------------------------------------------------


def test_the_office_keeps_the_menu_and_nobody_else(
    office_user, other_office_user, park_office_user, federation
):
    topic = services.topic_save(
        actor=office_user, federation_id=federation.pk, specialty="tax", title="税收优惠政策", minutes="６０"
    )
    assert (topic.minutes, topic.active) == (60, True)  # full-width digits read by the one parser
    for stranger in (other_office_user, park_office_user):
        with pytest.raises(PermissionDenied):
            services.topic_save(
                actor=stranger, federation_id=federation.pk, specialty="tax", title="另一个", minutes=60
            )
    services.topic_save(
        actor=office_user,
        topic=topic,
        federation_id=federation.pk,
        specialty="tax",
        title="税收优惠政策",
        minutes=45,
        active=False,
    )
    topic.refresh_from_db()
    assert (topic.minutes, topic.active) == (45, False)
    assert AuditLog.objects.filter(action="lectures.topic.save").count() == 2


def test_a_topic_needs_a_specialty_a_unique_title_and_a_sensible_length(office_user, federation, topic):
    with pytest.raises(ValidationError) as error:
        services.topic_save(
            actor=office_user, federation_id=federation.pk, specialty="chef", title=topic.title, minutes="5"
        )
    assert set(error.value.message_dict) == {"specialty", "minutes"}
    with pytest.raises(ValidationError) as error:
        services.topic_save(
            actor=office_user, federation_id=federation.pk, specialty="lawyer", title=topic.title, minutes=90
        )
    assert "already" in error.value.message_dict["title"][0]


# ---- requests -------------------------------------------------------------------------------------------------


def test_a_park_office_requests_for_its_park_and_the_schedulers_are_told(requested, park, told, lead):
    assert (requested.status, requested.park, requested.enterprise) == ("requested", park, None)
    assert requested.federation_id == park.federation_id
    assert told[-1]["event"] == "lectures.lecture.requested"
    assert AuditLog.objects.filter(action="lectures.lecture.request", object_id=str(requested.pk)).exists()


def test_an_enterprise_contact_requests_for_its_own_enterprise_only(
    contact_user, enterprise, other_enterprise, topic, told
):
    lecture = services.lecture_request(
        actor=contact_user,
        topic=topic,
        enterprise=enterprise,
        preferred_dates="三月任一周四",
        place="公司会议室",
        expected_audience="25",
    )
    assert (lecture.enterprise, lecture.park) == (enterprise, enterprise.park)
    with pytest.raises(PermissionDenied):
        services.lecture_request(
            actor=contact_user,
            topic=topic,
            enterprise=other_enterprise,
            preferred_dates="三月",
            place="公司",
            expected_audience=25,
        )


def test_a_park_office_cannot_request_for_another_park_nor_anyone_without_the_role(
    park_office_user, other_park, office_user, topic, park
):
    for actor, where in ((park_office_user, other_park), (office_user, park)):
        with pytest.raises(PermissionDenied):
            services.lecture_request(
                actor=actor,
                topic=topic,
                park=where,
                preferred_dates="下周",
                place="园区",
                expected_audience=30,
            )


def test_a_request_needs_an_active_topic_of_its_federation_and_says_what_is_missing(
    park_office_user, park, topic, office_user, other_federation, told
):
    with pytest.raises(ValidationError) as error:
        services.lecture_request(
            actor=park_office_user,
            topic=topic,
            park=park,
            preferred_dates=" ",
            place="",
            expected_audience="x",
        )
    assert set(error.value.message_dict) == {"preferred_dates", "place", "expected_audience"}
    topic.active = False
    topic.save()
    with pytest.raises(ValidationError, match="menu"):
        services.lecture_request(
            actor=park_office_user,
            topic=topic,
            park=park,
            preferred_dates="下周",
            place="园区",
            expected_audience=3,
        )
    assert not Lecture.objects.exists()


# ---- scheduling -----------------------------------------------------------------------------------------------


def test_the_office_schedules_and_the_requester_and_the_speaker_are_told(
    scheduled, told, lawyer, park_office_user
):
    assert (scheduled.status, scheduled.capacity, scheduled.speaker) == ("scheduled", 30, lawyer)
    events = [c["event"] for c in told]
    assert events[-2:] == ["lectures.lecture.scheduled", "lectures.lecture.speaker"]
    assert told[-2]["params"]["when"] == "2026-12-15 14:00"
    assert AuditLog.objects.filter(action="lectures.lecture.schedule").count() == 1


def test_the_team_lead_schedules_a_request_of_their_park(requested, lead, lawyer, told):
    lecture = services.lecture_schedule(
        actor=lead.user,
        lecture=requested,
        starts_at=STARTS,
        place="园区",
        capacity=20,
        speaker=lawyer,
        now=NOW,
    )
    assert lecture.scheduled_by == lead.user


def test_a_reschedule_with_the_same_speaker_does_not_tell_the_speaker_again(
    scheduled, office_user, lawyer, told
):
    before = len(told)
    services.lecture_schedule(
        actor=office_user,
        lecture=scheduled,
        starts_at=STARTS + datetime.timedelta(days=1),
        place="园区",
        capacity=30,
        speaker=lawyer,
        now=NOW,
    )
    assert [c["event"] for c in told[before:]] == ["lectures.lecture.scheduled"]


def test_only_the_office_and_the_lead_schedule(requested, lawyer, park_office_user, other_office_user, told):
    for actor in (park_office_user, lawyer.user, other_office_user):
        with pytest.raises(PermissionDenied):
            services.lecture_schedule(
                actor=actor,
                lecture=requested,
                starts_at=STARTS,
                place="园区",
                capacity=20,
                speaker=lawyer,
                now=NOW,
            )


def test_a_schedule_needs_the_future_places_and_a_speaker_serving_the_park(
    requested, office_user, far_lawyer, told
):
    with pytest.raises(ValidationError) as error:
        services.lecture_schedule(
            actor=office_user,
            lecture=requested,
            starts_at=NOW - datetime.timedelta(hours=1),
            place="园区",
            capacity="0",
            speaker=far_lawyer,  # serves the other park
            now=NOW,
        )
    assert set(error.value.message_dict) == {"starts_at", "capacity", "speaker"}
    requested.refresh_from_db()
    assert requested.status == "requested"


def test_places_cannot_go_below_those_already_signed_in(scheduled, office_user, lawyer, during_lecture):
    for i in range(3):
        services.lecture_sign_in(lecture=scheduled, device=f"device-{i:020d}", name="李四", union_name="x")
    with pytest.raises(ValidationError) as error:
        services.lecture_schedule(
            actor=office_user,
            lecture=scheduled,
            starts_at=STARTS + datetime.timedelta(hours=1),
            place="园区",
            capacity=2,
            speaker=lawyer,
            now=NOW,
        )
    assert "3" in error.value.message_dict["capacity"][0]


# ---- delivery and cancelling ------------------------------------------------------------------------------------


def test_the_speaker_marks_it_delivered_once_it_has_started(scheduled, lawyer, other_lawyer_user):
    with pytest.raises(ValidationError, match="started"):
        services.lecture_deliver(
            actor=lawyer.user, lecture=scheduled, now=STARTS - datetime.timedelta(minutes=1)
        )
    with pytest.raises(PermissionDenied):
        services.lecture_deliver(actor=other_lawyer_user, lecture=scheduled, now=STARTS)
    moment = STARTS + datetime.timedelta(minutes=90)
    lecture = services.lecture_deliver(actor=lawyer.user, lecture=scheduled, now=moment)
    assert (lecture.status, lecture.delivered_at, lecture.hours) == ("delivered", moment, 1.5)
    with pytest.raises(ValidationError, match="scheduled"):
        services.lecture_deliver(actor=lawyer.user, lecture=lecture, now=moment)


def test_a_requested_lecture_cannot_be_delivered(requested, office_user):
    with pytest.raises(ValidationError):
        services.lecture_deliver(actor=office_user, lecture=requested, now=NOW)


def test_cancelling_needs_a_reason_and_tells_those_involved(scheduled, office_user, told, lawyer):
    with pytest.raises(ValidationError):
        services.lecture_cancel(actor=office_user, lecture=scheduled, reason=" ")
    lecture = services.lecture_cancel(actor=office_user, lecture=scheduled, reason="场地临时征用")
    assert (lecture.status, lecture.cancel_reason) == ("cancelled", "场地临时征用")
    assert told[-1]["event"] == "lectures.lecture.cancelled"
    with pytest.raises(ValidationError):
        services.lecture_cancel(actor=office_user, lecture=lecture, reason="再次")


def test_the_requester_may_withdraw_a_request_but_not_a_scheduled_lecture(
    requested, park_office_user, other_park_office_user, office_user, lawyer, told
):
    with pytest.raises(PermissionDenied):
        services.lecture_cancel(actor=other_park_office_user, lecture=requested, reason="不需要了")
    services.lecture_schedule(
        actor=office_user,
        lecture=requested,
        starts_at=STARTS,
        place="园区",
        capacity=20,
        speaker=lawyer,
        now=NOW,
    )
    with pytest.raises(PermissionDenied):
        services.lecture_cancel(actor=park_office_user, lecture=requested, reason="不需要了")


def test_a_delivered_lecture_cannot_be_cancelled(scheduled, office_user):
    services.lecture_deliver(actor=office_user, lecture=scheduled, now=STARTS)
    with pytest.raises(ValidationError):
        services.lecture_cancel(actor=office_user, lecture=scheduled, reason="取消")


# ---- sign-in specific to a lecture (the shared rules: test_signins_shared.py) --------------------------------


def test_a_requested_or_cancelled_lecture_takes_no_sign_in(requested, office_user):
    with pytest.raises(ValidationError, match="not open"):
        services.lecture_sign_in(
            lecture=requested, device="device-a-000000000000", name="李四", union_name="x"
        )
    services.lecture_cancel(actor=office_user, lecture=requested, reason="取消")
    with pytest.raises(ValidationError, match="not open"):
        services.lecture_sign_in(
            lecture=requested, device="device-a-000000000000", name="李四", union_name="x"
        )


def test_sign_in_opens_thirty_minutes_before_and_closes_after_the_end(scheduled):
    device = "device-a-000000000000"
    with pytest.raises(ValidationError, match="opens"):
        services.lecture_sign_in(
            lecture=scheduled,
            device=device,
            name="李四",
            union_name="x",
            now=STARTS - datetime.timedelta(minutes=31),
        )
    with pytest.raises(ValidationError, match="closed"):
        services.lecture_sign_in(
            lecture=scheduled,
            device=device,
            name="李四",
            union_name="x",
            now=STARTS + datetime.timedelta(hours=4),
        )
    signin, created = services.lecture_sign_in(
        lecture=scheduled,
        device=device,
        name="李四",
        union_name="x",
        now=STARTS - datetime.timedelta(minutes=30),
    )
    assert created and signin.seat == 1
    assert AuditLog.objects.filter(action="lectures.signin.sign_in").get().actor_label.endswith("李＊")


@pytest.fixture
def other_lawyer_user(other_lawyer):
    return other_lawyer.user


@pytest.fixture
def other_lawyer(federation, park):
    from dajia.desk.tests.conftest import make_volunteer

    return make_volunteer("lawyer2", federation=federation, parks=[park])
