"""The needs API: public reads, suggestion + similar needs, raising and supporting with an account."""

import pytest

from dajia.needs import services
from dajia.needs.models import Need

pytestmark = pytest.mark.django_db


@pytest.fixture
def need(worker, union, categories):
    return services.need_create(actor=worker, text="孩子暑假没人照看，希望办小候鸟班", union=union)


def test_public_needs_are_listed_with_support_counts(client, need, workers):
    services.need_support(actor=workers[0], need=need)
    body = client.get("/api/needs/needs").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["text"] == need.text and item["supporters"] == 1 and item["category_code"] == "children"
    assert "author" not in item


def test_suggest_gives_a_category_and_the_similar_needs(client, need, union):
    body = client.post(
        "/api/needs/suggest",
        {"text": "暑假孩子没人带，能不能办个小候鸟班", "union": union.pk},
        content_type="application/json",
    ).json()
    assert body["category"]["code"] == "children"
    assert body["similar"][0]["id"] == need.pk


def test_raising_needs_an_account_and_bad_input_is_explained(client, worker, union, categories):
    payload = {"text": "想考个叉车证", "union": union.pk}
    assert client.post("/api/needs/needs", payload, content_type="application/json").status_code == 401
    client.force_login(worker)
    response = client.post("/api/needs/needs", payload, content_type="application/json")
    assert response.status_code == 201 and response.json()["category_code"] == "skills"
    response = client.post(
        "/api/needs/needs", {"text": "短", "union": union.pk}, content_type="application/json"
    )
    assert response.status_code == 400 and "请至少写" in response.json()["detail"]


def test_supporting_through_the_api_counts_once(client, need, workers):
    client.force_login(workers[0])
    first = client.post(f"/api/needs/needs/{need.pk}/support")
    assert first.status_code == 200 and first.json() == {
        "need_id": need.pk,
        "supporters": 1,
        "supported": True,
    }
    again = client.post(f"/api/needs/needs/{need.pk}/support")
    assert again.status_code == 400 and "已经附议" in again.json()["detail"]
    assert client.delete(f"/api/needs/needs/{need.pk}/support").json()["supporters"] == 0


def test_the_ranking_endpoint(client, need, federation, wuyi_union):
    rows = client.get("/api/needs/ranking", {"federation": federation.pk}).json()
    assert rows[0] == {
        "rank": 1,
        "category_code": "children",
        "category_name": "亲子关爱",
        "needs": 1,
        "supports": 0,
        "survey_points": 0.0,
        "demand": 1.0,
    }
    assert (
        client.get("/api/needs/ranking", {"federation": federation.pk, "union": wuyi_union.pk}).status_code
        == 403
    )


def test_hidden_needs_are_not_served(client, office_user, need):
    services.need_update_status(actor=office_user, need=need, status="declined", message="不当", hidden=True)
    assert client.get(f"/api/needs/needs/{need.pk}").status_code == 404
    assert Need.objects.filter(pk=need.pk).exists()
