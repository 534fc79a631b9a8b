"""The 公示 notice: ranking, selection, rule, digest and receipts with personal data masked; real-name
objections within the working-day window; the office's responses; an upheld objection voids the agreement."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from dajia.agreements.services import agreements_generate
from dajia.consultations.models import Evaluator
from dajia.core.validators import mask_name
from dajia.notices import services as services_objections
from dajia.notices.models import Objection
from dajia.notices.selectors import objection_states
from dajia.notices.window import notice_window
from dajia.participation.models import VerificationCode
from dajia.participation.tests.conftest import JSON, last_code, zh

pytestmark = pytest.mark.django_db

MOBILE_RE = re.compile(r"(?<![0-9A-Za-z])1[3-9][0-9]{9}(?![0-9A-Za-z])")
ELEVEN_DIGITS = re.compile(r"[0-9]{11}")


def _objection(session, *, name="欧阳娜娜", mobile="13912340000", entry=None, status="pending", response=""):
    return Objection.objects.create(
        session=session,
        entry=entry or session.entries.order_by("position").first(),
        name=name,
        mobile=mobile,
        mobile_verified=True,
        reasons="该项目报价明显高于同类项目，请说明理由。",
        status=status,
        response=response,
        filed_at=timezone.now(),
    )


def _notice(session) -> str:
    response = Client().get(f"/sessions/{session.pk}/notice/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_notice_masks_names_and_shows_no_mobile_number(published, office_user):
    _objection(published, status="rejected", response="经核实，报价在预算标准内。")
    _objection(published, name="李强", mobile="13712345678")
    html = _notice(published)
    for evaluator in Evaluator.objects.filter(session=published):
        assert evaluator.name not in html, evaluator.name
        assert evaluator.mobile not in html
    assert "欧阳娜娜" not in html and mask_name("欧阳娜娜") in html
    assert "李强" not in html and mask_name("李强") in html
    # No mobile number anywhere: no 11-digit run once the (hexadecimal) digest is set aside.
    without_digest = html.replace(published.published.digest, "")
    assert not ELEVEN_DIGITS.search(without_digest)
    assert not MOBILE_RE.search(html)
    # What a notice must show: the ranking, the selection, the rule, the digest and the receipt codes.
    assert published.published.digest in html
    for code in published.published.receipts:
        assert code in html
    for project in published.published.payload["projects"]:
        assert project["title"] in html
    assert zh("Rule used") in html and "政协委员 0.4" in html
    assert zh("Response of the union office") in html and "经核实，报价在预算标准内。" in html


def test_the_window_is_counted_in_working_days(published):
    friday = timezone.make_aware(datetime.datetime(2020, 9, 18, 16, 0))
    published.published_at = friday
    published.save(update_fields=["published_at"])
    window = notice_window(published)
    assert (window.start, window.end) == (datetime.date(2020, 9, 21), datetime.date(2020, 9, 25))
    assert window.is_open(timezone.make_aware(datetime.datetime(2020, 9, 25, 23, 59)))
    assert not window.is_open(timezone.make_aware(datetime.datetime(2020, 9, 26, 0, 1)))


def _file(client, session, **data):
    form = {
        "name": "欧阳娜娜",
        "mobile": "13912340000",
        "entry": session.entries.order_by("position").first().pk,
        "reasons": "该项目报价明显高于同类项目，请说明理由。",
        "consent": "on",
        **data,
    }
    return client.post(f"/notices/s/{session.pk}/objection/", form)


def test_a_real_name_objection_verified_by_code_within_the_window(client, published):
    sent = client.post(f"/notices/s/{published.pk}/objection/code", {"mobile": "13912340000"}, **JSON)
    assert sent.status_code == 200
    response = _file(client, published, code=last_code("13912340000"))
    assert response.status_code == 302 and response["Location"].endswith(f"/sessions/{published.pk}/notice/")
    objection = Objection.objects.get()
    assert objection.mobile_verified and objection.name == "欧阳娜娜" and objection.status == "pending"
    html = _notice(published)
    assert mask_name("欧阳娜娜") in html and "13912340000" not in html
    assert zh("File a real-name objection") in html  # the window is still open


def test_an_objection_after_the_window_closes_is_refused(client, published):
    published.published_at = timezone.now() - datetime.timedelta(days=30)
    published.save(update_fields=["published_at"])
    end = notice_window(published).end
    message = zh(
        "The objection period ended on %(date)s; objections are no longer accepted.", date=end.isoformat()
    )
    code = client.post(f"/notices/s/{published.pk}/objection/code", {"mobile": "13912340000"}, **JSON)
    assert code.status_code == 400 and code.json()["message"] == message
    response = _file(client, published, code="123456")
    assert response.status_code == 400 and message in response.content.decode()
    with pytest.raises(ValidationError) as raised:
        services_objections.objection_file(
            session=published,
            entry=published.entries.first(),
            name="欧阳娜娜",
            mobile="13912340000",
            reasons="该项目报价明显高于同类项目，请说明理由。",
            mobile_verified=False,
        )
    assert raised.value.messages == [message]
    assert not Objection.objects.exists()
    assert "/objection/" not in _notice(published)  # no form link once closed


def test_bad_objection_input_is_a_400_with_reasons_and_nothing_saved(client, published):
    client.post(f"/notices/s/{published.pk}/objection/code", {"mobile": "13912340000"}, **JSON)
    good = last_code("13912340000")
    wrong = "000000" if good != "000000" else "111111"
    response = _file(client, published, code=wrong)
    assert response.status_code == 400
    assert zh("The code is not right; %(n)d attempts left.", n=4) in response.content.decode()
    for data in ({"name": "1"}, {"reasons": "太贵"}, {"entry": "999999"}, {"mobile": "123"}, {"consent": ""}):
        assert _file(client, published, code=good, **data).status_code == 400
    assert not Objection.objects.exists()
    assert Client().get("/notices/s/999999/objection/").status_code == 404


def test_no_objection_before_publication(client, live_session):
    assert client.get(f"/notices/s/{live_session.pk}/objection/").status_code == 404
    assert (
        client.post(f"/notices/s/{live_session.pk}/objection/code", {"mobile": "13912340000"}).status_code
        == 404
    )


def test_an_upheld_objection_voids_the_projects_agreement(published, office_user):
    agreements = agreements_generate(actor=office_user, session=published)
    agreement = agreements[0]
    objection = _objection(published, entry=agreement.entry)
    services_objections.objection_respond(
        actor=office_user, objection=objection, upheld=True, response="经查，该机构资质材料不实，异议成立。"
    )
    agreement.refresh_from_db()
    assert agreement.state == "void" and "异议成立" in agreement.state_reason
    assert objection_states([published.pk])[published.pk].upheld == {agreement.entry_id}
    html = _notice(published)
    assert zh("upheld", context="objection") in html and "资质材料不实" in html
    # Once answered, an objection is not answered again.
    with pytest.raises(ValidationError):
        services_objections.objection_respond(
            actor=office_user, objection=objection, upheld=False, response="改变主意了"
        )


def test_a_rejected_objection_leaves_the_agreement(published, office_user):
    agreement = agreements_generate(actor=office_user, session=published)[0]
    objection = _objection(published, entry=agreement.entry)
    services_objections.objection_respond(
        actor=office_user, objection=objection, upheld=False, response="报价符合预算标准，异议不成立。"
    )
    agreement.refresh_from_db()
    assert agreement.state == "draft"
    assert objection_states([published.pk])[published.pk].upheld == set()


def test_the_office_responds_through_its_page_and_others_cannot(
    client, published, office_user, other_office_user
):
    objection = _objection(published)
    with pytest.raises(PermissionDenied):
        services_objections.objection_respond(
            actor=other_office_user, objection=objection, upheld=True, response="不是你的"
        )
    client.force_login(other_office_user)
    url = f"/notices/objections/{objection.pk}/respond"
    assert client.post(url, {"decision": "upheld", "response": "不是你的会"}).status_code == 404
    assert client.get(f"/notices/s/{published.pk}/objections/").status_code == 404
    client.force_login(office_user)
    page = client.get(f"/notices/s/{published.pk}/objections/").content.decode()
    assert "欧阳娜娜" in page and "13912340000" in page  # the office sees who objected, to answer them
    assert client.post(url, {"decision": "rejected", "response": ""}).status_code == 400
    assert client.post(url, {"decision": "rejected", "response": "报价符合预算标准。"}).status_code == 302
    objection.refresh_from_db()
    assert objection.status == "rejected" and objection.responded_by == office_user


def test_a_mistyped_name_does_not_use_up_the_code(client, published):
    client.post(f"/notices/s/{published.pk}/objection/code", {"mobile": "13912340000"}, **JSON)
    code = last_code("13912340000")
    refused = _file(client, published, code=code, name="1")
    assert refused.status_code == 400
    assert zh("Please give your real name (2 to 30 characters, Chinese or Latin letters).") in (
        refused.content.decode()
    )
    assert VerificationCode.objects.get(purpose="objection").used_at is None
    assert not Objection.objects.exists()
    # The same code, with the name corrected, files the objection.
    filed = _file(client, published, code=code, name="欧阳娜娜")
    assert filed.status_code == 302
    assert VerificationCode.objects.get(purpose="objection").used_at is not None
    assert Objection.objects.get().name == "欧阳娜娜"


def test_the_old_objection_addresses_still_lead_to_the_form(client, published):
    old = client.get(f"/participation/s/{published.pk}/objection/")
    assert old.status_code == 301 and old["Location"] == f"/notices/s/{published.pk}/objection/"
    office = client.get(f"/participation/s/{published.pk}/objections/")
    assert office.status_code == 301 and office["Location"] == f"/notices/s/{published.pk}/objections/"


def test_the_notice_and_the_office_list_do_not_grow_with_objections(
    client, published, office_user, django_assert_max_num_queries
):
    client.force_login(office_user)
    pages = (f"/sessions/{published.pk}/notice/", f"/notices/s/{published.pk}/objections/")

    def counts() -> list[int]:
        found = []
        for url in pages:
            with django_assert_max_num_queries(100) as captured:
                assert client.get(url).status_code == 200
            found.append(len(captured.captured_queries))
        return found

    _objection(published)
    few = counts()
    for index, entry in enumerate(published.entries.all()):
        for n in range(3):
            _objection(published, entry=entry, mobile=f"1391234{index:02d}{n:02d}")
    assert counts() == few
