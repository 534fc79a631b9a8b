import shutil
import subprocess

import pytest
from django.test import Client
from django.urls import reverse

from dajia.agreements import services
from dajia.agreements.models import Agreement
from dajia.agreements.tests.fixtures import sign_both

pytestmark = pytest.mark.django_db


def login(user):
    client = Client()
    client.force_login(user)
    return client


def pdf_text(data: bytes) -> str:
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext is needed: apt-get install -y poppler-utils"
    done = subprocess.run([tool, "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True)
    return done.stdout.decode("utf-8")


@pytest.fixture
def drafted(published_session, office_user):
    services.agreements_generate(actor=office_user, session=published_session)
    return Agreement.objects.get(project__title="职工心理减压工作坊")


def test_the_pdf_holds_the_agreed_figures_in_chinese(drafted, office_user, provider_user):
    sign_both(drafted, office_user, provider_user)
    response = login(provider_user).get(reverse("agreements:pdf", args=[drafted.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(pdf_text(response.content).split())  # pdftotext wraps lines; compare without whitespace
    for expected in (
        "工会购买社会组织服务协议",
        "甲方（购买方）：下城区总工会",
        "乙方（服务方）：下城区心桥心理咨询服务中心",
        "职工心理减压工作坊",
        "28,000.00",
        "贰万捌仟元整",
        "共10场",
        "每场2,800.00元",
        "一式3份",
        drafted.number,
        drafted.versions.get().sha256[:32],
        office_user.get_full_name(),
        provider_user.get_full_name(),
    ):
        assert expected in text, expected


def test_an_older_version_prints_on_request(drafted, office_user):
    services.agreement_amend(
        actor=office_user, agreement=drafted, reason="调整场次", sessions="8", amount="22400"
    )
    client = login(office_user)
    v1 = "".join(
        pdf_text(client.get(reverse("agreements:pdf", args=[drafted.pk]), {"version": "1"}).content).split()
    )
    v2 = "".join(pdf_text(client.get(reverse("agreements:pdf", args=[drafted.pk])).content).split())
    assert "28,000.00" in v1 and "22,400.00" in v2 and "共8场" in v2
    assert client.get(reverse("agreements:pdf", args=[drafted.pk]), {"version": "9"}).status_code == 404


def test_not_yours_agreement_pages(drafted, other_office_user, other_provider_user, chair_user):
    for user in (other_office_user, other_provider_user, chair_user):
        client = login(user)
        assert client.get(reverse("agreements:detail", args=[drafted.pk])).status_code == 404
        assert client.get(reverse("agreements:pdf", args=[drafted.pk])).status_code == 404
        sha = drafted.versions.get().sha256
        assert (
            client.post(
                reverse("agreements:sign", args=[drafted.pk]), {"party": "federation", "sha256": sha}
            ).status_code
            == 404
        )


def test_the_provider_sees_and_signs_but_does_not_amend(drafted, provider_user):
    client = login(provider_user)
    page = client.get(reverse("agreements:detail", args=[drafted.pk]))
    assert page.status_code == 200 and "¥28,000.00" in page.content.decode()
    assert client.get(reverse("agreements:amend", args=[drafted.pk])).status_code == 403
    assert (
        client.post(reverse("agreements:close", args=[drafted.pk, "void"]), {"reason": "x"}).status_code
        == 403
    )
    sha = drafted.versions.get().sha256
    # Signing for the other party is refused.
    assert (
        client.post(
            reverse("agreements:sign", args=[drafted.pk]), {"party": "federation", "sha256": sha}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("agreements:sign", args=[drafted.pk]), {"party": "provider", "sha256": sha}
        ).status_code
        == 302
    )
    assert drafted.versions.get().signatures.get().party == "provider"


def test_a_stale_signature_over_http_is_a_400_with_a_message(drafted, office_user):
    response = login(office_user).post(
        reverse("agreements:sign", args=[drafted.pk]), {"party": "federation", "sha256": "abc"}
    )
    assert response.status_code == 400
    assert "changed" in response.content.decode() or "变" in response.content.decode()


def test_the_office_generates_from_the_list(published_session, office_user, other_office_user):
    client = login(office_user)
    page = client.get(reverse("agreements:list"))
    assert published_session.title in page.content.decode()
    assert client.post(reverse("agreements:generate", args=[published_session.pk])).status_code == 302
    assert Agreement.objects.count() == 2
    assert (
        login(other_office_user).post(reverse("agreements:generate", args=[published_session.pk])).status_code
        == 404
    )


def test_amend_page_bad_input_is_a_400(drafted, office_user):
    client = login(office_user)
    data = {
        "scope": drafted.scope,
        "sessions": "十",
        "capacity": "30",
        "quality": drafted.quality,
        "starts_on": "2020-06-01",
        "ends_on": "2022-06-01",
        "amount": "-1",
        "payment_terms": "x",
        "liability": "y",
        "copies": "3",
        "reason": "测试",
    }
    response = client.post(reverse("agreements:amend", args=[drafted.pk]), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"sessions", "ends_on", "amount"} <= set(errors)
    assert drafted.versions.count() == 1


def test_quotas_over_http(drafted, office_user, union, other_union):
    client = login(office_user)
    url = reverse("agreements:quotas", args=[drafted.pk])
    bad = client.post(
        url, {"allocation": "allocated", f"quota_{union.pk}": "9", f"quota_{other_union.pk}": "9"}
    )
    assert bad.status_code == 400
    assert client.post(url, {"allocation": "allocated", f"quota_{union.pk}": "4"}).status_code == 302
    drafted.refresh_from_db()
    assert drafted.allocation == "allocated" and drafted.quotas.get().sessions == 4
    assert client.post(url, {"allocation": "allocated", "quota_abc": "1"}).status_code == 400


def test_template_page(office_user, chair_user):
    client = login(office_user)
    page = client.get(reverse("agreements:template"))
    assert page.status_code == 200 and "{甲方}" in page.content.decode()
    response = client.post(reverse("agreements:template"), {"body": "{不存在}"})
    assert response.status_code == 400 and response.context["form"].errors["body"]
    assert client.post(reverse("agreements:template"), {"body": "协议 {甲方} {乙方}"}).status_code == 302
    assert login(chair_user).get(reverse("agreements:template")).status_code == 403


def test_closing_actions_over_http(drafted, office_user, provider_user):
    client = login(office_user)
    assert client.post(reverse("agreements:close", args=[drafted.pk, "complete"])).status_code == 400
    assert (
        client.post(reverse("agreements:close", args=[drafted.pk, "void"]), {"reason": ""}).status_code == 400
    )
    assert client.post(reverse("agreements:close", args=[drafted.pk, "explode"])).status_code == 404
    assert (
        client.post(
            reverse("agreements:close", args=[drafted.pk, "void"]), {"reason": "异议成立"}
        ).status_code
        == 302
    )
    drafted.refresh_from_db()
    assert drafted.state == "void"
