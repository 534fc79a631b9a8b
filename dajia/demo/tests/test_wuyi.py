"""The shared roll of 武义县's park enterprises: asked twice, it gives the same first ones and never a copy."""

from __future__ import annotations

import pytest

from dajia.core.validators import validate_uscc
from dajia.demo import wuyi
from dajia.orgs.models import Enterprise, Federation, Park

pytestmark = pytest.mark.django_db


def test_the_roll_grows_once_and_the_first_ones_stay():
    county = Federation.objects.create(name="武义县总工会", region="浙江省金华市武义县")
    for name in ("泉溪镇小微企业园", "桐琴小微企业园"):
        Park.objects.create(name=name, federation=county, address="武义县")
    first = wuyi.enterprises(county, 405)
    assert len(first) == 405 and Enterprise.objects.count() == 405
    more = wuyi.enterprises(county, 1753)
    assert [e.pk for e in more[:405]] == [e.pk for e in first]
    assert Enterprise.objects.count() == 1753
    assert len({e.name for e in more}) == 1753 and len({e.uscc for e in more}) == 1753
    for enterprise in more[::97]:
        validate_uscc(enterprise.uscc)
    assert {e.park.name for e in more} == {"泉溪镇小微企业园", "桐琴小微企业园"}
    assert wuyi.enterprises(county, 10) == more[:10]
