"""The audience index (网络人气): one selector; the live page, the big screen, the results page, the API and the
export show the same figures; supports never change a panel score; the counters never aggregate on a read."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.test import Client
from openpyxl import load_workbook

from dajia.consultations import services_console, services_results, services_sheets
from dajia.consultations.results import result_data, session_tally
from dajia.consultations.tests.test_services_support import full_scores
from dajia.live.bus import latest_event_id
from dajia.live.models import LiveEvent
from dajia.participation import services
from dajia.participation.models import Viewer
from dajia.participation.selectors import audience_index, share_of
from dajia.participation.tests.conftest import support, verify, zh

pytestmark = pytest.mark.django_db


def _vote(session, plan: dict[str, list[int]]):
    """plan: mobile → indexes of the session's entries to support."""
    for mobile, picks in plan.items():
        client = Client()
        verify(client, session, mobile)
        for i in picks:
            assert support(client, session, session.entries_list[i]).status_code == 200


def _score_all(session):
    for i, entry in enumerate(session.entries_list):
        for ev in session.evaluators.order_by("id"):
            services_sheets.sheet_submit(
                evaluator=ev,
                entry=entry,
                scores=full_scores(session, ("25", "16", "20", str(22 - 3 * i))),
                submission_id=f"s-{ev.pk}-{entry.pk}",
            )


def _page_figures(html: str) -> dict[int, tuple[int, str]]:
    """entry id → (supports, share) as the HTML audience list shows them."""
    found = {}
    for entry_id, count, share in re.findall(
        r'data-audience-entry="(\d+)".*?data-a-count>(\d+)<.*?data-a-share>([\d.]+)<', html, re.S
    ):
        found[int(entry_id)] = (int(count), share)
    return found


def test_the_index_is_identical_in_the_page_the_api_the_screen_the_results_and_the_export(
    client, live_session, office_user
):
    _vote(
        live_session,
        {"13600000001": [0, 1], "13600000002": [0], "13600000003": [0, 2], "13600000004": [1, 2, 0]},
    )
    expected = {r.entry_id: (r.supports, r.share_text) for r in audience_index(live_session).rows}
    first, second, third = live_session.entries_list
    # 8 supports in all: 4/8, 2/8, 2/8.
    assert expected == {first.pk: (4, "50.0"), second.pk: (2, "25.0"), third.pk: (2, "25.0")}

    page = Client().get(f"/participation/s/{live_session.pk}/").content.decode()
    assert _page_figures(page) == expected
    screen = Client().get(f"/sessions/{live_session.pk}/screen/progress").content.decode()
    assert _page_figures(screen) == expected
    assert zh("Audience index (for reference only)") in screen

    api = Client().get(f"/api/participation/sessions/{live_session.pk}/audience").json()
    assert {e["entry_id"]: (e["supports"], e["share"]) for e in api["entries"]} == expected
    assert api["viewers"] == 4 and api["total_supports"] == 8 and api["advisory"] is True

    _score_all(live_session)
    client.force_login(office_user)
    results = client.get(f"/sessions/{live_session.pk}/results/").content.decode()
    assert _page_figures(results) == expected
    # Shown apart from the panel's ranking, under its own label.
    assert results.index('id="h-results-audience"') > results.index('id="h-ranking"')

    wb = load_workbook(io.BytesIO(client.get(f"/sessions/{live_session.pk}/results.xlsx").content))
    assert "网络人气" in wb.sheetnames
    rows = list(wb["网络人气"].iter_rows(values_only=True))
    assert list(rows[0]) == ["顺序", "项目", "社会组织", "支持数", "占比(%)"]
    titles = {e.project.title: e.pk for e in live_session.entries_list}
    exported = {titles[r[1]]: (r[3], f"{r[4]:.1f}") for r in rows[1:4]}
    assert exported == expected
    assert any("仅供参考" in str(r[0]) for r in rows[4:] if r and r[0])
    # The panel's worksheet holds no support figure.
    assert "支持" not in "".join(
        str(c) for row in wb["评审结果"].iter_rows(values_only=True) for c in row if c
    )


