"""The one rule for "not yours" (docs/CONVENTIONS.md), walked over every app's object pages: a user with the
page's role but not the object gets 404 (the object's existence is not confirmed), a user without the role 403.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from dajia.conftest import make_user
from dajia.menu.defaults import install_default_categories
from dajia.menu.models import Category
from dajia.needs import services as needs_services
from dajia.needs import services_surveys

pytestmark = pytest.mark.django_db

# Each test: the persona with the role but not the object (404), the persona without the role (403).
SESSION_PAGES = [
    "consultations:setup",
    "consultations:session_edit",
    "consultations:rubric",
    "consultations:entries",
    "consultations:evaluators",
    "consultations:results",
    "participation:console",
    "participation:moderate",
    "participation:abuse",
    "needs:coverage",
]


@pytest.fixture
def session(draft_session):
    return draft_session


@pytest.fixture
def survey(office_user, federation, union):
    install_default_categories(Category)
    survey = services_surveys.survey_create(
        actor=office_user, federation=federation, title="2020年职工需求调研"
    )
    services_surveys.question_add(actor=office_user, survey=survey, kind="rating", text="满意度")
    return survey


@pytest.fixture
def need(union):
    install_default_categories(Category)
    worker = make_user("worker", role="worker")
    return needs_services.need_create(actor=worker, text="希望开展职工心理健康讲座", union=union)


@pytest.fixture
def other_chair(db, other_federation):
    from dajia.orgs.models import Union

    theirs = Union.objects.create(name="武义某公司工会", federation=other_federation, members=30)
    return make_user("otherchair", role="chair", union=theirs)


def _status(user, url: str, method: str = "get") -> int:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return getattr(client, method)(url).status_code


@pytest.mark.parametrize("name", SESSION_PAGES)
def test_another_federations_session_is_not_found_and_a_chair_is_refused(
    name, session, other_office_user, chair_user
):
    url = reverse(name, args=[session.pk])
    assert _status(other_office_user, url) == 404
    assert _status(chair_user, url) == 403


def test_agreements_of_another_federations_session_are_not_generated(session, other_office_user, chair_user):
    url = reverse("agreements:generate", args=[session.pk])
    assert _status(other_office_user, url, "post") == 404
    assert _status(chair_user, url, "post") == 403


@pytest.mark.parametrize("name", ["needs:survey_detail", "needs:survey_results", "needs:survey_export"])
def test_another_federations_survey_is_not_found(name, survey, other_office_user, provider_user):
    url = reverse(name, args=[survey.pk])
    assert _status(other_office_user, url) == 404
    assert _status(provider_user, url) == 403


@pytest.mark.parametrize("name", ["needs:status", "needs:categorise", "needs:merge"])
def test_another_federations_need_is_not_found(name, need, other_office_user, provider_user):
    url = reverse(name, args=[need.pk])
    assert _status(other_office_user, url, "post") == 404
    assert _status(provider_user, url, "post") == 403


@pytest.mark.parametrize("name", ["menu:project_edit", "menu:project_submit", "menu:project_delete"])
def test_another_providers_project_is_not_found(
    name, provider, make_project, other_provider_user, chair_user
):
    project = make_project(provider, "职工心理健康讲座", status="draft")
    method = "get" if name == "menu:project_edit" else "post"
    url = reverse(name, args=[project.pk])
    assert _status(other_provider_user, url, method) == 404
    assert _status(chair_user, url, method) == 403


def test_another_organisation_is_not_found(provider, other_provider_user, other_office_user, chair_user):
    url = reverse("orgs:provider_edit", args=[provider.pk])
    assert _status(other_provider_user, url) == 404
    assert _status(other_office_user, url) == 404
    assert _status(chair_user, url) == 403


def test_another_union_is_not_found(union, other_chair, other_office_user, provider_user):
    url = reverse("orgs:union_detail", args=[union.pk])
    assert _status(other_chair, url) == 404
    assert _status(other_office_user, url) == 404
    assert _status(provider_user, url) == 403


def test_the_owner_still_opens_each_page(session, office_user, provider, provider_user, union, chair_user):
    assert _status(office_user, reverse("consultations:setup", args=[session.pk])) == 200
    assert _status(provider_user, reverse("orgs:provider_edit", args=[provider.pk])) == 200
    assert _status(chair_user, reverse("orgs:union_detail", args=[union.pk])) == 200
