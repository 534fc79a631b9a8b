"""The cases of issue 10 that were 500s for the office: a survey closing at year 1, a 30-digit union id in a
survey send, an id beyond 64 bits in a list filter or in the address."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dajia.needs import services_surveys
from dajia.needs.models import Survey, SurveyInvite

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("closes_at", ["0001-01-01T08:00", "99999-01-01T08:00"])
def test_a_survey_closing_at_year_1_or_99999_is_a_400_with_a_message(
    client, office_user, federation, closes_at
):
    client.force_login(office_user)
    response = client.post(
        reverse("needs:survey_create"),
        {"federation": federation.pk, "title": "新问卷", "closes_at": closes_at},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert response.context["form"].errors["closes_at"]
    assert "必须是 1900-01-01 至 2199-12-31 之间的日期" in text or "输入一个有效的日期/时间" in text
    assert not Survey.objects.exists()


def test_a_30_digit_union_id_in_a_survey_send_is_a_400_with_a_message(client, office_user, federation, union):
    survey = services_surveys.survey_create(actor=office_user, federation=federation, title="职工需求问卷")
    client.force_login(office_user)
    response = client.post(
        reverse("needs:survey_send", args=[survey.pk]), {"unions": [str(union.pk), "9" * 30]}
    )
    assert response.status_code == 400
    assert "必须是由数字组成的编号" in response.content.decode()
    assert not SurveyInvite.objects.exists()


def test_a_superscript_expected_count_is_refused_not_read_as_two(office_user, federation, union):
    from django.core.exceptions import ValidationError

    survey = services_surveys.survey_create(actor=office_user, federation=federation, title="职工需求问卷")
    with pytest.raises(ValidationError) as raised:
        services_surveys.survey_send(
            actor=office_user, survey=survey, unions=[union], expected={union.pk: "²"}
        )
    assert "预计回复份数" in " ".join(raised.value.messages)


@pytest.mark.parametrize(
    "url",
    [
        "/needs/?union=99999999999999999999",
        "/menu/export.xlsx?category=99999999999999999999",
        "/needs/99999999999999999999/",
        "/menu/projects/99999999999999999999/",
    ],
)
def test_a_number_beyond_64_bits_in_the_address_is_a_400_with_a_message(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "地址中的数字超出范围" in response.content.decode()


@pytest.mark.parametrize(
    "value, message", [("99999999999999999999", "超出范围"), ("-1", "必须是由数字组成的编号")]
)
def test_the_api_answers_a_bad_id_with_json(client, value, message):
    response = client.get("/api/needs/needs", {"category": value})
    assert response.status_code == 400
    assert message in response.json()["detail"]
