import pytest
from django.urls import reverse

from dajia.core.models import AuditLog
from dajia.menu.models import ServiceProject

pytestmark = pytest.mark.django_db


def _form(category, **over):
    data = {
        "title": "班组长情绪管理培训",
        "category": category.pk,
        "description": "沟通与情绪管理课程",
        "format": "offline",
        "audience": "班组长",
        "duration_minutes": "150",
        "price": "2600",
        "capacity": "40",
        "sessions_per_year": "6",
        "areas_served": "下城区",
    }
    data.update(over)
    return data


def test_a_provider_creates_submits_and_the_office_approves(client, provider_user, office_user, category):
    client.force_login(provider_user)
    response = client.post(reverse("menu:project_create"), _form(category))
    assert response.status_code == 302
    project = ServiceProject.objects.get()
    assert project.status == "draft" and project.title_initials == "bzzqxglpx"
    client.post(reverse("menu:project_submit", args=[project.pk]))
    project.refresh_from_db()
    assert project.status == "submitted"

    client.force_login(office_user)
    assert "班组长情绪管理培训" in client.get(reverse("menu:review_queue")).content.decode()
    client.post(reverse("menu:project_review", args=[project.pk]), {"decision": "approve"})
    project.refresh_from_db()
    assert project.status == "approved"
    actions = list(AuditLog.objects.filter(object_id=str(project.pk)).values_list("action", flat=True))
    assert {"menu.project.create", "menu.project.submit", "menu.project.approve"} <= set(actions)


def test_the_office_returns_with_a_reason(client, provider_user, office_user, provider, make_project):
    project = make_project(provider, status="submitted")
    client.force_login(office_user)
    client.post(reverse("menu:project_review", args=[project.pk]), {"decision": "return", "reason": ""})
    project.refresh_from_db()
    assert project.status == "submitted"
    client.post(
        reverse("menu:project_review", args=[project.pk]), {"decision": "return", "reason": "请补充课程大纲"}
    )
    project.refresh_from_db()
    assert project.status == "returned" and project.return_reason == "请补充课程大纲"


@pytest.mark.parametrize("price", ["12.345", "-1", "abc", "1e3", "八百"])
def test_a_wrong_price_gets_a_clear_message_and_nothing_is_saved(client, provider_user, category, price):
    client.force_login(provider_user)
    response = client.post(reverse("menu:project_create"), _form(category, price=price))
    assert response.status_code == 400
    assert "价格" in response.content.decode()
    assert not ServiceProject.objects.exists()


def test_a_free_project_is_allowed(client, provider_user, category):
    client.force_login(provider_user)
    assert client.post(reverse("menu:project_create"), _form(category, price="0")).status_code == 302
    assert ServiceProject.objects.get().price == 0


def test_an_unapproved_provider_cannot_submit(client, provider_user, provider, make_project):
    provider.status = "pending"
    provider.save()
    project = make_project(provider, status="draft")
    client.force_login(provider_user)
    client.post(reverse("menu:project_submit", args=[project.pk]))
    project.refresh_from_db()
    assert project.status == "draft"


def test_a_provider_cannot_change_another_providers_project(
    client, provider_user, other_provider, make_project, category
):
    theirs = make_project(other_provider, "企业消防安全培训", status="draft")
    client.force_login(provider_user)
    assert client.get(reverse("menu:project_edit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("menu:project_edit", args=[theirs.pk]), _form(category)).status_code == 404
    assert client.post(reverse("menu:project_submit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("menu:project_delete", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.title == "企业消防安全培训" and theirs.status == "draft"


def test_a_chair_cannot_review(client, chair_user, provider, make_project):
    project = make_project(provider, status="submitted")
    client.force_login(chair_user)
    assert client.get(reverse("menu:review_queue")).status_code == 403
    assert (
        client.post(reverse("menu:project_review", args=[project.pk]), {"decision": "approve"}).status_code
        == 403
    )
    project.refresh_from_db()
    assert project.status == "submitted"


def test_office_of_another_federation_cannot_approve(client, other_office_user, provider, make_project):
    project = make_project(provider, status="submitted")
    client.force_login(other_office_user)
    assert (
        client.post(reverse("menu:project_review", args=[project.pk]), {"decision": "approve"}).status_code
        == 403
    )
    project.refresh_from_db()
    assert project.status == "submitted"
