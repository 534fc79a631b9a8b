"""The batch service of sheets against the oracle: for random batches mixing new sheets, retries of one
submission id (also inside one batch), amendments, declared conflicts, closed and unopened windows, bad scores
and paper sheets by the office (and by another federation's office), ``sheets_submit(batch)`` stores and
answers exactly what the single-sheet service of before (``oracle_sheets.sheet_submit``) did for the same
requests one by one."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dajia.consultations import services_console, services_sheets
from dajia.consultations.models import Evaluator, Sheet
from dajia.consultations.services_sheets import SheetRequest
from dajia.consultations.tests import oracle_sheets
from dajia.consultations.tests.test_services_support import make_session
from dajia.core.models import AuditLog

pytestmark = pytest.mark.usefixtures("english_messages")


@pytest.fixture
def hall(office_user, federation, provider, other_provider, make_project):
    """An open session: project 0 open for scoring, 1 closed, 2 not yet open; 李强 declared a conflict on 0;
    王芳 already has a sheet for 0."""
    session = make_session(
        actor=office_user,
        federation=federation,
        providers=[provider, other_provider],
        make_project=make_project,
        n_projects=3,
        open_windows=False,
    )
    entries = list(session.entries.order_by("position"))
    services_console.window_open(actor=office_user, entry=entries[0])
    services_console.window_open(actor=office_user, entry=entries[1])
    services_console.window_close(actor=office_user, entry=entries[1])
    evaluators = list(session.evaluators.order_by("pk"))
    services_sheets.conflict_declare(evaluator=evaluators[1], entry=entries[0])
    criteria = list(session.criteria.all())
    oracle_sheets.sheet_submit(
        evaluator=evaluators[0],
        entry=entries[0],
        scores={c.pk: "10" for c in criteria},
        submission_id="seed",
    )
    return session, evaluators, entries, criteria


SCORES = ["full", "partial", "too_high", "unit", "unknown_criterion", "empty"]


def _scores(kind: str, criteria) -> dict:
    if kind == "full":
        return {c.pk: "12.5" for c in criteria}
    if kind == "partial":
        return {criteria[0].pk: "3", criteria[1].pk: ""}
    if kind == "too_high":
        return {c.pk: "999" for c in criteria}
    if kind == "unit":
        return {criteria[0].pk: "18分"}
    if kind == "unknown_criterion":
        return {"99999": "1"}
    return {}


request_strategy = st.tuples(
    st.integers(0, 2),  # evaluator
    st.integers(0, 2),  # project
    st.sampled_from(["seed", "a", "b", "c", "", "x" * 65]),  # submission id
    st.sampled_from(SCORES),
    st.sampled_from(["phone", "phone", "phone", "paper", "paper_other", "bogus"]),
)


def _error(error: Exception | None):
    if error is None:
        return None
    if isinstance(error, ValidationError):
        detail = error.message_dict if hasattr(error, "error_dict") else error.messages
        return ("ValidationError", getattr(error, "code", None), detail)
    if isinstance(error, PermissionDenied):
        return ("PermissionDenied", str(error))
    return (type(error).__name__,)


class _Receipts:
    """Receipt codes are random: compare them by the order in which each first appears."""

    def __init__(self):
        self.seen: dict[str, int] = {}

    def __call__(self, value):
        if not value:
            return value
        return f"R{self.seen.setdefault(value, len(self.seen))}"


def _state(session, marker: int, receipts: _Receipts) -> dict:
    sheets = {}
    keys = {}
    for sheet in Sheet.objects.filter(entry__session=session).prefetch_related("scores").order_by("pk"):
        keys[str(sheet.pk)] = (sheet.evaluator_id, sheet.entry_id)
        sheets[(sheet.evaluator_id, sheet.entry_id)] = (
            sheet.submission_id if not sheet.submission_id.startswith("paper-") else "paper-*",
            receipts(sheet.receipt),
            sheet.complete,
            sheet.source,
            sheet.entered_by_id,
            sheet.amendments,
            sorted((s.criterion_id, s.value) for s in sheet.scores.all()),
        )

    def scrub(data):
        if isinstance(data, dict):
            return {k: receipts(v) if k == "receipt" else v for k, v in data.items()}
        return data

    audit = [
        (
            row.action,
            row.actor_id,
            row.actor_label,
            keys.get(row.object_id),
            receipts(row.object_repr),
            scrub(row.before),
            scrub(row.after),
            row.federation_id,
        )
        for row in AuditLog.objects.filter(pk__gt=marker, object_type="consultations.sheet").order_by("pk")
    ]
    seen = sorted(
        Evaluator.objects.filter(session=session, last_seen_at__isnull=False).values_list("pk", flat=True)
    )
    return {"sheets": sheets, "audit": audit, "seen": seen}


def _answer(receipts, *, kind=None, receipt="", complete=False, submission_id="", error=None):
    if error is not None:
        return ("refused", _error(error))
    if submission_id.startswith("paper-"):
        submission_id = "paper-*"
    return (kind, receipts(receipt), complete, submission_id)


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=st.lists(request_strategy, min_size=1, max_size=12))
def test_batch_stores_and_answers_what_the_single_service_did(hall, office_user, other_office_user, batch):
    session, evaluators, entries, criteria = hall
    marker = AuditLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    actors = {"paper": office_user, "paper_other": other_office_user}

    def source_of(name):
        return "paper" if name.startswith("paper") else name

    with transaction.atomic():
        receipts = _Receipts()
        expected = []
        for ev, en, sid, kind, source in batch:
            try:
                result = oracle_sheets.sheet_submit(
                    evaluator=evaluators[ev],
                    entry=entries[en],
                    scores=_scores(kind, criteria),
                    submission_id=sid,
                    source=source_of(source),
                    actor=actors.get(source),
                )
            except (ValidationError, PermissionDenied) as error:
                expected.append(_answer(receipts, error=error))
                continue
            outcome = "retry" if not result.changed else ("created" if result.created else "amended")
            expected.append(
                _answer(
                    receipts,
                    kind=outcome,
                    receipt=result.receipt,
                    complete=result.sheet.complete,
                    submission_id=result.sheet.submission_id,
                )
            )
        expected_state = _state(session, marker, receipts)
        transaction.set_rollback(True)

    with transaction.atomic():
        receipts = _Receipts()
        outcomes = services_sheets.sheets_submit(
            requests=[
                SheetRequest(
                    entry_id=entries[en].pk,
                    scores=_scores(kind, criteria),
                    submission_id=sid,
                    evaluator_id=evaluators[ev].pk,
                    source=source_of(source),
                    actor=actors.get(source),
                )
                for ev, en, sid, kind, source in batch
            ]
        )
        got = [
            _answer(
                receipts,
                kind=o.kind,
                receipt=o.receipt,
                complete=o.complete,
                submission_id=o.submission_id,
                error=o.error,
            )
            for o in outcomes
        ]
        got_state = _state(session, marker, receipts)
        transaction.set_rollback(True)

    assert got == expected
    assert got_state == expected_state


@pytest.mark.django_db
def test_a_second_copy_in_one_batch_is_a_retry_and_a_new_id_an_amendment(hall, django_assert_max_num_queries):
    _session, evaluators, entries, criteria = hall
    scores = {c.pk: "12" for c in criteria}
    requests = [
        SheetRequest(
            entry_id=entries[0].pk, scores=scores, submission_id="p1", evaluator_id=evaluators[2].pk
        ),
        SheetRequest(
            entry_id=entries[0].pk, scores=scores, submission_id="p1", evaluator_id=evaluators[2].pk
        ),
        SheetRequest(entry_id=entries[0].pk, scores={}, submission_id="p2", evaluator_id=evaluators[2].pk),
    ]
    # A few queries for the whole batch, not a few per request.
    with django_assert_max_num_queries(20):
        first, copy, amended = services_sheets.sheets_submit(requests=requests)
    assert (first.kind, copy.kind, amended.kind) == ("created", "retry", "amended")
    assert copy.receipt == first.receipt != amended.receipt
    sheet = Sheet.objects.get(evaluator=evaluators[2], entry=entries[0])
    assert (sheet.receipt, sheet.submission_id, sheet.amendments, sheet.complete) == (
        amended.receipt,
        "p2",
        1,
        False,
    )
    actions = list(
        AuditLog.objects.filter(object_id=str(sheet.pk), object_type="consultations.sheet")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["consultations.sheet.submit", "consultations.sheet.amend"]


@pytest.mark.django_db
def test_each_refusal_is_worded_in_the_request_language(hall):
    _session, evaluators, entries, _criteria = hall
    closed = SheetRequest(
        entry_id=entries[1].pk,
        scores={},
        submission_id="z",
        evaluator_id=evaluators[2].pk,
        language="zh-hans",
    )
    english = SheetRequest(
        entry_id=entries[1].pk, scores={}, submission_id="z", evaluator_id=evaluators[2].pk, language="en"
    )
    chinese, plain = services_sheets.sheets_submit(requests=[closed, english])
    assert plain.error.messages == [
        "The scoring window for this project is closed; this sheet was not accepted."
    ]
    with translation.override("zh-hans"):
        assert chinese.error.messages == [
            translation.gettext("The scoring window for this project is closed; this sheet was not accepted.")
        ]
    assert chinese.error.messages != plain.error.messages
