"""Lecture personas: the desk's parks, enterprises, volunteers, team lead, park office and enterprise contacts
(``dajia/desk/tests/conftest.py``, imported), a topic on the menu, and lectures in each state. The orders'
fixtures are here too, for the sign-in tests that run one rule over an order and a lecture."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from dajia.agreements.tests.fixtures import *  # noqa: F403
from dajia.desk.tests.conftest import *  # noqa: F403
from dajia.desk.tests.conftest import NOW

STARTS = NOW + datetime.timedelta(days=7, hours=5)  # Tuesday 15 December 2026, 14:00


@pytest.fixture
def told(monkeypatch):
    """What the lectures told whom (the arguments of every notify call), in order."""
    calls = []
    monkeypatch.setattr("dajia.lectures.notify._send", lambda **kw: calls.append(kw))
    return calls


@pytest.fixture
def topic(office_user, federation):
    from dajia.lectures import services

    return services.topic_save(
        actor=office_user,
        federation_id=federation.pk,
        specialty="lawyer",
        title="劳动合同签订与解除",
        minutes=90,
    )


@pytest.fixture
def requested(park_office_user, park, topic, told):
    from dajia.lectures import services

    return services.lecture_request(
        actor=park_office_user,
        topic=topic,
        park=park,
        preferred_dates="下周二下午",
        place="园区党群服务中心",
        expected_audience=40,
        now=NOW,
    )


@pytest.fixture
def scheduled(requested, office_user, lawyer):
    from dajia.lectures import services

    return services.lecture_schedule(
        actor=office_user,
        lecture=requested,
        starts_at=STARTS,
        place="园区党群服务中心二楼",
        capacity=30,
        speaker=lawyer,
        now=NOW,
    )


@pytest.fixture
def during_lecture(monkeypatch):
    moment = STARTS + datetime.timedelta(minutes=10)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment
