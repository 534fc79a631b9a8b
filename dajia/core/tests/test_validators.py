import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from dajia.core.validators import (
    USCC_CHARSET,
    id_card_error,
    make_uscc,
    mask_mobile,
    mask_name,
    mobile_error,
    uscc_error,
    uscc_org_code_warning,
    validate_uscc,
)
from dajia.demo.codes import uscc


def test_it_accepts_a_code_with_the_right_check_character():
    code = uscc("52", "330103", 5000037)
    assert uscc_error(code) is None
    assert uscc_org_code_warning(code) is None


def test_it_reads_full_width_and_lower_case():
    code = uscc("91", "330723", 8000071)
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in code.lower())
    assert uscc_error(full_width) is None


@given(st.text(alphabet=USCC_CHARSET, min_size=17, max_size=17), st.sampled_from(USCC_CHARSET))
def test_it_rejects_every_wrong_check_character(first17, check):
    code = first17 + check
    if check == make_uscc(first17)[-1]:
        assert uscc_error(code) is None
    else:
        assert "校验" in uscc_error(code) or "check" in uscc_error(code)


def test_it_explains_length_and_forbidden_characters():
    assert uscc_error("123") is not None
    assert uscc_error("91330103MA2XXXXXXI") is not None  # I is not in the charset
    with pytest.raises(ValidationError):
        validate_uscc("913301030000000000")


def test_the_inner_organisation_code_check_only_warns():
    # The 18th character is right, but the GB 11714 check inside (position 17) is wrong.
    first17 = "52330103" + "12345678" + "0"
    code = make_uscc(first17)
    assert uscc_error(code) is None
    assert uscc_org_code_warning(code) is not None


@pytest.mark.parametrize(
    "number", ["13812345678", "+86 138 1234 5678", "１３８１２３４５６７８", "199-1234-5678"]
)
def test_it_accepts_mainland_mobiles(number):
    assert mobile_error(number) is None


@pytest.mark.parametrize("number", ["12812345678", "1381234567", "138123456789", "abc", "", "0571-88888888"])
def test_it_rejects_other_numbers(number):
    assert mobile_error(number) is not None


def test_id_card_checksum():
    assert id_card_error("11010519491231002X") is None
    assert id_card_error("110105194912310021") is not None
    assert id_card_error("1101051949") is not None


def test_masking():
    assert mask_name("张三") == "张＊"
    assert mask_name("欧阳娜娜") == "欧＊娜娜"
    assert mask_mobile("13812345678") == "138****5678"
