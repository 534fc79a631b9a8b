"""Two phones taking a lecture's last place at once: the lecture's row lock makes the second wait and count the
first, so it is told "full" — the same race, and the same outcome, as an order's session
(``dajia/orders/tests/test_concurrency.py``), since both run ``dajia.core.signins.sign_in``."""

from __future__ import annotations

import pytest

from dajia.core import signins as core_signins
from dajia.lectures import services
from dajia.lectures.models import LectureSignIn
from dajia.lectures.tests.conftest import STARTS
from dajia.orders.tests.test_concurrency import _race

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def test_two_phones_taking_the_last_place_of_a_lecture_at_once(scheduled, monkeypatch):
    for i in range(scheduled.capacity - 1):
        services.lecture_sign_in(
            lecture=scheduled, device=f"device-{i:020d}", name="李四", union_name="x", now=STARTS
        )

    def sign_in(device):
        return lambda: services.lecture_sign_in(
            lecture=scheduled, device=device, name="王五", union_name="潮鸣食品", now=STARTS
        )

    results = _race(
        [sign_in("phone-a-000000000000"), sign_in("phone-b-000000000000")],
        monkeypatch,
        slow_down=(core_signins, "clean_text"),
    )
    assert sorted(r[0] for r in results) == ["ok", "refused"], results
    assert "已满" in next(r[1] for r in results if r[0] == "refused")
    assert LectureSignIn.objects.filter(lecture=scheduled).count() == scheduled.capacity
