"""The batch service of supports against the oracle: for random batches mixing new supports, repeats (also
inside one batch), viewers at K, unverified, erased and other sessions' viewers, projects of other sessions,
a session not yet open and rate limits per address and per viewer, ``supports_add(batch)`` stores and answers
exactly what the page's path of before (``oracle_supports.view_support_add``: the view's two rate limits, then
``support_add``) did for the same requests one by one."""

from __future__ import annotations

import re
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dajia.consultations.tests.test_services_support import make_session
from dajia.core.models import AuditLog, RateCounter
from dajia.core.ratelimit import RateLimited
from dajia.participation import services_limits, services_supports
from dajia.participation.models import Support, SupportCount, Viewer
from dajia.participation.tests import oracle_supports
from dajia.participation.tests.conftest import RELAXED

pytestmark = pytest.mark.usefixtures("english_messages")


def _viewer(session, n: int, *, erased: bool = False) -> Viewer:
    now = timezone.now()
    return Viewer.objects.create(
        session=session,
        mobile_hash=f"h{session.pk}-{n}",
        mobile_masked=f"138****{n:04d}",
        verified_at=now,
        last_verified_at=now,
        erased_at=now if erased else None,
    )


@pytest.fixture
def hall(live_session, office_user, federation, provider, make_project, settings):
    """The open session with K = 2, three viewers (one already supporting project 0), an erased viewer, and a
    session not yet open with a viewer of its own; tight limits so that batches run into them."""
    settings.DAJIA_PARTICIPATION_LIMITS = {**RELAXED, "vote_ip": (7, 10**9), "vote_viewer": (4, 10**9)}
    live_session.support_limit = 2
    live_session.save(update_fields=["support_limit"])
    draft = make_session(
        actor=office_user,
        federation=federation,
        providers=[provider],
        make_project=make_project,
        projects=[make_project(provider, "未开始的项目")],
        open_session=False,
        title="未开始的协商会",
    )
    viewers = [_viewer(live_session, n) for n in range(3)]
    viewers += [_viewer(live_session, 3, erased=True), _viewer(draft, 4)]
    oracle_supports.support_add(viewer=viewers[0], entry=live_session.entries_list[0].pk)
    entries = [e.pk for e in live_session.entries_list] + [draft.entries.get().pk]
    return live_session, draft, viewers, entries


request_strategy = st.tuples(
    st.sampled_from([0, 0, 1, 1, 2, 3, 4, None]),  # viewer (None: the browser holds none)
    st.sampled_from(["live", "live", "live", "draft"]),  # the session in the URL
    st.sampled_from([0, 1, 2, 3, "abc"]),  # project (3: the other session's)
    st.sampled_from(["10.0.0.1", "10.0.0.2", None]),
)


def _error(error):
    if isinstance(error, RateLimited):
        # The two runs are moments apart: the seconds to wait may differ by one.
        return ("RateLimited", [re.sub(r"\d+", "N", m) for m in error.messages], error.retry_after > 0)
    if isinstance(error, ValidationError):
        return ("ValidationError", error.message_dict if hasattr(error, "error_dict") else error.messages)
    if isinstance(error, PermissionDenied):
        return ("PermissionDenied", str(error))
    return (type(error).__name__,)


def _state(sessions, marker: int) -> dict:
    keys = {str(s.pk): (s.viewer_id, s.entry_id) for s in Support.objects.all()}
    return {
        "supports": sorted(Support.objects.values_list("viewer_id", "entry_id", "ip")),
        "counts": sorted(SupportCount.objects.values_list("entry_id", "supports")),
        "rate": sorted(RateCounter.objects.values_list("key", "hits")),
        "audit": [
            (
                row.action,
                row.actor_label,
                row.object_type,
                keys.get(row.object_id) if row.object_type == "participation.support" else row.object_id,
                row.before,
                row.after,
                row.federation_id,
            )
            for row in AuditLog.objects.filter(pk__gt=marker).order_by("pk")
        ],
    }


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=st.lists(request_strategy, min_size=1, max_size=14))
def test_batch_stores_and_answers_what_the_page_did_one_by_one(hall, batch):
    live, draft, viewers, entries = hall
    sessions = {"live": live, "draft": draft}
    marker = AuditLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    def entry_of(choice):
        return str(entries[choice]) if isinstance(choice, int) else choice

    with transaction.atomic():
        expected = []
        for v, s, e, ip in batch:
            session = sessions[s]
            viewer = None
            if v is not None:  # as views.viewer_of finds the browser's viewer
                viewer = Viewer.objects.filter(
                    pk=viewers[v].pk, session=session, erased_at__isnull=True
                ).first()
            try:
                state = oracle_supports.view_support_add(
                    session=session, viewer=viewer, entry=entry_of(e), ip=ip
                )
            except (ValidationError, PermissionDenied) as error:
                expected.append(("refused", _error(error)))
                continue
            expected.append(("added" if state.changed else "unchanged", sorted(state.supported), state.limit))
        expected_state = _state(sessions, marker)
        transaction.set_rollback(True)

    with transaction.atomic():
        outcomes = services_supports.supports_add(
            requests=[
                services_supports.SupportRequest(
                    session_id=sessions[s].pk,
                    viewer_id=None if v is None else viewers[v].pk,
                    entry=entry_of(e),
                    ip=ip,
                )
                for v, s, e, ip in batch
            ]
        )
        got = [
            ("refused", _error(o.error))
            if o.error is not None
            else (o.kind, sorted(o.state.supported), o.state.limit)
            for o in outcomes
        ]
        got_state = _state(sessions, marker)
        transaction.set_rollback(True)

    assert got == expected
    assert got_state == expected_state


@pytest.mark.django_db
@pytest.mark.parametrize("viewer_count", [1, 3])
def test_a_batch_costs_the_same_few_queries_whatever_its_size(
    hall, viewer_count, monkeypatch, django_assert_max_num_queries
):
    live, _draft, viewers, entries = hall
    monkeypatch.setattr(services_limits, "_last_prune", time.monotonic())  # no pruning in this batch
    live.support_limit = 3
    live.save(update_fields=["support_limit"])
    requests = [
        services_supports.SupportRequest(
            session_id=live.pk, viewer_id=viewers[n].pk, entry=str(entries[k]), ip=f"10.1.0.{n}"
        )
        for n in range(viewer_count)
        for k in (1, 2)
    ]
    with django_assert_max_num_queries(17):
        outcomes = services_supports.supports_add(requests=requests)
    assert [o.kind for o in outcomes] == ["added"] * len(requests)
    counts = dict(SupportCount.objects.filter(session=live).values_list("entry_id", "supports"))
    assert counts == {entries[0]: 1, entries[1]: viewer_count, entries[2]: viewer_count}
