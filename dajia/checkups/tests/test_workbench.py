"""The health checks on the workbench: the park's lawyer sees the self-check to review and, once the report is
out, the return visit when it falls due; the enterprise its self-check to fill in; another park's lawyer nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dajia.checkups.models import HealthCheck

pytestmark = pytest.mark.django_db


def _groups(client, user):
    client.force_login(user)
    response = client.get(reverse("workbench:home"))
    assert response.status_code == 200
    return {g.key: g for section in response.context["sections"] for g in section["groups"]}


def test_the_lawyer_sees_the_review_and_the_due_visit(client, in_review, lawyer, far_lawyer):
    groups = _groups(client, lawyer.user)
    assert (
        groups["checkups_to_review"].count == 1
        and in_review.number in groups["checkups_to_review"].items[0].title
    )
    assert groups["checkups_visits_due"].count == 0
    assert _groups(client, far_lawyer.user)["checkups_to_review"].count == 0  # not yours


def test_a_due_visit_shows_for_its_reviewer_only(client, reported, lawyer, other_lawyer):
    assert _groups(client, lawyer.user)["checkups_visits_due"].count == 0  # not due yet
    HealthCheck.objects.filter(pk=reported.pk).update(visit_due="2026-01-05")
    assert _groups(client, lawyer.user)["checkups_visits_due"].count == 1
    assert _groups(client, other_lawyer.user)["checkups_visits_due"].count == 0


def test_the_enterprise_sees_its_self_check(client, open_check, enterprise, contact_user, other_contact_user):
    check = open_check(enterprise)
    assert (
        _groups(client, contact_user)["checkups_self_check"].items[0].title
        == f"{check.number} {enterprise.name}"
    )
    assert _groups(client, other_contact_user)["checkups_self_check"].count == 0
