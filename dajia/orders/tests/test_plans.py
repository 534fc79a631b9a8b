"""The office's delivery overview reads each state's first orders from the ``order_state_start`` index.

A long-running office holds a million orders; the overview shows each state's first ten by start time. Read
through the index, that is ten index entries whatever the table holds (``orders.selectors.first_of_state``).
"""

import datetime

import pytest

from dajia.agreements.tests.fixtures import order_copies
from dajia.conftest import assert_read_from_index_alone, assert_read_in_index_order
from dajia.orders.models import Order
from dajia.orders.selectors import COUNT_CAP, OVERVIEW_LIMIT, first_of_state, state_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_orders(place_order, chair_user, union, other_union, stress_agreement):
    """One order placed through the service, then 2,000 copies of it over two unions and two states."""
    first = place_order(chair_user, union, stress_agreement, days=5)

    def vary(i, copy):
        copy.union = union if i % 2 else other_union
        copy.starts_at = first.starts_at + datetime.timedelta(minutes=37 * i)
        copy.ends_at = copy.starts_at + datetime.timedelta(hours=2)
        copy.state = Order.State.ORDERED if i % 10 == 0 else Order.State.CANCELLED

    order_copies(first, 2000, vary)
    return first


@pytest.mark.parametrize("state", [Order.State.ORDERED, Order.State.CANCELLED])
def test_each_states_first_orders_come_from_the_index(many_orders, union, other_union, state):
    # The overview's queryset: the office's unions' ids first (orders.views.overview).
    qs = Order.objects.filter(union_id__in=[union.pk, other_union.pk])
    assert_read_in_index_order(
        first_of_state(qs, state, OVERVIEW_LIMIT), "order_state_start", tables=("orders_order",)
    )
    ids = list(first_of_state(qs, state, OVERVIEW_LIMIT))
    expected = list(qs.filter(state=state).order_by("starts_at", "id").values_list("pk", flat=True))[
        :OVERVIEW_LIMIT
    ]
    assert ids == expected and len(ids) == OVERVIEW_LIMIT


def test_the_offices_workbench_reads_its_orders_to_dispatch_from_the_index(many_orders, office_user):
    from dajia.orders import workbench
    from dajia.orders.selectors import office_orders

    qs = workbench._orders(office_orders(office_user), state=Order.State.ORDERED)[:5]
    assert_read_in_index_order(qs, "order_state_start", tables=("orders_order",))
    assert [g.count for g in workbench.office(office_user)] == [201]


def test_the_overviews_capped_counts_read_the_index_alone(many_orders, union, other_union):
    """Each state's count, up to the cap, walks ``order_state_start`` and finds the union there: no order
    row is read (with a million orders, 1,001 row lookups per state before)."""
    qs = Order.objects.filter(union_id__in=[union.pk, other_union.pk])
    counts = state_counts(qs, cap=COUNT_CAP)
    assert (counts[Order.State.ORDERED], counts[Order.State.CANCELLED]) == (201, 1001)
    assert_read_from_index_alone(
        lambda: qs.filter(state=Order.State.CANCELLED).order_by()[: COUNT_CAP + 1].count(),
        "order_state_start",
        tables=("orders_order",),
    )
