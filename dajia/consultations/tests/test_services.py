"""The panel-side services: freeze rules, score validation, idempotent sheets, conflicts, permissions."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dajia.consultations import services_console, services_roster, services_setup, services_sheets
from dajia.consultations.models import Conflict, Criterion, Evaluator, Score, Session, Sheet
from dajia.consultations.tests.test_services_support import (
    SEED_RUBRIC,
    capture_events,
    full_scores,
    make_session,
)
from dajia.core.models import AuditLog

pytestmark = pytest.mark.usefixtures("english_messages")


@pytest.fixture
def captured_events(monkeypatch):
    return capture_events(monkeypatch)


@pytest.fixture
def live(office_user, federation, provider, other_provider, make_project):
    return make_session(
        actor=office_user,
        federation=federation,
        providers=[provider, other_provider],
        make_project=make_project,
        weights={"政协委员": "0.4", "基层工会主席": "0.6"},
    )


def _ev(session, name="王芳") -> Evaluator:
    return session.evaluators.get(name=name)


def _entry(session, i=0):
    return list(session.entries.order_by("position"))[i]


def _messages(exc: ValidationError) -> str:
    return " ".join(exc.value.messages)


# ---- creating and editing a session --------------------------------------------------------------------


def test_session_create_validates_fields(office_user, federation):
    with pytest.raises(ValidationError) as exc:
        services_setup.session_create(
            actor=office_user,
            federation=federation,
            title=" ",
            starts_at=timezone.now(),
            budget="二十万",
            trim_min=2,
            group_weights={"政协委员": "0", "基层工会主席": "abc"},
            stream_url="live.example",
        )
    errors = exc.value.message_dict
    assert set(errors) == {"title", "budget", "trim_min", "group_weights", "stream_url"}
    assert Session.objects.count() == 0


def test_session_create_keeps_weights_as_written(office_user, federation):
    session = services_setup.session_create(
        actor=office_user,
        federation=federation,
        title="协商会",
        starts_at=timezone.now(),
        budget="¥200,000",
        group_weights={" 政协委员 ": "０.4", "基层工会主席": "0.60"},
    )
    assert session.group_weights == {"政协委员": "0.4", "基层工会主席": "0.60"}
    assert session.budget == Decimal("200000")
    assert AuditLog.objects.filter(action="consultations.session.create", object_id=str(session.pk)).exists()


def test_other_federation_cannot_create_or_change(other_office_user, federation, draft):
    with pytest.raises(PermissionDenied):
        services_setup.session_create(
            actor=other_office_user, federation=federation, title="x", starts_at=timezone.now(), budget="1"
        )
    with pytest.raises(PermissionDenied):
        services_setup.session_update(actor=other_office_user, session=draft, budget="1")
    with pytest.raises(PermissionDenied):
        services_console.window_open(actor=other_office_user, entry=_entry(draft))
    with pytest.raises(PermissionDenied):
        services_roster.evaluator_add(actor=other_office_user, session=draft, name="外人")


def test_draft_allows_everything(office_user, draft):
    services_setup.session_update(
        actor=office_user,
        session=draft,
        method="median",
        trim_min=7,
        group_weights={"政协委员": "1", "基层工会主席": "1"},
    )
    draft.refresh_from_db()
    assert (draft.method, draft.trim_min) == ("median", 7)


def test_open_freezes_rules_but_budget_and_minimum_may_change(office_user, live):
    for field, value in (("method", "mean"), ("trim_min", 6), ("group_weights", {"政协委员": "0.5"})):
        with pytest.raises(ValidationError) as exc:
            services_setup.session_update(actor=office_user, session=live, **{field: value})
        assert "frozen" in _messages(exc) or "冻结" in _messages(exc)
    # Re-sending an unchanged frozen value (a form posting every field) is not a change.
    services_setup.session_update(
        actor=office_user, session=live, method="trimmed", trim_min=5, budget="180000", minimum_score="65"
    )
    live.refresh_from_db()
    assert live.budget == Decimal("180000") and live.minimum_score == Decimal("65")
    log = AuditLog.objects.filter(action="consultations.session.update").latest("id")
    assert log.before == {"budget": "200000.00", "minimum_score": "60.00"}
    assert log.after == {"budget": "180000.00", "minimum_score": "65"}


def test_open_freezes_rubric_panel_groups_and_entries(office_user, live, provider, make_project):
    with pytest.raises(ValidationError, match=r"draft|草稿"):
        services_setup.criterion_set(actor=office_user, session=live, criteria=SEED_RUBRIC)
    with pytest.raises(ValidationError, match=r"frozen|冻结"):
        services_roster.evaluator_update(actor=office_user, evaluator=_ev(live), group="基层工会主席")
    with pytest.raises(ValidationError):
        services_roster.evaluator_remove(actor=office_user, evaluator=_ev(live))
    with pytest.raises(ValidationError):
        services_roster.entry_add(actor=office_user, session=live, project=make_project(provider, "新项目"))
    with pytest.raises(ValidationError):
        services_roster.entry_remove(actor=office_user, entry=_entry(live))
    # A late substitute may join, but only into an existing weighted group.
    with pytest.raises(ValidationError, match="政协委员"):
        services_roster.evaluator_add(actor=office_user, session=live, name="赵刚", group="专家")
    services_roster.evaluator_add(actor=office_user, session=live, name="赵刚", group="基层工会主席")


def test_published_session_cannot_change(office_user, live):
    Session.objects.filter(pk=live.pk).update(state="published")
    with pytest.raises(ValidationError, match=r"published|公布"):
        services_setup.session_update(actor=office_user, session=live, budget="1")


# ---- rubric, entries, panel ----------------------------------------------------------------------------


def test_rubric_validation(office_user, draft):
    with pytest.raises(ValidationError) as exc:
        services_setup.criterion_set(
            actor=office_user,
            session=draft,
            criteria=[
                {"name": "内容实用有效", "max_points": "30"},
                {"name": "内容实用有效", "max_points": "20"},
                {"name": "方式方法新颖", "max_points": "0"},
                {"name": "", "max_points": "5"},
                {"name": "成熟度吸引力", "max_points": "2.55"},
            ],
        )
    assert set(exc.value.message_dict) == {"criterion_2", "criterion_3", "criterion_4", "criterion_5"}
    assert Criterion.objects.filter(session=draft).count() == 4  # unchanged
    created = services_setup.criterion_set(
        actor=office_user,
        session=draft,
        criteria=[{"name": "成熟度(吸引力)", "max_points": "２５", "descriptors": "好\n中\n差"}],
    )
    assert [(c.name, c.max_points, c.position) for c in created] == [("成熟度(吸引力)", Decimal("25"), 1)]


def test_entry_default_amount_order_and_move(office_user, draft, provider, make_project):
    project = make_project(provider, "新的项目", price="1500.00", sessions_per_year=12)
    entry = services_roster.entry_add(actor=office_user, session=draft, project=project, position=1)
    assert entry.amount == Decimal("18000.00")
    assert draft.entries.order_by("position").first().project.title == "新的项目"
    services_roster.entry_move(actor=office_user, entry=entry, position=3)
    assert list(draft.entries.order_by("position").values_list("position", flat=True)) == [1, 2, 3]
    assert draft.entries.get(pk=entry.pk).position == 3
    with pytest.raises(ValidationError, match=r"already|已"):
        services_roster.entry_add(actor=office_user, session=draft, project=project)
    services_roster.entry_remove(actor=office_user, entry=_entry(draft, 0))
    assert list(draft.entries.order_by("position").values_list("position", flat=True)) == [1, 2]


def test_entry_refuses_unapproved_and_foreign_projects(
    office_user, draft, provider, make_project, other_federation
):
    with pytest.raises(ValidationError, match=r"approved|审核"):
        services_roster.entry_add(
            actor=office_user, session=draft, project=make_project(provider, "草稿", status="draft")
        )
    from dajia.conftest import make_provider

    wuyi = make_provider(other_federation, "武义县某社工机构", 3001)
    with pytest.raises(ValidationError):
        services_roster.entry_add(actor=office_user, session=draft, project=make_project(wuyi, "外地项目"))


def test_evaluator_token_and_unique_name(office_user, draft):
    ev = _ev(draft)
    assert len(ev.token) >= 32 and re.fullmatch(r"[A-Za-z0-9_-]+", ev.token)
    with pytest.raises(ValidationError, match="王芳"):
        services_roster.evaluator_add(actor=office_user, session=draft, name="王芳")
    with pytest.raises(ValidationError) as exc:
        services_roster.evaluator_add(actor=office_user, session=draft, name="新人", mobile="12345")
    assert "mobile" in exc.value.message_dict
    old = ev.token
    services_roster.evaluator_relink(actor=office_user, evaluator=ev)
    ev.refresh_from_db()
    assert ev.token != old


def test_session_open_checks(office_user, federation):
    session = services_setup.session_create(
        actor=office_user,
        federation=federation,
        title="空会",
        starts_at=timezone.now(),
        budget="0",
        group_weights={"政协委员": "0.4"},
    )
    with pytest.raises(ValidationError) as exc:
        services_setup.session_open(actor=office_user, session=session)
    text = _messages(exc)
    assert "rubric" in text or "评分" in text
    services_setup.criterion_set(actor=office_user, session=session, criteria=SEED_RUBRIC)
    services_roster.evaluator_add(actor=office_user, session=session, name="李强", group="基层工会主席")
    with pytest.raises(ValidationError) as exc:
        services_setup.session_open(actor=office_user, session=session)
    assert "基层工会主席" in _messages(exc)
    session.refresh_from_db()
    assert session.state == "draft"


def test_windows_and_close(office_user, live):
    first, second = list(live.entries.order_by("position"))
    services_console.entry_stage(actor=office_user, entry=first)
    live.refresh_from_db()
    assert live.on_stage_id == first.pk
    services_console.window_close(actor=office_user, entry=first)
    with pytest.raises(ValidationError, match=r"reopen|重新"):
        services_console.window_open(actor=office_user, entry=first)
    with pytest.raises(ValidationError, match=second.project.title):
        services_console.session_close(actor=office_user, session=live)
    services_console.window_close(actor=office_user, entry=second)
    services_console.session_close(actor=office_user, session=live)
    live.refresh_from_db()
    assert live.state == "closed" and live.on_stage_id is None


# ---- scores --------------------------------------------------------------------------------------------


@pytest.fixture
def crit():
    return Criterion(pk=1, name="内容实用有效", max_points=Decimal("30"))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("18", Decimal("18")),
        ("１８．５", Decimal("18.5")),
        (" 7 ", Decimal("7")),
        ("0", Decimal("0")),
        ("30", Decimal("30")),
        ("30.0", Decimal("30.0")),
        ("", None),
        (None, None),
        ("  ", None),
        (Decimal("18.50"), Decimal("18.5")),
        (12, Decimal("12")),
    ],
)
def test_parse_score_accepts(crit, raw, expected):
    assert services_sheets.parse_score(raw, crit) == expected


@pytest.mark.parametrize(
    ("raw", "hint"),
    [
        ("18分", "分"),
        ("18.55", "18.5"),
        ("31", "30"),
        ("30.1", "30"),
        ("abc", "30"),
        ("-1", "0"),
        ("+8", "30"),
        ("8.", "30"),
        (".5", "30"),
        ("1e1", "30"),
        ("十八", "30"),
        (True, "30"),
        (Decimal("NaN"), "30"),
    ],
)
def test_parse_score_refuses_with_criterion_and_max(crit, raw, hint):
    with pytest.raises(ValidationError) as exc:
        services_sheets.parse_score(raw, crit)
    message = exc.value.messages[0]
    assert "内容实用有效" in message and hint in message


# ---- sheets --------------------------------------------------------------------------------------------


def test_submit_creates_sheet_with_receipt_and_progress(live, captured_events):
    ev, entry = _ev(live), _entry(live)
    result = services_sheets.sheet_submit(
        evaluator=ev, entry=entry, scores=full_scores(live), submission_id="s-1"
    )
    assert result.created and result.changed
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", result.receipt)
    sheet = Sheet.objects.get()
    assert sheet.complete and sheet.receipt == result.receipt and sheet.source == "phone"
    assert sorted(Score.objects.values_list("value", flat=True)) == [16, 20, 21, 25]
    progress = [d for _, e, d in captured_events if e == "progress"]
    assert progress[-1] == {"entry_id": entry.pk, "submitted": 1, "expected": 3}
    log = AuditLog.objects.get(action="consultations.sheet.submit")
    assert log.actor is None and log.actor_label.endswith("王＊")


def test_ten_retries_give_one_sheet_and_the_same_receipt(live):
    ev, entry = _ev(live), _entry(live)
    results = [
        services_sheets.sheet_submit(
            evaluator=ev, entry=entry, scores=full_scores(live), submission_id="same-id"
        )
        for _ in range(10)
    ]
    assert Sheet.objects.count() == 1
    assert {r.receipt for r in results} == {results[0].receipt}
    assert [r.created for r in results] == [True] + [False] * 9
    assert not any(r.changed for r in results[1:])
    assert AuditLog.objects.filter(action__startswith="consultations.sheet").count() == 1


def test_amendment_gets_a_new_receipt_and_is_audited(live):
    ev, entry = _ev(live), _entry(live)
    first = services_sheets.sheet_submit(
        evaluator=ev, entry=entry, scores=full_scores(live), submission_id="a"
    )
    second = services_sheets.sheet_submit(
        evaluator=ev, entry=entry, scores=full_scores(live, ("28", "16", "20", "")), submission_id="b"
    )
    assert not second.created and second.changed and second.receipt != first.receipt
    sheet = Sheet.objects.get()
    assert sheet.amendments == 1 and not sheet.complete and sheet.receipt == second.receipt
    log = AuditLog.objects.get(action="consultations.sheet.amend")
    assert log.before["scores"]["内容实用有效"] == "25.0" and log.after["scores"]["内容实用有效"] == "28.0"
    assert log.after["scores"]["受众接纳参与"] is None
    # A late retry of the first submission must not undo the amendment.
    late = services_sheets.sheet_submit(
        evaluator=ev, entry=entry, scores=full_scores(live), submission_id="b"
    )
    assert late.receipt == second.receipt and not late.changed


def test_invalid_scores_change_nothing(live):
    ev, entry = _ev(live), _entry(live)
    ok = services_sheets.sheet_submit(evaluator=ev, entry=entry, scores=full_scores(live), submission_id="a")
    with pytest.raises(ValidationError) as exc:
        services_sheets.sheet_submit(
            evaluator=ev, entry=entry, scores=full_scores(live, ("31", "16分", "20", "21")), submission_id="b"
        )
    ids = [str(c.pk) for c in live.criteria.all()]
    errors = exc.value.message_dict
    assert set(errors) == {ids[0], ids[1]}
    assert "30" in errors[ids[0]][0] and "20" in errors[ids[1]][0]
    sheet = Sheet.objects.get()
    assert sheet.receipt == ok.receipt and sheet.amendments == 0


def test_unknown_criterion_is_refused(live, office_user, federation, provider, make_project):
    other = make_session(
        actor=office_user,
        federation=federation,
        providers=[provider],
        make_project=make_project,
        title="另一场",
        projects=[_entry(live).project],
    )
    foreign = {c.pk: "1" for c in other.criteria.all()}
    with pytest.raises(ValidationError, match=r"rubric|评分"):
        services_sheets.sheet_submit(
            evaluator=_ev(live), entry=_entry(live), scores=foreign, submission_id="x"
        )


def test_phone_cannot_submit_outside_the_window(office_user, live):
    ev, entry = _ev(live), _entry(live)
    accepted = services_sheets.sheet_submit(
        evaluator=ev, entry=entry, scores=full_scores(live), submission_id="a"
    )
    services_console.window_close(actor=office_user, entry=entry)
    # The phone never saw the answer and retries: it arrived, so it gets its receipt.
    retry = services_sheets.sheet_submit(
        evaluator=ev, entry=entry, scores=full_scores(live), submission_id="a"
    )
    assert retry.receipt == accepted.receipt
    with pytest.raises(ValidationError) as exc:
        services_sheets.sheet_submit(
            evaluator=ev, entry=entry, scores=full_scores(live, ("1", "1", "1", "1")), submission_id="b"
        )
    assert exc.value.code == "closed"
    assert Sheet.objects.get().receipt == accepted.receipt
    with pytest.raises(ValidationError) as exc:
        services_sheets.sheet_submit(
            evaluator=_ev(live, "李强"), entry=entry, scores=full_scores(live), submission_id="c"
        )
    assert exc.value.code == "closed"


def test_phone_cannot_submit_before_the_window_opens(office_user, federation, provider, make_project):
    session = make_session(
        actor=office_user,
        federation=federation,
        providers=[provider],
        make_project=make_project,
        n_projects=1,
        open_windows=False,
    )
    with pytest.raises(ValidationError) as exc:
        services_sheets.sheet_submit(
            evaluator=_ev(session), entry=_entry(session), scores=full_scores(session), submission_id="a"
        )
    assert exc.value.code == "not_open"


def test_evaluator_of_another_session_is_refused(live, office_user, federation, provider, make_project):
    other = make_session(
        actor=office_user,
        federation=federation,
        providers=[provider],
        make_project=make_project,
        title="另一场",
        projects=[_entry(live).project],
    )
    with pytest.raises(PermissionDenied):
        services_sheets.sheet_submit(evaluator=_ev(other), entry=_entry(live), scores={}, submission_id="x")
    with pytest.raises(PermissionDenied):
        services_sheets.conflict_declare(evaluator=_ev(other), entry=_entry(live))


def test_conflict_blocks_submission_and_lowers_expected(live, captured_events):
    ev, entry = _ev(live), _entry(live)
    conflict = services_sheets.conflict_declare(evaluator=ev, entry=entry, reason="本人曾在该机构兼职")
    assert services_sheets.conflict_declare(evaluator=ev, entry=entry).pk == conflict.pk  # idempotent
    assert captured_events[-1][2] == {"entry_id": entry.pk, "submitted": 0, "expected": 2}
    with pytest.raises(ValidationError) as exc:
        services_sheets.sheet_submit(evaluator=ev, entry=entry, scores=full_scores(live), submission_id="a")
    assert exc.value.code == "conflict"
    assert not Sheet.objects.exists()


def test_conflict_after_a_sheet_is_refused(live):
    ev, entry = _ev(live), _entry(live)
    services_sheets.sheet_submit(evaluator=ev, entry=entry, scores=full_scores(live), submission_id="a")
    with pytest.raises(ValidationError, match=r"already|已"):
        services_sheets.conflict_declare(evaluator=ev, entry=entry)
    assert Sheet.objects.count() == 1 and not Conflict.objects.exists()


def test_paper_sheets_by_the_office_until_reveal(office_user, other_office_user, live):
    ev, entry = _ev(live), _entry(live)
    services_console.window_close(actor=office_user, entry=entry)
    with pytest.raises(PermissionDenied):
        services_sheets.sheet_submit(
            evaluator=ev, entry=entry, scores=full_scores(live), submission_id="", source="paper"
        )
    with pytest.raises(PermissionDenied):
        services_sheets.sheet_submit(
            evaluator=ev,
            entry=entry,
            scores=full_scores(live),
            submission_id="",
            source="paper",
            actor=other_office_user,
        )
    result = services_sheets.sheet_submit(
        evaluator=ev,
        entry=entry,
        scores=full_scores(live),
        submission_id="",
        source="paper",
        actor=office_user,
    )
    assert result.sheet.source == "paper" and result.sheet.entered_by == office_user
    Session.objects.filter(pk=live.pk).update(state="revealed")
    with pytest.raises(ValidationError, match=r"reveal|揭晓"):
        services_sheets.sheet_submit(
            evaluator=ev,
            entry=entry,
            scores=full_scores(live),
            submission_id="",
            source="paper",
            actor=office_user,
        )


def test_events_never_carry_scores_or_names(live, office_user, captured_events):
    ev, entry = _ev(live), _entry(live)
    services_console.entry_stage(actor=office_user, entry=entry)
    services_sheets.sheet_submit(evaluator=ev, entry=entry, scores=full_scores(live), submission_id="a")
    services_console.window_close(actor=office_user, entry=entry)
    assert {e for _, e, _ in captured_events} >= {"stage", "progress", "window"}
    for session_id, _event, data in captured_events:
        assert session_id == live.pk
        text = repr(data)
        assert "王芳" not in text and ev.token not in text and "score" not in text.lower()
        assert set(data) <= {
            "session_id",
            "entry_id",
            "submitted",
            "expected",
            "window",
            "state",
            "started_at",
            "minutes",
        }


def test_starts_at_naive_is_made_aware(office_user, federation):
    session = services_setup.session_create(
        actor=office_user,
        federation=federation,
        title="会",
        starts_at=datetime.datetime(2021, 9, 1, 14, 0),
        budget="0",
    )
    assert timezone.is_aware(session.starts_at)
