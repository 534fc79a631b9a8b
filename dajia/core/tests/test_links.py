"""``core.links.url_of_each``: the address of each record, as ``reverse()`` gives it, reversed once."""

from __future__ import annotations

import pytest
from django.urls import reverse, set_script_prefix

from dajia.core.links import url_of_each


@pytest.mark.parametrize("name", ["orders:detail", "agreements:detail", "needs:detail", "desk:case_detail"])
def test_each_id_gets_the_address_reverse_gives_it(name):
    url = url_of_each(name)
    for pk in (1, 7, 40, 1_000_000):
        assert url(pk) == reverse(name, args=[pk])


def test_a_site_under_a_prefix_keeps_its_prefix():
    set_script_prefix("/dajia/")
    try:
        assert url_of_each("orders:detail")(12) == reverse("orders:detail", args=[12]) == "/dajia/orders/12/"
    finally:
        set_script_prefix("/")


def test_a_pattern_without_an_id_is_refused():
    with pytest.raises(ValueError):
        url_of_each("orders:overview")
