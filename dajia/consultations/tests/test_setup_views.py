"""Office set-up pages: create/edit, rubric, invitations, panel, QR codes — and "not yours"."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from dajia.accounts.models import Person
from dajia.conftest import make_user
from dajia.consultations import services_roster, services_setup
from dajia.consultations.models import Criterion, Evaluator, Session, SessionProject
from dajia.consultations.tests.test_services_support import make_session


@pytest.fixture
def office(client, office_user):
    client.force_login(office_user)
    return client


def test_create_session_with_weights(office, federation):
    response = office.post(
        reverse("consultations:session_create"),
        {
            "title": "2021年下城区工会购买服务协商会",
            "starts_at": "2021-09-17T14:00",
            "venue": "区职工服务中心",
            "stream_url": "",
            "budget": "200000",
            "minimum_score": "60",
            "method": "trimmed",
            "trim_min": "5",
            "group_weights": "政协委员＝0.4\n基层工会主席=0.6\n",
        },
    )
    session = Session.objects.get()
    assert response.status_code == 302 and response.url == reverse("consultations:rubric", args=[session.pk])
    assert session.federation == federation and session.group_weights == {
        "政协委员": "0.4",
        "基层工会主席": "0.6",
    }


def test_create_session_bad_input_is_400_with_messages(office):
    response = office.post(
        reverse("consultations:session_create"),
        {
            "title": "会",
            "starts_at": "2021-09-17T14:00",
            "budget": "二十万",
            "minimum_score": "60",
            "method": "trimmed",
            "trim_min": "5",
            "group_weights": "政协委员 0.4",
        },
    )
    assert response.status_code == 400
    assert Session.objects.count() == 0
    assert "政协委员=0.4" in response.content.decode()


def test_rubric_prefills_the_seed_criteria(office, office_user, federation):
    session = services_setup.session_create(
        actor=office_user, federation=federation, title="会", starts_at=timezone.now(), budget="1"
    )
    page = office.get(reverse("consultations:rubric", args=[session.pk])).content.decode()
    for name in ("内容实用有效", "方式方法新颖", "成熟度吸引力", "受众接纳参与"):
        assert name in page
    data = {
        "c-TOTAL_FORMS": "3",
        "c-INITIAL_FORMS": "0",
        "c-MIN_NUM_FORMS": "0",
        "c-MAX_NUM_FORMS": "20",
        "c-0-name": "内容实用有效",
        "c-0-max_points": "60",
        "c-0-descriptors": "好\n差",
        "c-1-name": "受众接纳参与",
        "c-1-max_points": "40",
        "c-2-name": "",
        "c-2-max_points": "",
    }
    response = office.post(reverse("consultations:rubric", args=[session.pk]), data)
    assert response.status_code == 302
    assert list(Criterion.objects.filter(session=session).values_list("name", "max_points")) == [
        ("内容实用有效", Decimal("60")),
        ("受众接纳参与", Decimal("40")),
    ]
    data["c-1-max_points"] = "四十"
    response = office.post(reverse("consultations:rubric", args=[session.pk]), data)
    assert response.status_code == 400 and "受众接纳参与" in response.content.decode()


def test_invite_project_with_default_amount(office, draft, provider, make_project):
    project = make_project(provider, "新增的服务项目", price="1200.00", sessions_per_year=10)
    page = office.get(reverse("consultations:entries", args=[draft.pk])).content.decode()
    assert "新增的服务项目" in page
    response = office.post(
        reverse("consultations:entries", args=[draft.pk]), {"project": project.pk, "amount": ""}
    )
    assert response.status_code == 302
    assert SessionProject.objects.get(session=draft, project=project).amount == Decimal("12000.00")


def test_add_evaluators_from_people_with_groups(office, draft, federation):
    cppcc = Person.objects.create(name="周建华", kind="cppcc", federation=federation)
    chair = Person.objects.create(name="吴静", kind="chair", federation=federation, mobile="13800001111")
    Person.objects.create(name="专家甲", kind="expert", federation=federation)
    page = office.get(reverse("consultations:evaluators", args=[draft.pk])).content.decode()
    assert "周建华" in page and "专家甲" not in page
    response = office.post(
        reverse("consultations:evaluators", args=[draft.pk]),
        {
            "form": "people",
            "people": [cppcc.pk, chair.pk],
            "group_cppcc": "政协委员",
            "group_chair": "基层工会主席",
        },
    )
    assert response.status_code == 302
    assert dict(draft.evaluators.filter(person__isnull=False).values_list("name", "group")) == {
        "周建华": "政协委员",
        "吴静": "基层工会主席",
    }


def test_add_one_evaluator_and_errors(office, draft):
    response = office.post(
        reverse("consultations:evaluators", args=[draft.pk]),
        {"form": "one", "name": "王芳", "group": "政协委员", "mobile": ""},
    )
    assert response.status_code == 400 and "王芳" in response.content.decode()
    response = office.post(
        reverse("consultations:evaluators", args=[draft.pk]),
        {"form": "one", "name": "孙丽", "group": "政协委员", "mobile": "13912345678"},
    )
    assert response.status_code == 302 and draft.evaluators.filter(name="孙丽").exists()


def test_links_qr_and_sign_in_sheet(office, draft):
    ev = draft.evaluators.first()
    page = office.get(reverse("consultations:evaluators", args=[draft.pk])).content.decode()
    assert f"/sessions/e/{ev.token}/" in page
    qr = office.get(reverse("consultations:evaluator_qr", args=[draft.pk, ev.pk]))
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    sheet = office.get(reverse("consultations:signin_sheet", args=[draft.pk])).content.decode()
    assert sheet.count("<svg") == draft.evaluators.count()
    assert "127.0.0.1" in sheet or "localhost" in sheet  # the loopback warning: phones cannot open such links


def test_open_from_the_overview(office, draft):
    page = office.get(reverse("consultations:setup", args=[draft.pk])).content.decode()
    assert reverse("consultations:session_open", args=[draft.pk]) in page
    response = office.post(reverse("consultations:session_open", args=[draft.pk]))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == "open"


def test_frozen_edit_shows_field_error(office, draft, office_user):
    services_setup.session_open(actor=office_user, session=draft)
    response = office.post(
        reverse("consultations:session_edit", args=[draft.pk]),
        {
            "title": draft.title,
            "starts_at": "2020-09-18T14:00",
            "budget": "150000",
            "minimum_score": "60",
            "method": "median",
            "trim_min": "5",
            "group_weights": "政协委员=0.4\n基层工会主席=0.6",
        },
    )
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.method == "trimmed" and draft.budget == Decimal("200000")


OFFICE_PAGES = [
    "setup",
    "session_edit",
    "rubric",
    "entries",
    "evaluators",
    "signin_sheet",
    "chair",
    "chair_progress",
]


@pytest.mark.parametrize("name", OFFICE_PAGES)
def test_not_yours_pages(client, other_office_user, draft, name):
    client.force_login(other_office_user)
    assert client.get(reverse(f"consultations:{name}", args=[draft.pk])).status_code == 404


@pytest.mark.parametrize("name", OFFICE_PAGES)
def test_non_office_users_are_refused(client, chair_user, draft, name):
    client.force_login(chair_user)
    assert client.get(reverse(f"consultations:{name}", args=[draft.pk])).status_code == 403


def test_anonymous_is_sent_to_login(client, draft):
    response = client.get(reverse("consultations:setup", args=[draft.pk]))
    assert response.status_code == 302 and "/accounts/login" in response.url


def test_not_yours_writes(client, other_office_user, draft):
    client.force_login(other_office_user)
    entry = draft.entries.first()
    ev = draft.evaluators.first()
    for url in (
        reverse("consultations:session_open", args=[draft.pk]),
        reverse("consultations:entry_remove", args=[draft.pk, entry.pk]),
        reverse("consultations:evaluator_remove", args=[draft.pk, ev.pk]),
        reverse("consultations:evaluator_relink", args=[draft.pk, ev.pk]),
        reverse("consultations:window_open", args=[draft.pk, entry.pk]),
        reverse("consultations:session_close", args=[draft.pk]),
    ):
        assert client.post(url).status_code == 404, url
    assert client.get(reverse("consultations:evaluator_qr", args=[draft.pk, ev.pk])).status_code == 404
    draft.refresh_from_db()
    assert draft.state == "draft" and Evaluator.objects.get(pk=ev.pk).token == ev.token


def test_entry_of_another_session_is_404(office, draft, office_user, federation, provider, make_project):
    other = make_session(
        actor=office_user,
        federation=federation,
        providers=[provider],
        make_project=make_project,
        open_session=False,
        title="另一场",
        projects=[draft.entries.first().project],
    )
    foreign = other.entries.first()
    assert office.post(reverse("consultations:entry_remove", args=[draft.pk, foreign.pk])).status_code == 404


def test_session_list_query_count_does_not_grow(
    office, office_user, federation, django_assert_max_num_queries
):
    def add(n):
        for i in range(n):
            s = services_setup.session_create(
                actor=office_user,
                federation=federation,
                title=f"会{i}-{n}",
                starts_at=timezone.now(),
                budget="1",
            )
            services_roster.evaluator_add(actor=office_user, session=s, name="甲")

    add(2)
    with django_assert_max_num_queries(12) as few:
        assert office.get(reverse("consultations:session_list")).status_code == 200
    add(10)
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        page = office.get(reverse("consultations:session_list")).content.decode()
    assert page.count("/sessions/") >= 12
    assert len(many.captured_queries) == len(few.captured_queries)


def test_session_list_shows_only_own_federation(client, other_office_user, draft):
    client.force_login(other_office_user)
    assert draft.title not in client.get(reverse("consultations:session_list")).content.decode()
    other_chair = make_user("someone")
    client.force_login(other_chair)
    assert client.get(reverse("consultations:session_list")).status_code == 403
