"""The big screen: public, counts only — never a name or a score before (or after) the reveal."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from dajia.consultations import services_console, services_sheets
from dajia.consultations.models import Session
from dajia.consultations.tests.test_services_support import full_scores, make_session
from dajia.live.bus import latest_event_id


@pytest.fixture
def live(office_user, federation, provider, other_provider, make_project):
    return make_session(
        actor=office_user,
        federation=federation,
        providers=[provider, other_provider],
        make_project=make_project,
    )


def test_screen_shows_stage_and_counts_without_names_or_scores(client, live, office_user):
    entry = live.entries.first()
    services_console.entry_stage(actor=office_user, entry=entry)
    result = services_sheets.sheet_submit(
        evaluator=live.evaluators.get(name="王芳"),
        entry=entry,
        scores=full_scores(live, ("27.5", "17.5", "22.5", "23.5")),
        submission_id="a",
    )
    for url in (
        reverse("consultations:screen", args=[live.pk]),
        reverse("consultations:screen_progress", args=[live.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert (
            entry.project.title in html
            and f'data-submitted="{entry.pk}">1<' in html
            and 'class="screen-of">/3<' in html
        )
        # The timer's ISO timestamps carry microseconds, which can spell any score by chance ("…23.545+08:00").
        shown = re.sub(r"\d{4}-\d\d-\d\dT[\d:.+-]+", "", html)
        for secret in ("王芳", "李强", "张敏", "27.5", "17.5", "22.5", "23.5", result.receipt):
            assert secret not in shown, secret
        for ev in live.evaluators.all():
            assert ev.token not in html
    assert "data-timer" in client.get(reverse("consultations:screen", args=[live.pk])).content.decode()


def test_screen_page_is_full_screen_and_listens(
    client, live, office_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the chair's first step is an event
        services_console.entry_stage(actor=office_user, entry=live.entries.first())
    html = client.get(reverse("consultations:screen", args=[live.pk])).content.decode()
    assert "site-header" not in html and "big-screen" in html
    assert "live/live.js" in html and f'data-channel="session-{live.pk}"' in html
    # Its client starts after the newest event the screen's state already shows (``live.pages``).
    assert f'data-live-since="{latest_event_id()}"' in html and latest_event_id() > 0
    assert reverse("consultations:screen_progress", args=[live.pk]) in html


def test_ranking_only_after_reveal(client, live):
    ranking = f"/sessions/{live.pk}/ranking/partial"
    assert (
        ranking not in client.get(reverse("consultations:screen_progress", args=[live.pk])).content.decode()
    )
    Session.objects.filter(pk=live.pk).update(state="revealed")
    assert ranking in client.get(reverse("consultations:screen_progress", args=[live.pk])).content.decode()


def test_unknown_session_is_404(client, db):
    assert client.get(reverse("consultations:screen", args=[999999])).status_code == 404


def test_screen_query_count_does_not_grow_with_projects(
    client, office_user, federation, provider, make_project, django_assert_max_num_queries
):
    small = make_session(
        actor=office_user,
        federation=federation,
        providers=[provider],
        make_project=make_project,
        title="小",
        projects=[make_project(provider, f"小项目{i}") for i in range(2)],
    )
    big = make_session(
        actor=office_user,
        federation=federation,
        providers=[provider],
        make_project=make_project,
        title="大",
        projects=[make_project(provider, f"大项目{i}") for i in range(8)],
    )
    with django_assert_max_num_queries(10) as few:
        client.get(reverse("consultations:screen_progress", args=[small.pk]))
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(reverse("consultations:screen_progress", args=[big.pk])).content.decode()
    assert html.count("screen-card-title") == 8


def test_screen_shows_the_join_qr_of_the_live_page(client, live):
    html = client.get(reverse("consultations:screen", args=[live.pk])).content.decode()
    assert reverse("participation:live_qr", args=[live.pk]) in html
    assert f"http://testserver{reverse('participation:live', args=[live.pk])}" in html
