"""Reveal and publication: states, permissions, audit, the digest, the receipts, and the export re-tallied by
``dajia tally`` giving the published figures exactly."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from dajia.consultations import services_results
from dajia.consultations.models import PublishedResult, Session
from dajia.consultations.results import session_tally
from dajia.consultations.tests.test_results_support import (
    WEIGHTS,
    build_session,
    make_grouped_session,
)
from dajia.consultations.tests.test_services_support import capture_events
from dajia.core.models import AuditLog
from dajia.core.money import yuan
from dajia.scoring import engine
from dajia.scoring.sheetfile import parse_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def grouped_session(federation, make_project):
    return make_grouped_session(federation, make_project)


ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def events(monkeypatch):
    return capture_events(monkeypatch)


def test_reveal_moves_a_closed_session_to_revealed_and_logs_it(grouped_session, office_user, events):
    services_results.session_reveal(actor=office_user, session=grouped_session)
    grouped_session.refresh_from_db()
    assert grouped_session.state == Session.State.REVEALED
    assert grouped_session.revealed_at is not None
    log = AuditLog.objects.get(action="consultations.session.reveal")
    assert (log.actor, log.before, log.after) == (office_user, {"state": "closed"}, {"state": "revealed"})
    # The live event is public: a state and an id, never a score.
    [(session_id, event, data)] = events
    assert (session_id, event) == (grouped_session.pk, "revealed")
    assert set(data) == {"session_id", "state"}


@pytest.mark.parametrize("state", ["draft", "open", "revealed", "published"])
def test_only_a_closed_session_can_be_revealed(grouped_session, office_user, state):
    Session.objects.filter(pk=grouped_session.pk).update(state=state)
    with pytest.raises(ValidationError):
        services_results.session_reveal(actor=office_user, session=grouped_session)


def test_another_federation_cannot_reveal_or_publish(grouped_session, other_office_user, provider_user):
    for actor in (other_office_user, provider_user, None):
        with pytest.raises(PermissionDenied):
            services_results.session_reveal(actor=actor, session=grouped_session)
    Session.objects.filter(pk=grouped_session.pk).update(state="revealed")
    with pytest.raises(PermissionDenied):
        services_results.session_publish(actor=other_office_user, session=grouped_session)
    grouped_session.refresh_from_db()
    assert grouped_session.state == "revealed"


def test_a_result_that_cannot_be_computed_is_not_revealed(grouped_session, office_user):
    Session.objects.filter(pk=grouped_session.pk).update(group_weights={"政协委员": "0.4"})
    with pytest.raises(ValidationError) as caught:
        services_results.session_reveal(actor=office_user, session=grouped_session)
    assert "基层工会主席" in " ".join(caught.value.messages)
    grouped_session.refresh_from_db()
    assert grouped_session.state == "closed"


def test_publish_stores_payload_canonical_file_digest_and_receipts(grouped_session, office_user, events):
    services_results.session_reveal(actor=office_user, session=grouped_session)
    published = services_results.session_publish(actor=office_user, session=grouped_session)
    grouped_session.refresh_from_db()
    assert grouped_session.state == "published"
    assert grouped_session.published_at is not None
    result, context = session_tally(grouped_session)
    assert published.digest == hashlib.sha256(published.canonical_sheets.encode("utf-8")).hexdigest()
    assert published.digest == engine.digest(context.engine_criteria, result.counted)
    assert published.canonical_sheets == engine.canonical_sheet_file(context.engine_criteria, result.counted)
    assert published.canonical_sheets.startswith("evaluator,group,project,内容实用有效(30),方式方法新颖(20),")
    assert published.canonical_sheets.count("\n") == 1 + 23
    # The receipts of the 23 counted sheets, sorted; the incomplete sheet's receipt is not among them.
    incomplete = context.incomplete_sheets[0].receipt
    assert published.receipts == sorted(published.receipts)
    assert len(published.receipts) == 23 and incomplete not in published.receipts
    assert [p["score"] for p in published.payload["projects"]] == [str(r.result.score) for r in context.rows]
    assert published.payload["digest"] == published.digest
    assert AuditLog.objects.filter(
        action="consultations.session.publish", after__digest=published.digest
    ).exists()
    assert events[-1][1] == "published"


def test_publish_needs_a_revealed_session(grouped_session, office_user):
    with pytest.raises(ValidationError):
        services_results.session_publish(actor=office_user, session=grouped_session)
    assert not PublishedResult.objects.exists()


def _tied_session(federation, make_project, *, minimum="60"):
    """甲 and 乙 tie (same sheets); 丙 is lower. Budget for one of the tied pair only."""
    panel = [("王委员", ""), ("李委员", ""), ("赵委员", "")]
    good, low = [25, 16, 20, 20], [20, 12, 15, 15]
    sheets = {}
    for name, _ in panel:
        sheets[(name, "甲项目")] = good
        sheets[(name, "乙项目")] = good
        sheets[(name, "丙项目")] = low
    return build_session(
        federation,
        make_project,
        projects=[("乙项目", "30000"), ("甲项目", "30000"), ("丙项目", "10000")],
        evaluators=panel,
        sheets=sheets,
        budget="40000",
        minimum=minimum,
    )


def test_publication_waits_for_a_tie_break_that_can_decide_a_selection(federation, make_project, office_user):
    session = _tied_session(federation, make_project)
    services_results.session_reveal(actor=office_user, session=session)
    with pytest.raises(ValidationError) as caught:
        services_results.session_publish(actor=office_user, session=session)
    assert "甲项目" in " ".join(caught.value.messages)
    entries = session.entries_by_title
    services_results.tie_break_record(
        actor=office_user,
        session=session,
        order=[entries["乙项目"].pk, entries["甲项目"].pk],
        reason="现场抽签",
    )
    published = services_results.session_publish(actor=office_user, session=session)
    projects = published.payload["projects"]
    assert [(p["title"], p["rank"], p["tied"], p["selected"]) for p in projects] == [
        ("乙项目", 1, True, True),
        ("甲项目", 1, True, False),
        ("丙项目", 3, False, True),
    ]
    assert projects[0]["tie_break_reason"] == "现场抽签"


def test_a_tie_below_the_minimum_does_not_hold_up_publication(federation, make_project, office_user):
    session = _tied_session(federation, make_project, minimum="95")
    services_results.session_reveal(actor=office_user, session=session)
    published = services_results.session_publish(actor=office_user, session=session)
    assert published.payload["selection"]["tie_break_needed"] is True
    assert published.payload["selection"]["selected"] == []


def test_published_ranking_lists_the_digest_and_receipts(client, grouped_session, office_user):
    services_results.session_reveal(actor=office_user, session=grouped_session)
    published = services_results.session_publish(actor=office_user, session=grouped_session)
    html = client.get(reverse("consultations:ranking", args=[grouped_session.pk])).content.decode()
    assert published.digest in html
    for code in published.receipts:
        assert code in html
    # The digest in plain words, with a copy button; "SHA-256" only inside the "what is this?" disclosure.
    box = html[html.index('class="digest-box"') :]
    box = box[: box.index("</details>")]
    assert (
        "数字指纹" in box
        and "data-copy" in box
        and f'<code class="copyable-text">{published.digest}</code>' in box
    )
    assert "SHA-256" not in box.split("<details")[0] and "SHA-256" in box.split("<details")[1]


def test_published_pages_show_the_record_even_if_a_sheet_changes_later(client, grouped_session, office_user):
    services_results.session_reveal(actor=office_user, session=grouped_session)
    published = services_results.session_publish(actor=office_user, session=grouped_session)
    first = published.payload["projects"][0]
    # Tampering behind the services' back: the public page keeps the published record; the office is warned.
    from dajia.consultations.models import Score

    Score.objects.filter(sheet__entry_id=first["entry_id"]).update(value=0)
    html = client.get(reverse("consultations:ranking", args=[grouped_session.pk])).content.decode()
    assert first["score"] in html
    client.force_login(office_user)
    response = client.get(reverse("consultations:results", args=[grouped_session.pk]))
    assert response.context["digest_matches"] is False


def _export_and_retally(client, session, tmp_path, weights: dict[str, str]) -> tuple[dict, bytes]:
    data = client.get(reverse("consultations:results_xlsx", args=[session.pk])).content
    path = tmp_path / "评审结果.xlsx"
    path.write_bytes(data)
    command = [
        sys.executable,
        "-m",
        "dajia.cli",
        "tally",
        str(path),
        "--json",
        "--method",
        session.method,
        "--trim-min",
        str(session.trim_min),
    ]
    for group, weight in weights.items():
        command += ["--group-weight", f"{group}={weight}"]
    done = subprocess.run(command, capture_output=True, cwd=ROOT, timeout=60, check=False)
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout.decode(), parse_float=Decimal), data


def test_the_export_retallied_by_dajia_tally_gives_the_published_scores_and_ranks(
    client, grouped_session, office_user, tmp_path
):
    services_results.session_reveal(actor=office_user, session=grouped_session)
    published = services_results.session_publish(actor=office_user, session=grouped_session)
    client.force_login(office_user)
    cli, xlsx = _export_and_retally(client, grouped_session, tmp_path, WEIGHTS)
    retallied = {p["project"]: p for p in cli["projects"]}
    assert len(retallied) == len(published.payload["projects"])
    for item in published.payload["projects"]:
        again = retallied[item["project"]]
        assert Decimal(again["score"]) == Decimal(item["score"])
        assert again["rank"] == item["rank"]
        assert again["tied"] == item["tied"]
        assert again["evaluators"] == item["evaluators"]
        assert {g: Decimal(v) for g, v in again["groups"].items()} == {
            g: Decimal(v) for g, v in item["groups"].items()
        }
        assert {c: Decimal(v) for c, v in again["criteria"].items()} == {
            c: Decimal(v) for c, v in item["criteria"].items()
        }
    # The worksheet 评分明细, read back, has the published digest.
    sheet_file = parse_bytes(xlsx, "评审结果.xlsx")
    assert engine.digest(sheet_file.criteria, sheet_file.sheets) == published.digest
    # And the summary worksheet shows the same scores.
    summary = load_workbook(io.BytesIO(xlsx))["评审结果"]
    scores = [
        Decimal(str(row[3])) for row in summary.iter_rows(min_row=2, values_only=True) if row[0] is not None
    ]
    assert scores == [Decimal(p["score"]) for p in published.payload["projects"]]


def test_retally_of_a_tied_result_reproduces_the_shared_ranks(
    client, federation, make_project, office_user, tmp_path
):
    session = _tied_session(federation, make_project)
    services_results.session_reveal(actor=office_user, session=session)
    entries = session.entries_by_title
    services_results.tie_break_record(
        actor=office_user,
        session=session,
        order=[entries["甲项目"].pk, entries["乙项目"].pk],
        reason="评委会表决",
    )
    published = services_results.session_publish(actor=office_user, session=session)
    client.force_login(office_user)
    cli, _ = _export_and_retally(client, session, tmp_path, {})
    assert [(p["project"], p["rank"], p["tied"]) for p in cli["projects"]] == [
        ("乙项目", 1, True),
        ("甲项目", 1, True),
        ("丙项目", 3, False),
    ]
    assert {p["project"]: p["rank"] for p in published.payload["projects"]} == {
        "甲项目": 1,
        "乙项目": 1,
        "丙项目": 3,
    }


def test_reveal_and_publish_buttons(client, grouped_session, office_user, other_office_user):
    client.force_login(other_office_user)
    assert (
        client.post(reverse("consultations:results_reveal", args=[grouped_session.pk])).status_code == 404
    )  # another federation's session: not confirmed
    client.force_login(office_user)
    response = client.post(reverse("consultations:results_publish", args=[grouped_session.pk]))
    assert response.status_code == 400
    response = client.post(reverse("consultations:results_reveal", args=[grouped_session.pk]))
    assert response.status_code == 302
    response = client.post(reverse("consultations:results_publish", args=[grouped_session.pk]))
    assert response.status_code == 302
    grouped_session.refresh_from_db()
    assert grouped_session.state == "published"


# ---- the 公示 notice ------------------------------------------------------------------------------------


def test_notice_only_once_published_and_without_personal_data(client, grouped_session, office_user):
    url = reverse("consultations:results_notice", args=[grouped_session.pk])
    assert client.get(url).status_code == 404
    services_results.session_reveal(actor=office_user, session=grouped_session)
    assert client.get(url).status_code == 404
    published = services_results.session_publish(actor=office_user, session=grouped_session)
    html = client.get(url).content.decode()
    for item in published.payload["projects"]:
        if item["selected"]:
            assert item["title"] in html and yuan(item["amount"]) in html
    assert published.digest in html
    for name in ("王委员", "孙主席", "陈主席"):
        assert name not in html
