"""Who sees and acts on which case (acceptance 3), the pages' answers to bad input, and the office's export."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dajia.conftest import make_user
from dajia.desk import services
from dajia.desk.models import Case
from dajia.desk.services import PartyInput
from dajia.desk.tests.conftest import NOW

pytestmark = pytest.mark.django_db

WORKER = PartyInput(kind="worker", name="王小明", mobile="13812345678")


def detail(case):
    return reverse("desk:case_detail", args=[case.pk])


@pytest.fixture
def case(raise_case, contact_user, enterprise, other_enterprise):
    counter = PartyInput(kind="company", name=other_enterprise.name, uscc=other_enterprise.uscc)
    return raise_case(contact_user, enterprise=enterprise, counterparties=[counter])


def test_enterprise_contact_sees_its_own_not_the_counterparty(client, case, contact_user, other_contact_user):
    client.force_login(contact_user)
    assert client.get(detail(case)).status_code == 200
    client.force_login(other_contact_user)  # the counterparty company's contact
    assert client.get(detail(case)).status_code == 404
    assert case.number not in client.get(reverse("desk:home")).content.decode()


def test_worker_aid_never_shown_to_the_employer(client, raise_case, lawyer, enterprise, contact_user):
    aid = raise_case(lawyer.user, kind="worker", worker=WORKER, enterprise=enterprise)
    client.force_login(contact_user)
    assert client.get(detail(aid)).status_code == 404


def test_volunteer_sees_only_their_parks(client, case, lawyer, far_lawyer):
    client.force_login(lawyer.user)
    assert client.get(detail(case)).status_code == 200
    client.force_login(far_lawyer.user)
    assert client.get(detail(case)).status_code == 404
    assert client.post(reverse("desk:case_take", args=[case.pk])).status_code == 404


def test_volunteer_takes_then_another_volunteer_no_longer_sees_it(client, case, lawyer, other_lawyer):
    client.force_login(lawyer.user)
    assert client.post(reverse("desk:case_take", args=[case.pk])).status_code == 302
    assert Case.objects.get(pk=case.pk).status == "assigned"
    client.force_login(other_lawyer.user)  # confidentiality: only the assigned volunteers
    assert client.get(detail(case)).status_code == 404


def test_park_office_only_its_park(client, case, park_office_user, other_park_office_user):
    client.force_login(park_office_user)
    assert client.get(detail(case)).status_code == 200
    client.force_login(other_park_office_user)
    assert client.get(detail(case)).status_code == 404


def test_office_only_its_federation(client, case, office_user, other_office_user):
    client.force_login(office_user)
    assert client.get(detail(case)).status_code == 200
    client.force_login(other_office_user)
    assert client.get(detail(case)).status_code == 404


def test_finish_by_someone_not_on_the_case_is_refused(client, case, lawyer, park_office_user):
    services.case_assign(actor=lawyer.user, case=case, volunteer=lawyer, now=NOW)
    client.force_login(park_office_user)  # sees the park's cases, does not work them
    response = client.post(reverse("desk:case_finish", args=[case.pk]), {"closure": "solved"})
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).status == "assigned"


def test_the_volunteer_finishes_with_the_service_time_and_a_bad_time_is_a_400(client, case, lawyer):
    services.case_assign(actor=lawyer.user, case=case, volunteer=lawyer, now=NOW)
    client.force_login(lawyer.user)
    url = reverse("desk:case_finish", args=[case.pk])
    assert client.post(url, {"closure": "solved", "minutes": "²"}).status_code == 400
    assert client.post(url, {"closure": "solved", "minutes": "75"}).status_code == 302
    assert Case.objects.get(pk=case.pk).minutes == 75


def test_a_worker_without_a_desk_role_is_refused(client, case, union):
    client.force_login(make_user("someone", role="worker", union=union))
    assert client.get(reverse("desk:home")).status_code == 403
    assert client.get(detail(case)).status_code == 404


def test_raise_page_for_a_contact_and_bad_input(client, contact_user, lawyer, told):
    client.force_login(contact_user)
    assert client.get(reverse("desk:case_new")).status_code == 200
    bad = client.post(
        reverse("desk:case_new"), {"specialty": "lawyer", "urgency": "normal", "description": ""}
    )
    assert bad.status_code == 400
    bad = client.post(
        reverse("desk:case_new"),
        {
            "specialty": "lawyer",
            "urgency": "normal",
            "description": "合同纠纷",
            "counter_kind": "company",
            "counter_name": "X",
            "counter_uscc": "1234",
        },
    )
    assert bad.status_code == 400 and "合同纠纷" in bad.content.decode()  # nothing typed is lost
    good = client.post(
        reverse("desk:case_new"), {"specialty": "lawyer", "urgency": "normal", "description": "合同纠纷"}
    )
    assert good.status_code == 302
    assert Case.objects.get().raised_by == contact_user


def test_assign_with_conflict_without_reason_is_a_400_with_the_reason(
    client, raise_case, contact_user, enterprise, lawyer, lead
):
    first = raise_case(contact_user, enterprise=enterprise, counterparties=[WORKER])
    services.case_assign(actor=lawyer.user, case=first, volunteer=lawyer, now=NOW)
    aid = raise_case(lead.user, kind="worker", worker=WORKER, enterprise=enterprise)
    client.force_login(lead.user)
    page = client.get(detail(aid)).content.decode()
    assert "曾在" in page and "中为对方" in page  # the exclusion is shown with its reason (Chinese first)
    response = client.post(reverse("desk:case_assign", args=[aid.pk]), {"volunteer": lawyer.pk})
    assert response.status_code == 400 and "存在利益冲突" in response.content.decode()


def test_rating_twice_through_the_page_is_a_400(client, case, contact_user, lawyer):
    services.case_assign(actor=lawyer.user, case=case, volunteer=lawyer, now=NOW)
    services.case_finish(actor=lawyer.user, case=case, closure="solved", now=NOW)
    client.force_login(contact_user)
    url = reverse("desk:case_rate", args=[case.pk])
    assert client.post(url, {"rating": "5"}).status_code == 302
    assert client.post(url, {"rating": "4"}).status_code == 400
    assert client.post(url, {"rating": "9"}).status_code == 400


def test_home_query_count_does_not_grow_with_cases(
    client, raise_case, contact_user, enterprise, office_user, django_assert_max_num_queries
):
    client.force_login(office_user)
    raise_case(contact_user, enterprise=enterprise)
    client.get(reverse("desk:home"))
    for _ in range(5):
        raise_case(contact_user, enterprise=enterprise)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("desk:home")).status_code == 200


def test_export_for_the_office_only(client, case, office_user, contact_user):
    client.force_login(contact_user)
    assert client.get(reverse("desk:export")).status_code == 403
    client.force_login(office_user)
    response = client.get(reverse("desk:export"))
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[1][0] == case.number and len(rows) == 2


def test_consultation_logged_and_counted_apart(client, park_office_user, park, contact_user):
    client.force_login(park_office_user)
    url = reverse("desk:consultation_new")
    assert (
        client.post(
            url, {"park": park.pk, "specialty": "tax", "channel": "station", "summary": ""}
        ).status_code
        == 400
    )
    assert (
        client.post(
            url,
            {"park": park.pk, "specialty": "tax", "channel": "station", "summary": "小规模纳税人免税额度"},
        ).status_code
        == 302
    )
    page = client.get(reverse("desk:home"))
    assert page.context["counts"] == {"cases": 0, "open": 0, "consultations": 1}
    client.force_login(contact_user)
    assert client.get(url).status_code == 403


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buf, "PNG")
    return buf.getvalue()


def test_attachments_under_the_upload_cap_and_only_for_who_sees_the_case(
    client, contact_user, other_contact_user, settings, told
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(contact_user)
    data = {"specialty": "lawyer", "urgency": "normal", "description": "合同纠纷"}
    settings.DAJIA_UPLOAD_MAX_BYTES = 10
    big = client.post(
        reverse("desk:case_new"), {**data, "attachments": [SimpleUploadedFile("a.png", _png())]}
    )
    assert big.status_code == 413 and not Case.objects.exists()
    settings.DAJIA_UPLOAD_MAX_BYTES = 8 * 1024 * 1024
    assert (
        client.post(
            reverse("desk:case_new"), {**data, "attachments": [SimpleUploadedFile("a.png", _png())]}
        ).status_code
        == 302
    )
    case = Case.objects.get()
    url = reverse("desk:attachment", args=[case.pk, case.attachments.get().pk])
    assert client.get(url).status_code == 200
    client.force_login(other_contact_user)
    assert client.get(url).status_code == 404
