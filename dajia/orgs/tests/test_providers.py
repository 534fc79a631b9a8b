import pytest
from django.urls import reverse

from dajia.core.models import AuditLog
from dajia.orgs.models import Provider

pytestmark = pytest.mark.django_db


def test_office_approves_a_pending_provider(client, office_user, federation):
    from dajia.conftest import make_provider

    pending = make_provider(federation, "下城区邻里互助社工服务社", 3003, status="pending")
    client.force_login(office_user)
    response = client.post(reverse("orgs:provider_review", args=[pending.pk]), {"decision": "approve"})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == "approved"
    assert AuditLog.objects.filter(action="orgs.provider.review", object_id=str(pending.pk)).exists()


def test_a_rejection_needs_a_reason(client, office_user, federation):
    from dajia.conftest import make_provider

    pending = make_provider(federation, "下城区邻里互助社工服务社", 3003, status="pending")
    client.force_login(office_user)
    client.post(reverse("orgs:provider_review", args=[pending.pk]), {"decision": "reject", "reason": ""})
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_office_of_another_federation_cannot_review(client, other_office_user, federation):
    from dajia.conftest import make_provider

    pending = make_provider(federation, "下城区邻里互助社工服务社", 3003, status="pending")
    client.force_login(other_office_user)
    response = client.post(reverse("orgs:provider_review", args=[pending.pk]), {"decision": "approve"})
    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_a_provider_edits_its_own_organisation(client, provider_user, provider):
    client.force_login(provider_user)
    data = {
        "uscc": provider.uscc,
        "contact_name": "新联系人",
        "contact_mobile": "13900001111",
        "address": "",
        "introduction": "简介",
        "has_union": "on",
    }
    response = client.post(reverse("orgs:provider_edit", args=[provider.pk]), data)
    assert response.status_code == 302
    provider.refresh_from_db()
    assert provider.contact_name == "新联系人" and provider.has_union


def test_a_provider_cannot_edit_another_organisation(client, provider_user, other_provider):
    client.force_login(provider_user)
    data = {"uscc": other_provider.uscc, "contact_name": "冒名", "contact_mobile": "13900001111"}
    assert client.get(reverse("orgs:provider_edit", args=[other_provider.pk])).status_code == 404
    assert client.post(reverse("orgs:provider_edit", args=[other_provider.pk]), data).status_code == 404
    other_provider.refresh_from_db()
    assert other_provider.contact_name != "冒名"


def test_a_wrong_credit_code_on_the_form_is_a_400_and_nothing_changes(client, provider_user, provider):
    client.force_login(provider_user)
    before = provider.uscc
    data = {"uscc": "52330103000000000X", "contact_name": "改名", "contact_mobile": "13900001111"}
    response = client.post(reverse("orgs:provider_edit", args=[provider.pk]), data)
    assert response.status_code == 400
    assert "统一社会信用代码" in response.content.decode()
    provider.refresh_from_db()
    assert provider.uscc == before and provider.contact_name != "改名"


def test_a_chair_updates_its_own_union(client, chair_user, union):
    client.force_login(chair_user)
    response = client.post(reverse("orgs:union_detail", args=[union.pk]), {"members": 150})
    assert response.status_code == 302
    union.refresh_from_db()
    assert union.members == 150


def test_a_chair_cannot_act_for_another_union(client, chair_user, other_union):
    client.force_login(chair_user)
    assert client.get(reverse("orgs:union_detail", args=[other_union.pk])).status_code == 404
    assert client.post(reverse("orgs:union_detail", args=[other_union.pk]), {"members": 1}).status_code == 404
    other_union.refresh_from_db()
    assert other_union.members == 80


def test_office_sees_only_its_own_federations_providers(client, other_office_user, provider):
    client.force_login(other_office_user)
    response = client.get(reverse("orgs:provider_list"))
    assert response.status_code == 200
    assert provider.name not in response.content.decode()
    assert Provider.objects.count() == 1
