"""The global service categories: only the top federation's office edits them; the other offices propose."""

import pytest
from django.urls import reverse

from dajia.conftest import make_user
from dajia.core.models import AuditLog
from dajia.menu.models import Category, CategoryProposal
from dajia.orgs.models import Federation

pytestmark = pytest.mark.django_db


@pytest.fixture
def district(federation):
    """A district federation below the top one (``federation`` has no parent)."""
    return Federation.objects.create(name="下城区朝晖街道总工会", region="朝晖街道", parent=federation)


@pytest.fixture
def district_office(district):
    return make_user("chaohui_office", role="office", federation=district)


def _edit(client, category, **over):
    data = {
        "code": category.code,
        "name_zh": category.name_zh,
        "name_en": category.name_en,
        "description": "",
        "keywords": "",
        "position": 0,
        "active": "on",
    }
    data.update(over)
    return client.post(reverse("menu:category_edit", args=[category.pk]), data)


def test_the_top_office_edits_a_category(client, office_user, category):
    client.force_login(office_user)
    assert _edit(client, category, name_zh="职工心理健康").status_code == 302
    category.refresh_from_db()
    assert category.name_zh == "职工心理健康"
    assert AuditLog.objects.filter(action="menu.category.save", object_id=str(category.pk)).exists()


def test_a_district_office_cannot_edit_or_add_a_category(client, district_office, category):
    client.force_login(district_office)
    before = Category.objects.get(pk=category.pk).name_zh
    assert client.get(reverse("menu:category_edit", args=[category.pk])).status_code == 403
    assert _edit(client, category, name_zh="改名").status_code == 403
    added = client.post(
        reverse("menu:category_list"), {"action": "add", "code": "x", "name_zh": "新类", "position": 0}
    )
    assert added.status_code == 403
    assert Category.objects.get(pk=category.pk).name_zh == before
    assert not Category.objects.filter(code="x").exists()


def test_the_list_offers_a_district_office_no_edit_link_but_a_proposal_form(
    client, district_office, category
):
    client.force_login(district_office)
    page = client.get(reverse("menu:category_list"))
    assert page.status_code == 200
    text = page.content.decode()
    assert reverse("menu:category_edit", args=[category.pk]) not in text
    assert 'value="propose"' in text


def test_a_district_office_proposes_and_the_top_office_accepts_a_new_category(
    client, district_office, office_user, district
):
    client.force_login(district_office)
    response = client.post(
        reverse("menu:category_list"),
        {"action": "propose", "name_zh": "新就业形态劳动者服务", "reason": "外卖骑手需求多"},
    )
    assert response.status_code == 302
    proposal = CategoryProposal.objects.get()
    assert proposal.federation == district and proposal.status == "pending"
    assert AuditLog.objects.filter(action="menu.category.propose", actor=district_office).exists()

    client.force_login(office_user)
    page = client.get(reverse("menu:category_list"))
    assert "新就业形态劳动者服务" in page.content.decode()
    decided = client.post(reverse("menu:category_proposal_decide", args=[proposal.pk]), {"accept": "1"})
    assert decided.status_code == 302
    created = Category.objects.get(name_zh="新就业形态劳动者服务")
    assert created.code.startswith("xin-jiu-ye")
    proposal.refresh_from_db()
    assert (
        proposal.status == "accepted" and proposal.category == created and proposal.decided_by == office_user
    )
    assert AuditLog.objects.filter(
        action="menu.category.proposal.accept", object_id=str(proposal.pk)
    ).exists()


def test_an_accepted_change_renames_the_category(client, district_office, office_user, category):
    client.force_login(district_office)
    client.post(
        reverse("menu:category_list"),
        {"action": "propose", "category": category.pk, "name_zh": "安全生产与应急", "reason": "范围更广"},
    )
    proposal = CategoryProposal.objects.get()
    client.force_login(office_user)
    client.post(reverse("menu:category_proposal_decide", args=[proposal.pk]), {"accept": "1"})
    category.refresh_from_db()
    assert category.name_zh == "安全生产与应急"


def test_declining_needs_a_reason_and_the_proposer_sees_it(client, district_office, office_user):
    client.force_login(district_office)
    client.post(reverse("menu:category_list"), {"action": "propose", "name_zh": "重复的类", "reason": "试试"})
    proposal = CategoryProposal.objects.get()
    client.force_login(office_user)
    url = reverse("menu:category_proposal_decide", args=[proposal.pk])
    assert client.post(url, {"accept": "0", "response": ""}).status_code == 400
    assert client.post(url, {"accept": "0", "response": "已有“职工心理”类"}).status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "declined"
    assert not Category.objects.filter(name_zh="重复的类").exists()
    assert client.post(url, {"accept": "1"}).status_code == 400  # decided once
    client.force_login(district_office)
    assert "已有“职工心理”类" in client.get(reverse("menu:category_list")).content.decode()


def test_a_district_office_cannot_decide_proposals(client, district_office, office_user):
    client.force_login(district_office)
    client.post(reverse("menu:category_list"), {"action": "propose", "name_zh": "自批", "reason": "急"})
    proposal = CategoryProposal.objects.get()
    response = client.post(reverse("menu:category_proposal_decide", args=[proposal.pk]), {"accept": "1"})
    assert response.status_code == 403
    assert CategoryProposal.objects.get().status == "pending"
    assert not Category.objects.filter(name_zh="自批").exists()


def test_an_office_does_not_see_another_federations_proposals(
    client, district_office, other_office_user, other_federation
):
    below_other = Federation.objects.create(name="武义县桐琴镇总工会", parent=other_federation)
    stranger = make_user("tongqin_office", role="office", federation=below_other)
    client.force_login(stranger)
    client.post(reverse("menu:category_list"), {"action": "propose", "name_zh": "桐琴提议", "reason": "本地"})
    client.force_login(district_office)
    assert "桐琴提议" not in client.get(reverse("menu:category_list")).content.decode()


def test_a_provider_cannot_see_or_propose(client, provider_user):
    client.force_login(provider_user)
    assert client.get(reverse("menu:category_list")).status_code == 403
    response = client.post(
        reverse("menu:category_list"), {"action": "propose", "name_zh": "x", "reason": "y"}
    )
    assert response.status_code == 403
    assert not CategoryProposal.objects.exists()


def test_a_bad_proposal_is_a_400_and_nothing_is_saved(client, district_office):
    client.force_login(district_office)
    response = client.post(reverse("menu:category_list"), {"action": "propose", "name_zh": "", "reason": ""})
    assert response.status_code == 400
    assert not CategoryProposal.objects.exists()


def test_the_top_offices_list_of_proposals_has_constant_queries(client, office_user, district_office):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def propose(count):
        client.force_login(district_office)
        for _ in range(count):
            n = CategoryProposal.objects.count()
            client.post(
                reverse("menu:category_list"), {"action": "propose", "name_zh": f"类{n}", "reason": "r"}
            )
        client.force_login(office_user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("menu:category_list")).status_code == 200
        return len(queries)

    assert propose(1) == propose(8)
