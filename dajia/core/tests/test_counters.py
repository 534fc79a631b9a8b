"""``core.counters.add_to_counters``: one upsert adds to many counters, creates the missing ones, keeps a floor."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dajia.core.counters import add_to_counters
from dajia.core.models import RateCounter

pytestmark = pytest.mark.django_db

WINDOW = datetime.datetime(2026, 12, 2, 8, 0, tzinfo=datetime.UTC)


def _counts() -> dict[str, int]:
    return dict(RateCounter.objects.filter(window_start=WINDOW).values_list("key", "hits"))


def test_missing_counters_are_created_and_existing_ones_move_by_the_change(django_assert_num_queries):
    RateCounter.objects.create(key="vote_ip:10.0.0.1", window_start=WINDOW, hits=5)
    rows = [("vote_ip:10.0.0.2", WINDOW, 2), ("vote_ip:10.0.0.1", WINDOW, 3)]
    with django_assert_num_queries(1):  # one statement, however many counters
        add_to_counters(RateCounter, key=["key", "window_start"], counter="hits", rows=rows)
    assert _counts() == {"vote_ip:10.0.0.1": 8, "vote_ip:10.0.0.2": 2}
    other = WINDOW + datetime.timedelta(minutes=10)  # another window of the same key is another counter
    add_to_counters(
        RateCounter, key=["key", "window_start"], counter="hits", rows=[("vote_ip:10.0.0.1", other, 1)]
    )
    assert _counts()["vote_ip:10.0.0.1"] == 8
    assert RateCounter.objects.get(key="vote_ip:10.0.0.1", window_start=other).hits == 1


def test_a_floor_holds_for_existing_and_new_counters():
    RateCounter.objects.create(key="a", window_start=WINDOW, hits=2)
    RateCounter.objects.create(key="b", window_start=WINDOW, hits=9)
    rows = [("a", WINDOW, -5), ("b", WINDOW, -4), ("c", WINDOW, -1)]
    add_to_counters(RateCounter, key=["key", "window_start"], counter="hits", rows=rows, floor=0)
    assert _counts() == {"a": 0, "b": 5, "c": 0}


def test_nothing_to_add_runs_no_statement(django_assert_num_queries):
    with django_assert_num_queries(0):
        add_to_counters(RateCounter, key=["key", "window_start"], counter="hits", rows=[])


def test_returning_gives_each_counter_after_the_change_in_the_same_statement(django_assert_num_queries):
    RateCounter.objects.create(key="vote_viewer:17", window_start=WINDOW, hits=29)
    rows = [("vote_viewer:17", WINDOW, 2), ("vote_viewer:18", WINDOW, 1)]
    with django_assert_num_queries(1):  # the upsert is the read: no SELECT after it
        after = add_to_counters(
            RateCounter, key=["key", "window_start"], counter="hits", rows=rows, returning=True
        )
    assert {key: hits for (key, _window), hits in after.items()} == {
        "vote_viewer:17": 31,
        "vote_viewer:18": 1,
    }
    assert _counts() == {"vote_viewer:17": 31, "vote_viewer:18": 1}


def test_returning_with_a_floor_is_refused_before_any_statement(django_assert_num_queries):
    with django_assert_num_queries(0), pytest.raises(ValueError):
        add_to_counters(
            RateCounter,
            key=["key", "window_start"],
            counter="hits",
            rows=[("a", WINDOW, 1)],
            floor=0,
            returning=True,
        )


def test_adding_under_a_floor_with_no_change_below_it_is_one_execution():
    rows = [(f"k{i}", WINDOW, i + 1) for i in range(12)]  # the counts of a batch of supports
    with CaptureQueriesContext(connection) as captured:
        add_to_counters(RateCounter, key=["key", "window_start"], counter="hits", rows=rows, floor=0)
    (sql,) = [q["sql"] for q in captured.captured_queries]
    assert " times: " not in sql  # Django's note of an executemany: one execution per row
    assert _counts() == {f"k{i}": i + 1 for i in range(12)}


# The changes of one call: a key (some twice) and a change, below the floor of 0 or not.
changes = st.lists(
    st.tuples(st.sampled_from("abcd"), st.integers(min_value=-6, max_value=6)), min_size=1, max_size=8
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    existing=st.dictionaries(st.sampled_from("abcd"), st.integers(min_value=0, max_value=9)),
    rows=changes,
    floor=st.sampled_from([None, 0]),
)
def test_each_change_lands_as_if_applied_one_after_the_other_in_key_order(existing, rows, floor):
    if floor is None:  # the counter is checked >= 0 in the database: without a floor, only additions
        rows = [(key, abs(change)) for key, change in rows]
    with transaction.atomic():
        RateCounter.objects.bulk_create(
            [RateCounter(key=key, window_start=WINDOW, hits=hits) for key, hits in existing.items()]
        )
        expected = dict(existing)
        for key, change in sorted(rows, key=lambda r: r[0]):  # stable: a key's changes in the given order
            value = expected[key] + change if key in expected else change  # a new row starts at its change
            expected[key] = value if floor is None else max(floor, value)
        add_to_counters(
            RateCounter,
            key=["key", "window_start"],
            counter="hits",
            rows=[(key, WINDOW, change) for key, change in rows],
            floor=floor,
        )
        assert _counts() == expected
        transaction.set_rollback(True)
