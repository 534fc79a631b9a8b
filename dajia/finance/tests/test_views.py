"""The bank team's pages: its parks' files only (another park's file is 404), no finance page for anyone
without the finance role (403), the office's federation, the forms' bad input as a 400 that loses nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dajia.finance.models import FinancingNeed

pytestmark = pytest.mark.django_db


def test_the_bank_team_lists_its_parks_files_only(client, banker, file, far_file):
    client.force_login(banker.user)
    page = client.get(reverse("finance:home"))
    assert page.status_code == 200
    assert file.enterprise.name in page.text and far_file.enterprise.name not in page.text


def test_another_parks_file_is_not_found(client, banker, far_file):
    client.force_login(banker.user)
    assert client.get(reverse("finance:file_detail", args=[far_file.pk])).status_code == 404
    posted = client.post(reverse("finance:need_new", args=[far_file.pk]), {"purpose": "x"})
    assert posted.status_code == 404


def test_another_parks_need_is_not_found(client, banker, far_banker, far_file, granted):
    from dajia.finance import services

    need = services.needs_record(
        actor=far_banker.user,
        entries=[
            granted(
                file=far_file,
                status="pending",
                loan_amount=None,
                product="",
                decided_on=None,
                credit_line=None,
            )
        ],
    )[0]
    client.force_login(banker.user)
    assert client.post(reverse("finance:need_decide", args=[need.pk]), {}).status_code == 404


@pytest.mark.parametrize("who", ["lawyer", "park_office_user", "chair_user"])
def test_no_finance_role_no_finance_page(client, request, file, who):
    user = request.getfixturevalue(who)
    client.force_login(getattr(user, "user", user))
    for url in (
        reverse("finance:home"),
        reverse("finance:file_new"),
        reverse("finance:file_detail", args=[file.pk]),
        reverse("finance:export"),
    ):
        assert client.get(url).status_code == 403, url


def test_the_office_sees_its_federations_files_not_another(
    client, office_user, other_office_user, file, far_file
):
    client.force_login(office_user)
    page = client.get(reverse("finance:home"))
    assert file.enterprise.name in page.text and far_file.enterprise.name in page.text
    client.force_login(other_office_user)
    assert client.get(reverse("finance:file_detail", args=[file.pk])).status_code == 404


def test_a_banker_opens_a_file_records_a_need_and_its_decision(client, banker, other_enterprise):
    client.force_login(banker.user)
    opened = client.post(reverse("finance:file_new"), {"enterprise": other_enterprise.pk})
    assert opened.status_code == 302
    file = other_enterprise.finance_files.get()
    posted = client.post(
        reverse("finance:need_new", args=[file.pk]),
        {
            "purpose": "设备购置",
            "amount_requested": "300,000",
            "raised_on": "2026-11-02",
            "status": "pending",
        },
    )
    assert posted.status_code == 302
    need = FinancingNeed.objects.get(file=file)
    decided = client.post(
        reverse("finance:need_decide", args=[need.pk]),
        {
            f"n{need.pk}-status": "granted",
            f"n{need.pk}-decided_on": "2026-11-10",
            f"n{need.pk}-loan_amount": "250000",
            f"n{need.pk}-product": "信用贷",
        },
    )
    assert decided.status_code == 302
    need.refresh_from_db()
    assert need.status == "granted" and str(need.loan_amount) == "250000.00"
    assert "¥250,000.00" in client.get(reverse("finance:file_detail", args=[file.pk])).text


def test_a_bad_amount_is_a_400_with_the_message_and_keeps_the_input(client, banker, file):
    client.force_login(banker.user)
    response = client.post(
        reverse("finance:need_new", args=[file.pk]),
        {"purpose": "设备购置", "amount_requested": "三十万", "raised_on": "2026-11-02", "status": "pending"},
    )
    assert response.status_code == 400
    assert "金额" in response.text and "设备购置" in response.text
    assert FinancingNeed.objects.count() == 0


def test_the_list_takes_the_same_queries_for_many_files(
    client, banker, park, federation, django_assert_max_num_queries
):
    from dajia.core.validators import make_uscc
    from dajia.finance import services
    from dajia.orgs.models import Enterprise

    firms = Enterprise.objects.bulk_create(
        Enterprise(
            name=f"武义企业{i}", uscc=make_uscc(f"91330723{700 + i:09d}"), federation=federation, park=park
        )
        for i in range(40)
    )
    services.files_open(actor=banker.user, enterprises=firms)
    client.force_login(banker.user)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("finance:home")).status_code == 200
