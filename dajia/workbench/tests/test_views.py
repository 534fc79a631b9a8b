"""Each role lands on its workbench after login; the page lists the role's waiting items (nobody else's) and
costs the same number of queries however many records wait."""

import itertools

import pytest
from django.urls import reverse

from dajia.agreements.tests.fixtures import order_copies
from dajia.conftest import make_user
from dajia.orders.models import Order
from dajia.workbench import selectors
from dajia.workbench.registry import SHOWN


@pytest.fixture
def worker(db):
    return make_user("worker", role="worker")


@pytest.mark.parametrize("persona", ["office_user", "chair_user", "provider_user", "worker"])
def test_each_role_lands_on_its_workbench_after_login(client, request, persona):
    user = request.getfixturevalue(persona)
    response = client.post(
        reverse("accounts:login"), {"identifier": user.username, "password": "pass-word-123"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("workbench:home")
    page = client.get(reverse("workbench:home"))
    assert page.status_code == 200
    role = persona.removesuffix("_user")
    assert f'data-role="{role}"' in page.content.decode()


def test_a_next_address_still_wins_over_the_workbench(client, office_user):
    response = client.post(
        reverse("accounts:login") + "?next=/needs/office/",
        {"identifier": "office", "password": "pass-word-123"},
    )
    assert response["Location"] == "/needs/office/"


def test_the_workbench_needs_a_login(client):
    response = client.get(reverse("workbench:home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_roles_of_a_person(office_user, chair_user, provider_user, worker, union):
    from dajia.accounts.models import RoleAssignment

    assert selectors.roles_of(office_user) == ["office"]
    assert selectors.roles_of(chair_user) == ["chair"]
    assert selectors.roles_of(provider_user) == ["provider"]
    assert selectors.roles_of(worker) == ["worker"]
    assert selectors.roles_of(make_user("nobody")) == ["worker"]  # anyone may raise a need
    RoleAssignment.objects.create(user=chair_user, role="worker", union=union)
    del chair_user._dajia_roles
    assert selectors.roles_of(chair_user) == ["chair", "worker"]


def test_the_page_lists_ones_own_waiting_orders_with_links_and_not_anothers(
    client,
    stress_agreement,
    agreements,
    place_order,
    chair_user,
    union,
    other_union,
    office_user,
    other_office_user,
):
    other_chair = make_user("otherchair", role="chair", union=other_union)
    mine = place_order(chair_user, union, stress_agreement, days=5)
    theirs = place_order(other_chair, other_union, agreements["fire"], days=6)
    Order.objects.filter(pk__in=[mine.pk, theirs.pk]).update(state="delivered")
    client.force_login(chair_user)
    body = client.get(reverse("workbench:home")).content.decode()
    assert f'href="/orders/{mine.pk}/"' in body and mine.number in body
    assert theirs.number not in body
    client.force_login(other_office_user)
    body = client.get(reverse("workbench:home")).content.decode()
    assert mine.number not in body and theirs.number not in body


def _count_queries(selector, user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    selector(user)  # the roles are read once per request and cached on the user
    with CaptureQueriesContext(connection) as captured:
        groups = selector(user)
    return len(captured.captured_queries), sum(g.count for g in groups)


@pytest.mark.parametrize(
    "role, persona",
    [
        ("office", "office_user"),
        ("chair", "chair_user"),
        ("provider", "provider_user"),
        ("worker", "chair_user"),
    ],
)
def test_each_roles_query_count_does_not_grow_with_rows(
    request,
    role,
    persona,
    stress_agreement,
    place_order,
    chair_user,
    union,
    office_user,
    provider_user,
):
    from django.utils import timezone

    from dajia.needs.models import Need
    from dajia.orders.models import Rating

    user = request.getfixturevalue(persona)
    selector = selectors.SELECTORS[role]

    placed = place_order(chair_user, union, stress_agreement, days=5)
    orders = [placed]

    def add(count):
        # more orders (copies of the one placed: the agreement's sessions would run out) and as many needs
        orders.extend(order_copies(placed, count, start=len(orders)))
        Need.objects.bulk_create(
            Need(
                federation=union.federation,
                union=union,
                author=chair_user,
                text=f"希望开设第{n}期职工书法兴趣班",
            )
            for n in range(count)
        )

    def spread():
        # The orders over the waiting states, so every group of every role has rows to list.
        states = ["ordered", "dispatched", "delivered", "proposed", "accepted"]
        for order, state in zip(orders, itertools.cycle(states)):
            Order.objects.filter(pk=order.pk).update(state=state)
            if state == "accepted":
                Order.objects.filter(pk=order.pk).update(
                    starts_at=timezone.now() - timezone.timedelta(hours=2)
                )
            Rating.objects.get_or_create(
                order=order,
                role="chair",
                defaults={"stars": 3, "comment": "一般", "created_at": timezone.now()},
            )

    # Every group that lists rows starts full (SHOWN rows in each state), so each counts in a query of its own;
    # a group with fewer rows counts what it lists (registry.group, tested there).
    add(5 * SHOWN - 1)
    spread()
    few, waiting_few = _count_queries(selector, user)
    add(6)
    spread()
    many, waiting_many = _count_queries(selector, user)
    assert waiting_many > waiting_few
    assert many == few


def test_the_page_costs_the_same_queries_with_more_waiting_records(
    client, stress_agreement, place_order, chair_user, union, office_user
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(office_user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("workbench:home")).status_code == 200
        return len(captured.captured_queries)

    placed = place_order(chair_user, union, stress_agreement, days=5)
    order_copies(placed, SHOWN - 1)  # the orders to dispatch fill their group: it counts them in a query
    few = queries()
    order_copies(placed, 6, start=SHOWN)
    assert queries() == few
