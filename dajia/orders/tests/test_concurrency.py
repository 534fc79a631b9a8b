"""Two chairs order the last session at the same moment: exactly one gets it (real threads, real connections).

Runs on SQLite (IMMEDIATE transactions serialise writers) and on PostgreSQL (SELECT … FOR UPDATE):
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/dajia DAJIA_TESTING=1 .venv/bin/pytest dajia/orders -q``.
"""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from dajia.agreements.models import Agreement, AgreementQuota
from dajia.agreements.tests.fixtures import at
from dajia.core import signins as core_signins
from dajia.orders import services, services_signins
from dajia.orders.models import Attendance, Order, UnionBudget

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def _race(calls, monkeypatch, slow_down=(services, "_check_clash")):
    """Run ``calls`` in threads released together; slow the critical section (``slow_down``: module and name)
    down so that, without the row locks, both would read "one left" before either writes."""
    module, name = slow_down
    real = getattr(module, name)

    def slow(*args, **kwargs):
        time.sleep(0.3)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, slow)
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, fn):
        try:
            barrier.wait()
            results[i] = ("ok", fn())
        except ValidationError as e:
            results[i] = ("refused", " ".join(e.messages))
        except Exception as e:
            results[i] = ("error", repr(e))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def _order(chair, union, agreement, hour):
    return lambda: services.order_place(
        actor=chair,
        union=union,
        project=agreement.project,
        starts_at=at(10, hour),
        place="职工之家",
        expected_audience=20,
    )


def test_two_chairs_ordering_the_last_session_at_once(
    stress_agreement, budgets, chair_user, union, other_chair_user, other_union, monkeypatch
):
    Agreement.objects.filter(pk=stress_agreement.pk).update(sessions=1)
    results = _race(
        [
            _order(chair_user, union, stress_agreement, 9),
            _order(other_chair_user, other_union, stress_agreement, 15),
        ],
        monkeypatch,
    )
    outcomes = sorted(r[0] for r in results)
    assert outcomes == ["ok", "refused"], results
    message = next(r[1] for r in results if r[0] == "refused")
    assert "约满" in message or "约走" in message  # all sessions taken / someone else has just taken the last
    assert Order.objects.count() == 1
    agreement = Agreement.objects.get(pk=stress_agreement.pk)
    assert agreement.sessions_booked == 1
    winner = Order.objects.get()
    committed = {b.union_id: b.committed for b in UnionBudget.objects.filter(year=winner.starts_at.year)}
    assert committed[winner.union_id] == winner.cost
    assert sum(committed.values()) == winner.cost


def test_one_union_ordering_its_last_quota_twice_at_once(
    stress_agreement, budgets, chair_user, union, office_user, monkeypatch
):
    from dajia.agreements import services_quotas

    services_quotas.quotas_set(
        actor=office_user, agreement=stress_agreement, allocation="allocated", quotas={union.pk: 1}
    )
    results = _race(
        [_order(chair_user, union, stress_agreement, 9), _order(chair_user, union, stress_agreement, 15)],
        monkeypatch,
    )
    assert sorted(r[0] for r in results) == ["ok", "refused"], results
    assert AgreementQuota.objects.get(union=union).booked == 1
    assert Order.objects.count() == 1


def test_two_phones_taking_the_last_place_at_once(
    stress_agreement, place_order, chair_user, union, office_user, provider_user, monkeypatch
):
    order = place_order(chair_user, union, stress_agreement, days=5)
    services.order_dispatch(actor=office_user, order=order)
    services.order_accept(actor=provider_user, order=order)
    now = order.starts_at
    for i in range(stress_agreement.capacity - 1):
        services_signins.attendance_sign_in(
            order=order, device=f"device-{i:020d}", name="李四", union_name="x", now=now
        )

    def sign_in(device):
        return lambda: services_signins.attendance_sign_in(
            order=order, device=device, name="王五", union_name="潮鸣食品", now=now
        )

    results = _race(
        [sign_in("phone-a-000000000000"), sign_in("phone-b-000000000000")],
        monkeypatch,
        slow_down=(core_signins, "clean_text"),
    )
    assert sorted(r[0] for r in results) == ["ok", "refused"], results
    # The second waited on the order's lock and then counted the first: "full", not a collision on the seat.
    assert "已满" in next(r[1] for r in results if r[0] == "refused")
    assert Attendance.objects.filter(order=order).count() == stress_agreement.capacity
