"""Routing and the conflict check as pure functions: examples from the issue, then hypothesis against a
brute-force oracle written straight from the rule."""

from __future__ import annotations

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from dajia.desk.decide import CaseFacts, PastCase, Slot, VolunteerFacts, conflict, decide, slot_covers

SETTINGS = settings(max_examples=200, deadline=None, database=None)
TZ = datetime.timezone(datetime.timedelta(hours=8))
# Tuesday 2026-12-08, 9:00: the second Tuesday of December.
NOW = datetime.datetime(2026, 12, 8, 9, 0, tzinfo=TZ)
MORNING = Slot(weekday=1, week_of_month=None, starts=datetime.time(8, 30), ends=datetime.time(12), park_id=1)
CASE = CaseFacts(
    specialty="lawyer", park_id=1, client_keys=frozenset({"uscc:E"}), counter_keys=frozenset({"mobile:W"})
)


def volunteer(pk, **kw):
    base = dict(id=pk, specialty="lawyer", park_ids=frozenset({1}), slots=(MORNING,))
    return VolunteerFacts(**{**base, **kw})


def test_second_tuesday_of_the_month_slot():
    slot = Slot(weekday=1, week_of_month=2, starts=datetime.time(8, 30), ends=datetime.time(12), park_id=1)
    assert slot_covers(slot, NOW)
    assert not slot_covers(slot, NOW - datetime.timedelta(days=7))  # first Tuesday
    assert not slot_covers(slot, NOW.replace(hour=12))  # the slot ends at 12:00
    assert not slot_covers(slot, NOW.replace(hour=8, minute=29))


def test_fewest_open_cases_then_longest_ago_then_id():
    early = NOW - datetime.timedelta(days=30)
    late = NOW - datetime.timedelta(days=1)
    vs = [
        volunteer(1, open_cases=2),
        volunteer(2, open_cases=1, last_assigned_at=late),
        volunteer(3, open_cases=1, last_assigned_at=early),
        volunteer(4, open_cases=1, last_assigned_at=early),
    ]
    decision = decide(vs, CASE, now=NOW, conflict_years=3)
    assert decision.suggested == 3
    assert decision.eligible == (3, 4, 2, 1)
    never = decide([*vs, volunteer(9, open_cases=1)], CASE, now=NOW, conflict_years=3)
    assert never.suggested == 9  # never assigned is longest ago


def test_wrong_specialty_or_park_not_listed_leave_and_duty_excluded_with_reason():
    vs = [
        volunteer(1, specialty="tax"),
        volunteer(2, park_ids=frozenset({2})),
        volunteer(3, leave=((NOW.date(), NOW.date()),)),
        volunteer(4, slots=()),
    ]
    decision = decide(vs, CASE, now=NOW, conflict_years=3)
    assert decision.waiting
    assert decision.excluded == {3: "on leave", 4: "not on duty now"}


def test_conflict_both_ways_and_after_the_period():
    closed = NOW - datetime.timedelta(days=365)
    advised_enterprise = PastCase("ZJ000001", frozenset({"uscc:E"}), frozenset({"mobile:X"}), closed)
    advised_worker = PastCase("ZJ000002", frozenset({"mobile:W"}), frozenset({"uscc:E"}), None)
    worker_case = CaseFacts(
        "lawyer", 1, client_keys=frozenset({"mobile:X"}), counter_keys=frozenset({"uscc:E"})
    )
    why = conflict(volunteer(1, past=(advised_enterprise,)), worker_case, now=NOW, years=3)
    assert why == "advised the other side (E) in ZJ000001"
    why = conflict(volunteer(1, past=(advised_worker,)), CASE, now=NOW, years=3)
    assert why.startswith("advised the other side") and "ZJ000002" in why
    old = PastCase(
        "ZJ000003", frozenset({"uscc:E"}), frozenset({"mobile:X"}), NOW - datetime.timedelta(days=4 * 366)
    )
    assert conflict(volunteer(1, past=(old,)), worker_case, now=NOW, years=3) is None
    # Same side again is no conflict.
    assert conflict(volunteer(1, past=(advised_enterprise,)), CASE, now=NOW, years=3) is None


# ---- property test against an oracle ---------------------------------------------------------------------

KEYS = ["uscc:A", "uscc:B", "mobile:1", "mobile:2"]
keysets = st.frozensets(st.sampled_from(KEYS), max_size=2)
moments = st.sampled_from([None, NOW - datetime.timedelta(days=100), NOW - datetime.timedelta(days=2000)])
pasts = st.builds(
    PastCase, number=st.just("ZJ000001"), client_keys=keysets, counter_keys=keysets, closed_at=moments
)
volunteers = st.lists(
    st.builds(
        VolunteerFacts,
        id=st.integers(1, 10_000),
        specialty=st.sampled_from(["lawyer", "tax"]),
        park_ids=st.frozensets(st.sampled_from([1, 2]), min_size=1),
        slots=st.lists(
            st.sampled_from([MORNING, Slot(1, None, datetime.time(13), datetime.time(17), 1)]), max_size=2
        ).map(tuple),
        leave=st.lists(
            st.sampled_from(
                [(NOW.date(), NOW.date()), (datetime.date(2026, 1, 1), datetime.date(2026, 1, 2))]
            ),
            max_size=1,
        ).map(tuple),
        open_cases=st.integers(0, 3),
        last_assigned_at=st.sampled_from(
            [None, NOW - datetime.timedelta(days=1), NOW - datetime.timedelta(days=9)]
        ),
        past=st.lists(pasts, max_size=2).map(tuple),
    ),
    max_size=6,
    unique_by=lambda v: v.id,
)
cases = st.builds(
    CaseFacts,
    specialty=st.sampled_from(["lawyer", "tax"]),
    park_id=st.just(1),
    client_keys=keysets,
    counter_keys=keysets,
)


def oracle(vs, case):
    def fit(v):
        if v.specialty != case.specialty or 1 not in v.park_ids:
            return False
        if any(first <= NOW.date() <= last for first, last in v.leave):
            return False
        if not any(s.starts <= NOW.time() < s.ends for s in v.slots):
            return False
        for p in v.past:
            recent = p.closed_at is None or p.closed_at >= NOW.replace(year=NOW.year - 3)
            if recent and (p.client_keys & case.counter_keys or p.counter_keys & case.client_keys):
                return False
        return True

    fitting = [v for v in vs if fit(v)]
    best = None
    for v in fitting:  # the minimum by hand: fewer open, then earlier (never first), then smaller id
        if best is None:
            best = v
            continue
        a = (v.open_cases, v.last_assigned_at is not None, v.last_assigned_at or NOW, v.id)
        b = (best.open_cases, best.last_assigned_at is not None, best.last_assigned_at or NOW, best.id)
        if a < b:
            best = v
    return best.id if best else None, {v.id for v in fitting}


@SETTINGS
@given(volunteers, cases)
def test_decide_matches_the_oracle(vs, case):
    decision = decide(vs, case, now=NOW, conflict_years=3)
    suggested, fitting = oracle(vs, case)
    assert decision.suggested == suggested
    assert set(decision.eligible) == fitting
    assert decision.waiting == (suggested is None)
    team = {v.id for v in vs if v.specialty == case.specialty and 1 in v.park_ids}
    assert set(decision.excluded) == team - fitting  # every excluded team member has a reason
