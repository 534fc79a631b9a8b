"""The one rule for texted one-time codes (dajia/core/codes.py), on a plain row: what participation's viewer codes
and accounts' registration codes both rely on."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError

from dajia.core import codes, sms

NOW = datetime.datetime(2026, 12, 2, 9, 0, tzinfo=datetime.UTC)

pytestmark = pytest.mark.usefixtures("english_messages")


@dataclass
class Row:
    """Stands for a code model: judge_code reads and writes these four fields and calls save()."""

    code_hash: str
    expires_at: datetime.datetime
    attempts: int = 0
    used_at: datetime.datetime | None = None
    saved: int = 0

    def save(self, update_fields):
        self.saved += 1


def _row(code="123456", **kw) -> Row:
    return Row(code_hash=codes.keyed("test", code), expires_at=NOW + datetime.timedelta(minutes=5), **kw)


def test_the_right_code_is_used_once():
    row = _row()
    assert codes.judge_code(row, codes.keyed("test", "123456"), NOW) is None
    assert row.used_at == NOW
    again = codes.judge_code(row, codes.keyed("test", "123456"), NOW)
    assert again == codes.CodeOutcome(ok=False, error="Please ask for a code first.")


def test_wrong_codes_count_until_the_attempts_are_used_up(settings):
    settings.DAJIA_PARTICIPATION_CODE_ATTEMPTS = 3
    row = _row()
    first = codes.judge_code(row, codes.keyed("test", "000000"), NOW)
    assert (first.ok, first.error, row.attempts) == (False, "The code is not right; 2 attempts left.", 1)
    codes.judge_code(row, codes.keyed("test", "000000"), NOW)
    third = codes.judge_code(row, codes.keyed("test", "000000"), NOW)
    assert third.error == "Too many wrong attempts. Please ask for a new code."
    # Used up: even the right code is refused now, and nothing more is counted.
    right = codes.judge_code(row, codes.keyed("test", "123456"), NOW)
    assert (right.error, row.attempts, row.used_at) == (
        "Too many wrong attempts. Please ask for a new code.",
        3,
        None,
    )


def test_an_expired_code_is_refused_without_counting():
    row = _row()
    late = codes.judge_code(row, codes.keyed("test", "123456"), NOW + datetime.timedelta(minutes=5))
    assert (late.error, row.attempts, row.saved) == ("This code has expired. Please ask for a new one.", 0, 0)


def test_no_row_asks_for_a_code():
    assert codes.judge_code(None, "x", NOW).error == "Please ask for a code first."


@pytest.mark.parametrize("typed", ["123456", " 123 456 ", "１２３４５６"])
def test_typed_codes_are_forgiven_spaces_and_full_width_digits(typed):
    assert codes.clean_code(typed) == "123456"


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "12345a", "一二三四五六", None])
def test_anything_else_is_refused_on_the_code_field(typed):
    with pytest.raises(ValidationError) as refused:
        codes.clean_code(typed)
    assert refused.value.message_dict == {"code": ["Please enter the 6-digit code from the text message."]}


def test_keyed_hashes_depend_on_the_label_and_the_key(settings):
    settings.DAJIA_PARTICIPATION_HASH_KEY = ""
    derived = codes.keyed("viewer:1", "13800138000")
    assert derived != codes.keyed("viewer:2", "13800138000")
    settings.DAJIA_PARTICIPATION_HASH_KEY = "a dedicated key"
    assert codes.keyed("viewer:1", "13800138000") != derived
    assert len(codes.new_code()) == 6 and codes.new_code().isdigit()


def test_a_failed_text_is_a_message_for_the_person(settings):
    settings.DAJIA_SMS_BACKEND = "dajia.core.tests.test_codes.FailingSender"
    with pytest.raises(ValidationError) as refused:
        codes.send_text("13800138000", "code", event="verification_code", params={})
    assert refused.value.messages == ["The text message could not be sent. Please try again in a minute."]


class FailingSender:
    def send(self, message):
        raise sms.SmsError("gateway down")
