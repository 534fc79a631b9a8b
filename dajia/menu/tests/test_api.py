import pytest

from dajia.accounts.services import api_token_create
from dajia.menu.models import ServiceProject

pytestmark = pytest.mark.django_db


def _payload(category, **over):
    data = {
        "category": category.pk,
        "title": "班组长情绪管理培训",
        "description": "沟通与情绪管理课程",
        "format": "offline",
        "audience": "班组长",
        "duration_minutes": 150,
        "price": "2600.00",
        "capacity": 40,
        "sessions_per_year": 6,
    }
    data.update(over)
    return data


def test_the_schema_is_served(client):
    schema = client.get("/api/openapi.json").json()
    assert "/api/menu/projects" in schema["paths"]
    assert "/api/menu/mine" in schema["paths"]


def test_the_api_lists_with_the_same_filters(client, provider, make_project):
    make_project(provider, "企业消防安全与应急疏散演练", description="灭火器")
    make_project(provider, "心理咨询热线", price="600.00")
    data = client.get("/api/menu/projects", {"q": "xfaq"}).json()
    assert [p["title"] for p in data["items"]] == ["企业消防安全与应急疏散演练"]
    data = client.get("/api/menu/projects", {"price_max": "1000"}).json()
    assert [p["title"] for p in data["items"]] == ["心理咨询热线"]


def test_a_provider_creates_a_project_with_a_token(client, provider_user, category):
    key = api_token_create(user=provider_user, name="test")
    response = client.post(
        "/api/menu/mine",
        _payload(category),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 201, response.content
    assert ServiceProject.objects.get().status == "draft"


def test_anonymous_cannot_create(client, category):
    response = client.post("/api/menu/mine", _payload(category), content_type="application/json")
    assert response.status_code == 401
    assert not ServiceProject.objects.exists()


@pytest.mark.parametrize("price", ["12.345", "-5", "abc"])
def test_a_wrong_price_is_a_400_with_a_chinese_message(client, provider_user, category, price):
    client.force_login(provider_user)
    response = client.post(
        "/api/menu/mine",
        _payload(category, price=price),
        content_type="application/json",
        HTTP_X_CSRFTOKEN="x",
    )
    assert response.status_code == 400, response.content
    assert "价格" in response.json()["detail"]
    assert not ServiceProject.objects.exists()


def test_a_provider_cannot_update_another_providers_project(
    client, provider_user, other_provider, make_project
):
    theirs = make_project(other_provider, "企业消防安全培训", status="draft")
    key = api_token_create(user=provider_user, name="test")
    response = client.patch(
        f"/api/menu/mine/{theirs.pk}",
        {"title": "被改了"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.title == "企业消防安全培训"


def test_a_provider_updates_its_own_draft(client, provider_user, provider, make_project):
    mine = make_project(provider, "心理热线", status="draft")
    key = api_token_create(user=provider_user, name="test")
    response = client.patch(
        f"/api/menu/mine/{mine.pk}",
        {"price": "650"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 200
    mine.refresh_from_db()
    assert str(mine.price) == "650.00"
