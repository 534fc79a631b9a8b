"""The chair's console: stage, windows, progress with the names of who is missing (office only)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dajia.consultations import services_console, services_sheets
from dajia.consultations.tests.test_services_support import full_scores, make_session
from dajia.live.bus import latest_event_id


@pytest.fixture
def live(office_user, federation, provider, other_provider, make_project):
    return make_session(
        actor=office_user,
        federation=federation,
        providers=[provider, other_provider],
        make_project=make_project,
        open_windows=False,
    )


@pytest.fixture
def office(client, office_user):
    client.force_login(office_user)
    return client


def test_console_runs_a_project(office, live):
    entry = live.entries.first()
    page = office.get(reverse("consultations:chair", args=[live.pk])).content.decode()
    assert (
        entry.project.title in page and reverse("consultations:window_open", args=[live.pk, entry.pk]) in page
    )
    assert office.post(reverse("consultations:entry_stage", args=[live.pk, entry.pk])).status_code == 302
    response = office.post(
        reverse("consultations:window_open", args=[live.pk, entry.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-timer" in html and "王芳" in html and "0</strong> / 3" in html
    entry.refresh_from_db()
    assert entry.window == "scoring"


def test_the_console_follows_the_session_from_the_newest_event_it_shows(
    office, live, office_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services_console.entry_stage(actor=office_user, entry=live.entries.first())
    html = office.get(reverse("consultations:chair", args=[live.pk])).content.decode()
    assert f'data-channel="session-{live.pk}"' in html and "live/live.js" in html
    assert f'data-live-since="{latest_event_id()}"' in html and latest_event_id() > 0


def test_missing_names_shrink_as_sheets_arrive(office, live, office_user):
    entry = live.entries.first()
    services_console.window_open(actor=office_user, entry=entry)
    services_sheets.sheet_submit(
        evaluator=live.evaluators.get(name="王芳"), entry=entry, scores=full_scores(live), submission_id="a"
    )
    services_sheets.conflict_declare(evaluator=live.evaluators.get(name="张敏"), entry=entry)
    html = office.get(reverse("consultations:chair_progress", args=[live.pk])).content.decode()
    row = html[html.index(f'id="entry-{entry.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "1</strong> / 2" in row
    missing = row[row.index('class="missing"') :]
    assert "李强" in missing and "王芳" not in missing.split("<br>")[0]
    assert "张敏" in missing  # listed as having declared a conflict


def test_window_errors_are_reported(office, live, office_user):
    entry = live.entries.first()
    response = office.post(
        reverse("consultations:window_close", args=[live.pk, entry.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400 and "errorlist" in response.content.decode()


def test_close_session_needs_every_window_closed(office, live, office_user):
    response = office.post(reverse("consultations:session_close", args=[live.pk]), follow=True)
    live.refresh_from_db()
    assert live.state == "open" and "errorlist" not in response.content.decode()
    assert any("first" in str(m) or "先" in str(m) for m in response.context["messages"])
    for entry in live.entries.all():
        services_console.window_open(actor=office_user, entry=entry)
        services_console.window_close(actor=office_user, entry=entry)
    office.post(reverse("consultations:session_close", args=[live.pk]))
    live.refresh_from_db()
    assert live.state == "closed"
    page = office.get(reverse("consultations:chair", args=[live.pk])).content.decode()
    assert f"/sessions/{live.pk}/results/" in page


def test_chair_actions_not_yours(client, other_office_user, live):
    client.force_login(other_office_user)
    entry = live.entries.first()
    for name in ("entry_stage", "window_open", "window_close"):
        assert client.post(reverse(f"consultations:{name}", args=[live.pk, entry.pk])).status_code == 404
    entry.refresh_from_db()
    assert entry.window == "waiting"


def _button_of_form(html: str, action: str) -> str:
    """The submit button of the form posting to ``action`` (the console's markup, as the browser gets it)."""
    form = html[html.index(f'action="{action}"') :]
    form = form[: form.index("</form>")]
    return form[form.index("<button") : form.index("</button>")]


def test_closing_a_scoring_window_or_the_session_asks_for_confirmation(office, live, office_user):
    first = live.entries.order_by("position").first()
    services_console.window_open(actor=office_user, entry=first)
    html = office.get(reverse("consultations:chair_progress", args=[live.pk])).content.decode()
    button = _button_of_form(html, reverse("consultations:window_close", args=[live.pk, first.pk]))
    # No sheet is in yet: the question says how many are missing.
    assert "data-confirm=" in button and "只收到 0 份" in button
    for entry in live.entries.all():
        if entry.window == "waiting":
            services_console.window_open(actor=office_user, entry=entry)
        services_console.window_close(actor=office_user, entry=entry)
    html = office.get(reverse("consultations:chair", args=[live.pk])).content.decode()
    button = _button_of_form(html, reverse("consultations:session_close", args=[live.pk]))
    assert "data-confirm=" in button and "disabled" not in button