def test_supports_never_change_the_panel_result(live_session, office_user):
    _score_all(live_session)
    before = result_data(session_tally(live_session)[1])
    _vote(live_session, {"13600000011": [2], "13600000012": [2, 1], "13600000013": [2]})
    after = result_data(session_tally(live_session)[1])
    assert after == before
    assert audience_index(live_session).total_supports == 4
    # Nor after the reveal and publication: the published payload equals the tally without supports.
    for entry in live_session.entries.all():
        services_console.window_close(actor=office_user, entry=entry)
    services_console.session_close(actor=office_user, session=live_session)
    services_results.session_reveal(actor=office_user, session=live_session)
    published = services_results.session_publish(actor=office_user, session=live_session)
    assert {p["entry_id"]: p["score"] for p in published.payload["projects"]} == {
        p["entry_id"]: p["score"] for p in before["projects"]
    }


def test_reading_the_index_costs_one_query_whatever_the_number_of_supports(
    live_session, django_assert_num_queries
):
    _vote(live_session, {f"1360000{n:04d}": [n % 3] for n in range(5)})
    with django_assert_num_queries(1):
        audience_index(live_session)
    _vote(live_session, {f"1361000{n:04d}": [n % 3, (n + 1) % 3] for n in range(12)})
    with django_assert_num_queries(1):
        index = audience_index(live_session)
    assert index.total_supports == 5 + 24 and index.viewers == 17


def test_a_session_without_projects_still_counts_its_viewers(live_session):
    _vote(live_session, {f"1360000{n:04d}": [] for n in range(3)})
    live_session.entries.all().delete()
    index = audience_index(live_session)
    assert (index.viewers, index.total_supports, index.rows) == (3, 0, [])


def test_every_change_is_announced_on_the_live_channel_with_counts_only(
    live_session, django_capture_on_commit_callbacks
):
    client = Client()
    verify(client, live_session, "13600000021")
    with django_capture_on_commit_callbacks(execute=True):
        support(client, live_session, live_session.entries_list[1])
    event = LiveEvent.objects.filter(channel=f"session-{live_session.pk}", event="audience").last()
    assert event is not None
    by_entry = {e["entry_id"]: e for e in event.data["entries"]}
    assert by_entry[live_session.entries_list[1].pk]["supports"] == 1
    assert event.data["total_supports"] == 1
    assert "136" not in str(event.data) and "title" not in str(event.data)


def test_share_rounding():
    assert str(share_of(1, 3)) == "33.3" and str(share_of(2, 3)) == "66.7" and str(share_of(1, 8)) == "12.5"
    assert str(share_of(0, 0)) == "0.0"


def test_the_api_answers_404_for_an_unknown_session(client):
    response = client.get("/api/participation/sessions/999999/audience")
    assert response.status_code == 404


def test_counters_stay_exact_after_withdrawals_and_erasure(live_session):
    _vote(live_session, {"13600000031": [0, 1], "13600000032": [0]})
    viewer = Viewer.objects.filter(session=live_session).order_by("id").first()
    services.support_remove(viewer=viewer, entry=live_session.entries_list[1])
    services.viewer_erase(viewer=Viewer.objects.get(pk=viewer.pk))
    index = audience_index(live_session)
    assert {r.entry_id: r.supports for r in index.rows}[live_session.entries_list[0].pk] == 1
    assert index.total_supports == 1


def test_the_live_page_follows_the_session_from_the_newest_event_it_shows(
    live_session, office_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services_console.entry_stage(actor=office_user, entry=live_session.entries_list[0])
    response = Client().get(f"/participation/s/{live_session.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    config = json.loads(
        re.search(r'<script id="live-config" type="application/json">(.*?)</script>', html)[1]
    )
    assert config["channel"] == f"session-{live_session.pk}"
    assert config["since"] == latest_event_id() and latest_event_id() > 0
