"""Desk personas: two parks of one federation, their enterprises, volunteers on a rota, the park office, the
team lead and enterprise contacts. The clock the services are given is a Tuesday morning on duty."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from dajia.conftest import make_user
from dajia.core.validators import make_uscc

# Tuesday 8 December 2026, 9:00 in Shanghai: every volunteer below is on duty then.
NOW = timezone.make_aware(datetime.datetime(2026, 12, 8, 9, 0))


def make_volunteer(username, *, federation, parks, specialty="lawyer", firm="浙江中义律师事务所", rota=True):
    from dajia.accounts.models import Role, RoleAssignment
    from dajia.desk.models import RotaSlot, Volunteer

    user = make_user(username, role=Role.EXPERT)
    volunteer = Volunteer.objects.create(user=user, federation=federation, specialty=specialty, firm=firm)
    for park in parks:
        RoleAssignment.objects.create(user=user, role=Role.EXPERT, park=park)
        if rota:
            RotaSlot.objects.bulk_create(
                RotaSlot(
                    park=park,
                    volunteer=volunteer,
                    weekday=d,
                    starts=datetime.time(8, 30),
                    ends=datetime.time(17, 30),
                )
                for d in range(5)
            )
    return volunteer


@pytest.fixture
def park(federation):
    from dajia.orgs.models import Park

    return Park.objects.create(name="泉溪镇小微企业园", federation=federation)


@pytest.fixture
def other_park(federation):
    from dajia.orgs.models import Park

    return Park.objects.create(name="桐琴小微企业园", federation=federation)


def _enterprise(federation, park, name, serial):
    from dajia.orgs.models import Enterprise

    return Enterprise.objects.create(
        name=name, uscc=make_uscc(f"91330723{serial:09d}"), federation=federation, park=park
    )


@pytest.fixture
def enterprise(federation, park):
    return _enterprise(federation, park, "浙江旗昌工贸有限公司", 1)


@pytest.fixture
def other_enterprise(federation, park):
    return _enterprise(federation, park, "武义恒达五金制品有限公司", 2)


@pytest.fixture
def far_enterprise(federation, other_park):
    return _enterprise(federation, other_park, "武义鑫源电器有限公司", 3)


@pytest.fixture
def lawyer(federation, park):
    return make_volunteer("lawyer", federation=federation, parks=[park])


@pytest.fixture
def other_lawyer(federation, park):
    return make_volunteer("lawyer2", federation=federation, parks=[park])


@pytest.fixture
def far_lawyer(federation, other_park):
    return make_volunteer("farlawyer", federation=federation, parks=[other_park])


@pytest.fixture
def accountant(federation, park):
    return make_volunteer(
        "accountant", federation=federation, parks=[park], specialty="accountant", firm="武义信达税务师事务所"
    )


@pytest.fixture
def lead(federation, park):
    from dajia.desk.models import Team

    volunteer = make_volunteer(
        "lead", federation=federation, parks=[park], specialty="finance", firm="武义农商银行"
    )
    Team.objects.create(park=park, lead=volunteer)
    return volunteer


@pytest.fixture
def park_office_user(park):
    return make_user("parkoffice", role="park", park=park)


@pytest.fixture
def other_park_office_user(other_park):
    return make_user("parkoffice2", role="park", park=other_park)


@pytest.fixture
def contact_user(enterprise):
    user = make_user("contact", role="enterprise", enterprise=enterprise)
    user.mobile = "13900000001"
    user.save(update_fields=["mobile"])
    return user


@pytest.fixture
def other_contact_user(other_enterprise):
    return make_user("contact2", role="enterprise", enterprise=other_enterprise)


@pytest.fixture(autouse=True)
def _english(english_messages):
    """Services' messages are read in English in every desk test (the pages are tested in Chinese)."""


@pytest.fixture
def told(monkeypatch):
    """What the desk told whom (the arguments of every notify call), in order."""
    calls = []
    monkeypatch.setattr("dajia.desk.notify._send", lambda **kw: calls.append(kw))
    return calls


@pytest.fixture
def raise_case(told):
    """Raise a case through the service at NOW (the caller names the actor and anything else)."""
    from dajia.desk import services

    def make(actor, **kw):
        kw.setdefault("specialty", "lawyer")
        kw.setdefault("description", "劳动合同到期不续签，要支付经济补偿吗？")
        kw.setdefault("now", NOW)
        return services.case_raise(actor=actor, **kw)

    return make
