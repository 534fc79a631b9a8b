"""The health checks' pages in Chinese: each role's way through, "not yours" (403 for a role without these pages,
404 for a check outside the scope), bad input answered 400, the list's query count, the export and the report."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.urls import reverse

from dajia.checkups import services
from dajia.checkups.models import HealthCheck
from dajia.checkups.tests.conftest import NOW, review_all
from dajia.desk.services import case_finish

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.force_login(user)
    return client


def pdf_text(data: bytes, tmp_path) -> str:
    """The PDF's text through poppler's pdftotext: required (CI installs poppler-utils), so a missing tool fails."""
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext (poppler-utils) is required to test the report"
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    text = subprocess.run([tool, str(path), "-"], capture_output=True, text=True, check=True).stdout
    return "".join(text.split())  # a long line wraps anywhere in Chinese: compare without the breaks


@pytest.mark.parametrize("name", ["checkups:home", "checkups:export", "checkups:checklist"])
def test_a_role_without_health_checks_gets_403(client, chair_user, name):
    assert _as(client, chair_user).get(reverse(name)).status_code == 403


def test_a_check_outside_the_scope_is_404(
    client, reported, far_lawyer, other_contact_user, other_park_office_user, other_office_user
):
    for user in (far_lawyer.user, other_contact_user, other_park_office_user, other_office_user):
        client.force_login(user)
        for name in ("checkups:detail", "checkups:report"):
            assert client.get(reverse(name, args=[reported.pk])).status_code == 404, (user, name)
        assert (
            client.post(
                reverse("checkups:visit_record", args=[reported.pk]),
                {"visited_on": "2026-12-09", "note": "x"},
            ).status_code
            == 404
        )


def test_a_check_in_scope_is_shown_to_each_role(
    client, reported, lawyer, contact_user, park_office_user, office_user
):
    for user in (lawyer.user, contact_user, park_office_user, office_user):
        response = _as(client, user).get(reverse("checkups:detail", args=[reported.pk]))
        assert response.status_code == 200
        assert "红色预警" in response.content.decode()


def test_only_the_office_and_park_office_export(client, reported, lawyer, contact_user, park_office_user):
    assert _as(client, lawyer.user).get(reverse("checkups:export")).status_code == 403
    assert _as(client, contact_user).get(reverse("checkups:export")).status_code == 403
    assert _as(client, park_office_user).get(reverse("checkups:export")).status_code == 200


def test_only_the_office_edits_the_checklist_page(client, checklist, park_office_user, office_user):
    assert _as(client, park_office_user).get(reverse("checkups:checklist")).status_code == 403
    client.force_login(office_user)
    url = reverse("checkups:checklist_item", args=[checklist[0].pk])
    response = client.post(
        url,
        {
            f"i{checklist[0].pk}-area": "wages",
            f"i{checklist[0].pk}-question": "  ",
            f"i{checklist[0].pk}-position": "1",
        },
    )
    assert response.status_code == 400
    response = client.post(
        reverse("checkups:checklist"), {"area": "hours", "question": "是否安排每周至少休息一日？"}
    )
    assert response.status_code == 302
    assert "是否安排每周至少休息一日？" in client.get(reverse("checkups:checklist")).content.decode()


def test_another_offices_checklist_item_is_404(client, checklist, other_office_user):
    url = reverse("checkups:checklist_item", args=[checklist[0].pk])
    assert _as(client, other_office_user).post(url, {}).status_code == 404


def test_the_contact_fills_the_self_check(client, open_check, enterprise, contact_user):
    check = open_check(enterprise)
    client.force_login(contact_user)
    page = client.get(reverse("checkups:detail", args=[check.pk]))
    assert "交自查" in page.content.decode() or page.status_code == 200
    rows = list(check.answers.all())
    data = {f"answer_{a.pk}": "yes" for a in rows}
    incomplete = dict(data)
    incomplete.pop(f"answer_{rows[0].pk}")
    assert client.post(reverse("checkups:self_check", args=[check.pk]), incomplete).status_code == 400
    assert client.post(reverse("checkups:self_check", args=[check.pk]), data).status_code == 302
    assert HealthCheck.objects.get(pk=check.pk).status == "review"


def test_the_volunteer_reviews_and_issues_the_report(client, in_review, lawyer):
    client.force_login(lawyer.user)
    rows = list(in_review.answers.order_by("position"))
    url = reverse("checkups:review", args=[in_review.pk])
    data = {
        f"risk_{rows[0].pk}": "red",
        f"risk_{rows[1].pk}": "pass",
        f"risk_{rows[2].pk}": "pass",
        "issue": "1",
    }
    refused = client.post(url, data)  # a red alert without its recommendation: said, kept, nothing issued
    assert refused.status_code == 400
    assert "请" in refused.content.decode() or "建议" in refused.content.decode()
    data[f"recommendation_{rows[0].pk}"] = "一个月内补签书面劳动合同。"
    assert client.post(url, data).status_code == 302
    check = HealthCheck.objects.get(pk=in_review.pk)
    assert check.status == "reported" and check.answers.filter(follow_up__isnull=False).count() == 1


def test_the_office_cannot_review(client, in_review, office_user):
    row = in_review.answers.first()
    response = _as(client, office_user).post(
        reverse("checkups:review", args=[in_review.pk]), {f"risk_{row.pk}": "pass"}
    )
    assert response.status_code == 403


def test_a_bad_filter_is_400(client, office_user, checklist):
    client.force_login(office_user)
    assert client.get(reverse("checkups:home"), {"park": "abc"}).status_code == 400
    assert client.get(reverse("checkups:home"), {"since": "2026-13-01"}).status_code == 400


def test_the_list_does_not_grow_in_queries(
    client,
    office_user,
    open_check,
    enterprise,
    other_enterprise,
    far_enterprise,
    django_assert_max_num_queries,
):
    client.force_login(office_user)
    open_check(enterprise)
    with django_assert_max_num_queries(20) as one:
        client.get(reverse("checkups:home"))
    open_check(other_enterprise)
    open_check(far_enterprise)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse("checkups:home"))
    assert response.content.decode().count("TJ0") >= 3


def test_the_report_pdf_holds_the_enterprise_risks_recommendations_and_what_was_put_right(
    client, tmp_path, in_review, lawyer
):
    review_all(in_review, lawyer.user, ["red", "medium", "pass"], recommendation="一个月内补签书面劳动合同。")
    services.reports_issue(actor=lawyer.user, checks=[in_review], now=NOW)
    client.force_login(lawyer.user)
    response = client.get(reverse("checkups:report", args=[in_review.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    for expected in (
        "法律风险评估报告",
        in_review.enterprise.name,
        "红色预警",
        "中风险",
        "合格",
        "一个月内补签书面劳动合同。",
    ):
        assert expected in text, expected
    assert "问题解决" not in text
    red = in_review.answers.get(risk="red").follow_up
    case_finish(actor=lawyer.user, case=red, closure="solved", note="已与全部员工补签合同", now=NOW)
    text = pdf_text(client.get(reverse("checkups:report", args=[in_review.pk])).content, tmp_path)
    assert "问题解决：已与全部员工补签合同" in text
    # The page says it too.
    page = client.get(reverse("checkups:detail", args=[in_review.pk])).content.decode()
    assert "已与全部员工补签合同" in page


def test_the_report_is_not_there_before_it_is_issued(client, in_review, lawyer):
    assert _as(client, lawyer.user).get(reverse("checkups:report", args=[in_review.pk])).status_code == 409
