"""The lectures' pages: each answers its personas, "not yours" is 403 for a role the page is not for and 404 for
a lecture outside the user's scope, bad input is a 400 that keeps the form, the list's queries do not grow with
its rows, the export carries the attendance, and attendees' names are masked."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dajia.lectures import services
from dajia.lectures.models import Lecture, Topic
from dajia.lectures.tests.conftest import NOW, STARTS

pytestmark = pytest.mark.django_db


def _client(client, user):
    client.force_login(user)
    return client


def test_the_list_answers_each_persona(client, requested, office_user, park_office_user, chair_user):
    page = _client(client, office_user).get(reverse("lectures:home"))
    assert page.status_code == 200 and "劳动合同签订与解除" in page.content.decode()
    assert _client(client, park_office_user).get(reverse("lectures:home")).status_code == 200
    assert _client(client, chair_user).get(reverse("lectures:home")).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client, requested):
    response = client.get(reverse("lectures:detail", args=[requested.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    "persona,status",
    [
        ("office_user", 200),
        ("park_office_user", 200),
        ("lawyer", 200),  # the speaker
        ("lead", 200),
        ("other_office_user", 404),
        ("other_park_office_user", 404),
        ("other_contact_user", 404),
        ("far_lawyer", 404),
        ("chair_user", 403),
        ("provider_user", 403),
    ],
)
def test_a_lecture_is_shown_only_to_those_it_concerns(request, client, scheduled, persona, status):
    user = request.getfixturevalue(persona)
    user = getattr(user, "user", user)  # a volunteer persona logs in as its account
    _client(client, user)
    assert client.get(reverse("lectures:detail", args=[scheduled.pk])).status_code == status
    assert client.get(reverse("lectures:qr", args=[scheduled.pk])).status_code == status


def test_the_office_schedules_from_the_page_and_bad_input_is_a_400_that_keeps_it(
    client, requested, office_user, lawyer
):
    _client(client, office_user)
    url = reverse("lectures:schedule", args=[requested.pk])
    page = client.get(reverse("lectures:detail", args=[requested.pk])).content.decode()
    assert lawyer.user.display_name in page  # the speakers offered are the park's volunteers
    bad = client.post(
        url, {"starts_at": "2026-12-15T14:00", "place": "二楼", "capacity": "零", "speaker": lawyer.pk}
    )
    assert bad.status_code == 400 and 'value="二楼"' in bad.content.decode()
    requested.refresh_from_db()
    assert requested.status == "requested"
    good = client.post(
        url, {"starts_at": "2030-12-15T14:00", "place": "二楼", "capacity": "30", "speaker": lawyer.pk}
    )
    assert good.status_code == 302
    requested.refresh_from_db()
    assert (requested.status, requested.capacity) == ("scheduled", 30)


def test_who_sees_a_lecture_but_may_not_schedule_it_gets_403(client, requested, park_office_user, lawyer):
    _client(client, park_office_user)
    data = {"starts_at": "2030-12-15T14:00", "place": "二楼", "capacity": "30", "speaker": lawyer.pk}
    assert client.post(reverse("lectures:schedule", args=[requested.pk]), data).status_code == 403


def test_another_federation_cannot_act_on_a_lecture(client, requested, other_office_user):
    _client(client, other_office_user)
    for name in ("lectures:schedule", "lectures:deliver", "lectures:cancel"):
        assert client.post(reverse(name, args=[requested.pk]), {}).status_code == 404, name


def test_the_speaker_marks_it_delivered_and_a_park_office_may_not(
    client, scheduled, lawyer, park_office_user, monkeypatch
):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: STARTS)
    url = reverse("lectures:deliver", args=[scheduled.pk])
    assert _client(client, park_office_user).post(url).status_code == 403
    assert _client(client, lawyer.user).post(url).status_code == 302
    scheduled.refresh_from_db()
    assert scheduled.status == "delivered"
    again = client.post(url)
    assert again.status_code == 400


def test_cancelling_without_a_reason_is_a_400(client, requested, office_user):
    _client(client, office_user)
    url = reverse("lectures:cancel", args=[requested.pk])
    assert client.post(url, {"cancel-reason": ""}).status_code == 400
    assert client.post(url, {"cancel-reason": "讲师临时出差"}).status_code == 302
    requested.refresh_from_db()
    assert requested.status == "cancelled"


def test_a_park_office_requests_a_lecture_from_the_menu(
    client, park_office_user, park, topic, office_user, told
):
    _client(client, office_user)
    assert client.get(reverse("lectures:request")).status_code == 403  # the office does not request
    _client(client, park_office_user)
    url = reverse("lectures:request")
    assert topic.title in client.get(url).content.decode()
    bad = client.post(
        url, {"topic": topic.pk, "preferred_dates": "下周二", "place": "", "expected_audience": "40"}
    )
    assert bad.status_code == 400 and 'value="下周二"' in bad.content.decode()
    good = client.post(
        url,
        {"topic": topic.pk, "preferred_dates": "下周二", "place": "党群服务中心", "expected_audience": "40"},
    )
    assert good.status_code == 302
    assert Lecture.objects.get().park == park


def test_the_topic_menu_is_the_offices_to_edit(
    client, topic, office_user, other_office_user, park_office_user
):
    _client(client, park_office_user)
    assert topic.title in client.get(reverse("lectures:topics")).content.decode()
    assert client.post(reverse("lectures:topics"), {"title": "x"}).status_code == 403
    assert client.get(reverse("lectures:topic_edit", args=[topic.pk])).status_code == 403
    _client(client, other_office_user)
    assert client.get(reverse("lectures:topic_edit", args=[topic.pk])).status_code == 404
    _client(client, office_user)
    added = client.post(
        reverse("lectures:topics"),
        {"specialty": "finance", "title": "小微企业融资", "summary": "", "minutes": "90", "active": "on"},
    )
    assert added.status_code == 302
    bad = client.post(
        reverse("lectures:topic_edit", args=[topic.pk]),
        {"specialty": "lawyer", "title": "小微企业融资", "minutes": "90"},
    )
    assert bad.status_code == 400 and "已有" in bad.content.decode()
    assert Topic.objects.count() == 2


def test_attendees_are_listed_masked(client, scheduled, office_user):
    services.lecture_sign_in(
        lecture=scheduled, device="device-a-000000000000", name="王小红", union_name="潮鸣食品", now=STARTS
    )
    page = _client(client, office_user).get(reverse("lectures:detail", args=[scheduled.pk])).content.decode()
    assert "王＊红" in page and "王小红" not in page and 'data-attendance="1"' in page


def test_the_export_carries_the_attendance_and_is_the_offices(
    client, scheduled, office_user, park_office_user
):
    services.lecture_sign_in(
        lecture=scheduled, device="device-a-000000000000", name="王小红", union_name="潮鸣食品", now=STARTS
    )
    assert _client(client, park_office_user).get(reverse("lectures:export")).status_code == 403
    response = _client(client, office_user).get(reverse("lectures:export"))
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header, row = rows[0], rows[1]
    assert row[header.index("签到人数")] == 1
    assert row[header.index("主讲人")] == scheduled.speaker.user.display_name


def test_the_list_does_not_query_per_row(
    client, office_user, park_office_user, park, topic, lawyer, told, django_assert_max_num_queries
):
    def add(n):
        for _ in range(n):
            lecture = services.lecture_request(
                actor=park_office_user,
                topic=topic,
                park=park,
                preferred_dates="下周",
                place="园区",
                expected_audience=10,
                now=NOW,
            )
            services.lecture_schedule(
                actor=office_user,
                lecture=lecture,
                starts_at=STARTS,
                place="园区",
                capacity=10,
                speaker=lawyer,
                now=NOW,
            )

    _client(client, office_user)
    add(2)
    with django_assert_max_num_queries(12) as few:
        assert client.get(reverse("lectures:home")).status_code == 200
    add(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("lectures:home")).status_code == 200


def test_the_sign_in_page_of_a_lecture_not_yet_scheduled_says_so_and_refuses(client, requested):
    url = reverse("lectures:signin", args=[requested.signin_token])
    page = client.get(url)
    assert page.status_code == 200 and "尚未开放签到" in page.content.decode()
    refused = client.post(url, {"name": "王小红", "union_name": "潮鸣食品"})
    assert refused.status_code == 400 and 'value="王小红"' in refused.content.decode()
    assert client.get(reverse("lectures:signin", args=["no-such-token"])).status_code == 404
