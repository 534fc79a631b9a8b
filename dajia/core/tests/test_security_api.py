"""The JSON API against its own served schema (/api/openapi.json), with schemathesis: every operation, as each
role — anonymous, union office, grassroots chair, provider (``Authorization: Bearer`` tokens) — with valid and
invalid input. No answer may be a server error (5xx), and every answer must match the schema it documents
(body, content type, headers).

Bounded: a few dozen examples per operation and role, no shrinking, no example database on disk; the whole
file runs in a couple of minutes on SQLite or PostgreSQL. The data is a small federation with a published
project, a session with scores, needs and supports, so ids the generator picks (small integers) often exist.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import schemathesis
from django.utils import timezone
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
)

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 25
ROLES = ["anonymous", "office", "chair", "provider"]
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    response_headers_conformance,
]


@pytest.fixture
def in_test_transaction():
    """Schemathesis calls the WSGI application directly, which closes the database connection at the end of each
    request — and with it the test's transaction. Django's own test client avoids this the same way."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_world(
    in_test_transaction, office_user, chair_user, provider_user, provider, federation, union, make_project
):
    """Some of everything the API reads, and a token per role."""
    from dajia.accounts.services import api_token_create
    from dajia.consultations import services_roster, services_setup
    from dajia.needs.models import Need

    projects = [make_project(provider, f"职工心理减压工作坊{i}") for i in range(3)]
    make_project(provider, "草稿项目", status="draft")
    session = services_setup.session_create(
        actor=office_user,
        federation=federation,
        title="2020年下城区工会购买服务协商会",
        starts_at=timezone.make_aware(datetime.datetime(2020, 9, 18, 14, 0)),
        venue="下城区职工服务中心",
        budget=Decimal("200000"),
    )
    services_setup.criterion_set(
        actor=office_user,
        session=session,
        criteria=[
            {"name": c["name"], "max_points": c["max_points"]} for c in services_setup.DEFAULT_CRITERIA
        ],
    )
    for project in projects:
        services_roster.entry_add(actor=office_user, session=session, project=project)
    services_roster.evaluator_add(actor=office_user, session=session, name="王芳", group="政协委员")
    Need.objects.create(text="希望社会组织给予更加详细的菜单式服务", federation=federation, union=union)
    return {
        "anonymous": {},
        "office": {"Authorization": f"Bearer {api_token_create(user=office_user, name='fuzz')}"},
        "chair": {"Authorization": f"Bearer {api_token_create(user=chair_user, name='fuzz')}"},
        "provider": {"Authorization": f"Bearer {api_token_create(user=provider_user, name='fuzz')}"},
    }


def _served_schema():
    """The schema as the server serves it, fetched through the WSGI application (no database needed)."""
    from dajia.wsgi import application

    loaded = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    loaded.config.generation.update(
        modes=[schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE],
        max_examples=MAX_EXAMPLES,
    )
    return loaded


schema = _served_schema()


@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_every_operation_without_server_errors_and_as_documented(case, role, api_world):
    case.call_and_validate(headers=api_world[role], checks=CHECKS)
