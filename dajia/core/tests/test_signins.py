"""The one sign-in rule's own guards (the rule itself is tested over an order and a lecture in
``dajia/lectures/tests/test_signins_shared.py``): it refuses to run without the caller's transaction, the window
comes from the settings, and the device id is the server's shape or nothing."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dajia.core import devices, signins
from dajia.lectures.models import LectureSignIn
from dajia.orders.models import Attendance


def test_the_rule_refuses_to_run_outside_the_callers_transaction():
    moment = timezone.now()
    gate = signins.Gate(open=True, opens=moment, closes=moment, capacity=1, federation_id=None)
    with pytest.raises(RuntimeError, match="transaction"):
        signins.sign_in(
            model=LectureSignIn,
            parent={},
            gate=gate,
            device="device-a-000000000000",
            name="李四",
            union_name="x",
            action="test",
        )


def test_the_window_opens_and_closes_as_the_settings_say(settings):
    settings.DAJIA_SIGNIN_OPENS_MINUTES_BEFORE = 30
    settings.DAJIA_SIGNIN_CLOSES_MINUTES_AFTER = 120
    starts = timezone.make_aware(datetime.datetime(2026, 12, 15, 14, 0))
    ends = starts + datetime.timedelta(minutes=90)
    assert signins.window(starts, ends) == (
        starts - datetime.timedelta(minutes=30),
        ends + datetime.timedelta(minutes=120),
    )


def test_both_tables_carry_the_same_constraints():
    def shape(model):
        return sorted(type(c).__name__ + c.name.split("_", 1)[1] for c in model._meta.constraints)

    assert {c.name for c in Attendance._meta.constraints} >= {
        "attendance_one_per_device",
        "attendance_one_per_seat",
    }
    assert shape(Attendance) == [
        "CheckConstraintseat_positive",
        "UniqueConstraintone_per_device",
        "UniqueConstraintone_per_seat",
    ]
    assert [c.name for c in LectureSignIn._meta.constraints] == [
        "lecture_signin_one_per_device",
        "lecture_signin_one_per_seat",
        "lecture_signin_seat_positive",
    ]


@pytest.mark.parametrize(
    "device", ["", "short", "x" * 65, "has space 0000000000", "ｆｕｌｌｗｉｄｔｈ00000000"]
)
def test_a_device_id_of_another_shape_is_refused(device):
    with pytest.raises(ValidationError):
        devices.clean_device(device)


def test_the_address_limit_is_never_below_twice_the_capacity(settings):
    settings.DAJIA_SIGNIN_ATTEMPTS_PER_ADDRESS = 5
    assert (devices.address_limit(30), devices.address_limit(1)) == (60, 5)
