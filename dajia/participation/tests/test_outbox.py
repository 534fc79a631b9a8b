"""The SMS outbox page (dajia/participation/views_outbox.py): under a local trial the office reads the codes the
development sender wrote instead of sending, so a demo gets past a viewer's verification; in production the
page does not exist. The login page and make run's banner point to it."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from dajia.core import sms
from dajia.participation.tests.conftest import JSON

pytestmark = pytest.mark.django_db
OUTBOX = "/participation/outbox/"


@pytest.fixture
def trial(settings, tmp_path):
    settings.DAJIA_LOCAL_TRIAL = True
    settings.DAJIA_SMS_BACKEND = "dajia.core.sms.FileSender"
    settings.DAJIA_SMS_FILE = str(tmp_path / "sms-outbox.jsonl")
    return settings


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_outbox_does_not_exist_in_production(settings, office_user, tmp_path):
    settings.DAJIA_LOCAL_TRIAL = False
    settings.DAJIA_SMS_BACKEND = "dajia.core.sms.FileSender"
    settings.DAJIA_SMS_FILE = str(tmp_path / "sms-outbox.jsonl")
    sms.send("13800001111", "【大家】验证码 654321")
    assert _as(office_user).get(OUTBOX).status_code == 404
    assert Client().get(OUTBOX).status_code == 404
    assert "短信发件箱" not in _as(office_user).get(reverse("participation:office")).content.decode()


def test_nor_under_a_trial_whose_sender_keeps_no_file(trial, office_user):
    trial.DAJIA_SMS_BACKEND = "dajia.core.sms.LocmemSender"
    assert _as(office_user).get(OUTBOX).status_code == 404


def test_under_the_trial_the_office_reads_a_code_a_viewer_asked_for(trial, office_user, live_session):
    phone = Client()
    asked = phone.post(
        f"/participation/s/{live_session.pk}/code", {"mobile": "13800001111", "purpose": "viewer"}, **JSON
    )
    assert asked.status_code == 200
    code = re.search(r"\d{6}", sms.read_file_outbox()[-1]["text"]).group(0)
    page = _as(office_user).get(OUTBOX)
    assert page.status_code == 200
    text = page.content.decode()
    assert code in text and "138****1111" in text and "13800001111" not in text
    assert "短信发件箱" in text and 'class="site-header"' in text
    verified = phone.post(
        f"/participation/s/{live_session.pk}/verify", {"mobile": "13800001111", "code": code}, **JSON
    )
    assert verified.status_code == 200  # the demo goes on past the verification with the code read there


def test_newest_first_and_a_damaged_line_is_skipped(trial, office_user):
    sms.send("13800001111", "验证码 111111")
    with open(trial.DAJIA_SMS_FILE, "a", encoding="utf-8") as fh:
        fh.write('{"mobile": "138000\n')  # a line that is not a message
    sms.send("13900002222", "验证码 222222")
    text = _as(office_user).get(OUTBOX).content.decode()
    assert text.index("222222") < text.index("111111")


def test_an_empty_outbox_says_what_will_appear(trial, office_user):
    page = _as(office_user).get(OUTBOX)
    assert page.status_code == 200 and "还没有发出任何短信" in page.content.decode()


def test_not_yours_the_outbox_is_the_office_s(trial, provider_user, chair_user):
    sms.send("13800001111", "验证码 333333")
    for user in (provider_user, chair_user):
        refused = _as(user).get(OUTBOX)
        assert refused.status_code == 403 and "333333" not in refused.content.decode()
    anonymous = Client().get(OUTBOX)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("accounts:login"))


def test_the_office_menu_the_login_page_and_the_banner_point_to_it(trial, office_user):
    assert OUTBOX in _as(office_user).get(reverse("participation:office")).content.decode()
    login = Client().get(reverse("accounts:login")).content.decode()
    assert "短信发件箱" in login and "make run" in login
    trial.SITE_URL, trial.DAJIA_SERVE_PORT = "http://192.168.1.10:8000", 8000
    out = StringIO()
    call_command("demo_logins", stdout=out)
    banner = out.getvalue()
    assert "短信发件箱" in banner and f"http://192.168.1.10:8000{OUTBOX}" in banner
    assert (
        "is ready: http://192.168.1.10:8000" in banner and "on this computer: http://127.0.0.1:8000" in banner
    )


def test_the_login_page_of_production_has_no_trial_banner(settings):
    settings.DAJIA_LOCAL_TRIAL = False
    assert "短信发件箱" not in Client().get(reverse("accounts:login")).content.decode()
