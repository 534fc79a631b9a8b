"""The ledger's figures of the health checks and the lectures: a check counts once its report is issued, a
lecture once it is delivered; each for its park, its reviewer or speaker and its month, and in no one else's
scope; a speaker is credited the topic's length."""

from __future__ import annotations

import datetime

import pytest

from dajia.lectures import services as lectures
from dajia.lectures.tests.conftest import STARTS
from dajia.ledger import selectors
from dajia.ledger.period import calendar_year
from dajia.ledger.selectors import Scope

pytestmark = pytest.mark.django_db

YEAR = calendar_year(2026)


def test_a_check_in_review_is_not_counted(federation, in_review):
    everyone = Scope(federation_ids=frozenset({federation.pk}))
    assert selectors.health_checks(everyone, YEAR, None) == [(None, 0)]


def test_reported_checks_and_delivered_lectures_in_every_breakdown(
    federation, reported, scheduled, lawyer, far_lawyer, park, office_user, topic
):
    lectures.lecture_deliver(actor=office_user, lecture=scheduled, now=STARTS + datetime.timedelta(hours=2))
    everyone = Scope(federation_ids=frozenset({federation.pk}))
    totals = selectors.ledger(everyone, YEAR).totals
    assert (totals["health_checks"], totals["lectures"]) == (1, 1)
    assert selectors.health_checks(everyone, YEAR, "volunteer") == [(lawyer.pk, 1)]
    assert selectors.health_checks(everyone, YEAR, "park") == [(reported.park_id, 1)]
    assert selectors.lectures_delivered(everyone, YEAR, "volunteer") == [(lawyer.pk, 1)]
    # The page reads the speakers' rows with their service time: the same row, and the topic's minutes.
    volunteers = {row.key: row for row in selectors.ledger(everyone, YEAR).breakdowns["volunteer"]}
    assert volunteers[lawyer.pk].values["lectures"] == 1 and volunteers[lawyer.pk].minutes >= 90
    assert selectors.lectures_delivered(everyone, YEAR, "park") == [(park.pk, 1)]
    ((month, n),) = selectors.lectures_delivered(everyone, YEAR, "month")
    assert (month.year, month.month, n) == (2026, 12, 1)
    # Not the other lawyer's, nor another year's.
    far = Scope(volunteer_id=far_lawyer.pk)
    assert selectors.health_checks(far, YEAR, None) == [(None, 0)]
    assert selectors.lectures_delivered(far, YEAR, None) == [(None, 0)]
    assert selectors.ledger(everyone, calendar_year(2025)).totals["lectures"] == 0
    # The speaker is credited the topic's 90 minutes beside the desk's own minutes.
    assert selectors.service_minutes(Scope(volunteer_id=lawyer.pk), YEAR)[lawyer.pk] >= topic.minutes == 90


def test_a_scheduled_lecture_is_not_counted(federation, scheduled):
    everyone = Scope(federation_ids=frozenset({federation.pk}))
    assert selectors.lectures_delivered(everyone, YEAR, None) == [(None, 0)]
