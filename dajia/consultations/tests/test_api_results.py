"""GET /api/sessions/{id}/results: the same figures as the page, the export and the engine."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dajia.consultations import services_results
from dajia.consultations.models import Session
from dajia.consultations.results import session_tally
from dajia.consultations.tests.test_results_support import make_grouped_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def grouped_session(federation, make_project):
    return make_grouped_session(federation, make_project)


def test_api_figures_equal_the_engine_the_page_and_the_export(client, office_user, grouped_session):
    client.force_login(office_user)
    body = client.get(f"/api/sessions/{grouped_session.pk}/results").json()
    result, context = session_tally(grouped_session)
    assert body["published"] is False and body["state"] == "closed"
    assert body["method"] == "trimmed" and body["trim_min"] == 5
    assert body["group_weights"] == {"基层工会主席": "0.6", "政协委员": "0.4"}
    assert [c["name"] for c in body["criteria"]] == [
        "内容实用有效",
        "方式方法新颖",
        "成熟度吸引力",
        "受众接纳参与",
    ]
    for item, row in zip(body["projects"], context.rows, strict=True):
        p = row.result
        assert item["project"] == p.project
        assert item["score"] == f"{p.score:.2f}"
        assert item["rank"] == p.rank and item["tied"] == p.tied and item["evaluators"] == p.evaluators
        assert item["groups"] == {g: f"{v:.2f}" for g, v in p.groups.items()}
        assert item["criteria"] == {c: f"{v:.2f}" for c, v in p.criteria.items()}
        assert item["selected"] == row.selection.selected
        assert item["amount"] == f"{row.entry.amount:.2f}"
    page = client.get(reverse("consultations:results", args=[grouped_session.pk])).content.decode()
    summary = load_workbook(
        io.BytesIO(client.get(reverse("consultations:results_xlsx", args=[grouped_session.pk])).content)
    )
    xlsx_scores = [Decimal(str(r[3])) for r in summary["评审结果"].iter_rows(min_row=2, values_only=True)]
    for item, xlsx_score in zip(body["projects"], xlsx_scores, strict=True):
        assert item["score"] in page
        assert Decimal(item["score"]) == xlsx_score
    assert body["counted_sheets"] == len(result.counted) == 23
    assert body["incomplete_sheets"] == 1
    assert body["selection"]["spent"] == f"{context.selection.spent:.2f}"


def test_api_after_publication_returns_the_published_record(client, office_user, grouped_session):
    services_results.session_reveal(actor=office_user, session=grouped_session)
    published = services_results.session_publish(actor=office_user, session=grouped_session)
    body = client.get(f"/api/sessions/{grouped_session.pk}/results").json()
    assert body["published"] is True
    assert body["digest"] == published.digest
    assert body["receipts"] == published.receipts
    assert [p["score"] for p in body["projects"]] == [p["score"] for p in published.payload["projects"]]


def test_api_explains_a_result_that_cannot_be_computed(client, office_user, grouped_session):
    Session.objects.filter(pk=grouped_session.pk).update(group_weights={"政协委员": "0.4"})
    client.force_login(office_user)
    response = client.get(f"/api/sessions/{grouped_session.pk}/results")
    assert response.status_code == 409
    assert "基层工会主席" in response.json()["detail"]


def test_api_is_in_the_openapi_schema(client):
    schema = client.get("/api/openapi.json").json()
    assert "/api/sessions/{session_id}/results" in schema["paths"]
