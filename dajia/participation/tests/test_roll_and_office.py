"""The member roll (xlsx import, all or nothing; sessions that require it refuse other numbers), the office's
console and its settings, the abuse report, retention, and the SMS senders."""

from __future__ import annotations

import datetime
import http.server
import io
import json
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from openpyxl import Workbook

from dajia.core import sms
from dajia.core.models import AuditLog
from dajia.participation import identity, services, services_roll
from dajia.participation.models import RollMember, Support, VerificationCode, Viewer
from dajia.participation.selectors import abuse_report
from dajia.participation.services_retention import participation_prune
from dajia.participation.tests.conftest import JSON, support, verify, zh

pytestmark = pytest.mark.django_db


def _xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_the_roll_keeps_only_hashes_and_masked_text(office_user, federation, union, other_union):
    data = _xlsx(
        [
            ["姓名", "手机号", "工会"],
            ["张三丰", "13800001111", union.name],
            ["欧阳娜娜", 13800002222, other_union.name],
            [None, None, None],
        ]
    )
    report = services_roll.roll_import(
        actor=office_user, federation=federation, rows=services_roll.roll_rows(data)
    )
    assert (report.added, report.updated) == (2, 0)
    rows = {r.name_masked: r for r in RollMember.objects.all()}
    assert set(rows) == {"张＊丰", "欧＊娜娜"}
    assert rows["张＊丰"].mobile_masked == "138****1111"
    assert rows["张＊丰"].mobile_hash == identity.roll_hash("13800001111")
    assert "13800001111" not in str(list(RollMember.objects.values()))
    again = services_roll.roll_import(
        actor=office_user, federation=federation, rows=services_roll.roll_rows(data)
    )
    assert (again.added, again.updated) == (0, 2)


def test_a_bad_roll_is_refused_line_by_line_and_nothing_is_saved(office_user, federation, union):
    data = _xlsx(
        [["姓名", "手机号", "工会"], ["张三", "13800001111", union.name], ["", "123", "不存在的工会"]]
    )
    with pytest.raises(ValidationError) as raised:
        services_roll.roll_import(
            actor=office_user, federation=federation, rows=services_roll.roll_rows(data)
        )
    assert any(m.startswith(zh("Line %(n)d: %(p)s", n=3, p="")) for m in raised.value.messages)
    assert not RollMember.objects.exists()
    with pytest.raises(ValidationError):
        services_roll.roll_rows(b"not a workbook")
    with pytest.raises(ValidationError):
        services_roll.roll_import(
            actor=office_user,
            federation=federation,
            rows=services_roll.roll_rows(_xlsx([["名字", "电话号"]])),
        )


def test_the_roll_page_and_not_yours(client, office_user, other_office_user, federation, union):
    client.force_login(office_user)
    good = SimpleUploadedFile(
        "名册.xlsx", _xlsx([["姓名", "手机号", "工会"], ["张三", "13800001111", union.name]])
    )
    response = client.post("/participation/roll/", {"federation": federation.pk, "file": good})
    assert response.status_code == 302
    bad = SimpleUploadedFile("名册.xlsx", b"nonsense")
    response = client.post("/participation/roll/", {"federation": federation.pk, "file": bad})
    assert response.status_code == 400 and "import-errors" in response.content.decode()
    with pytest.raises(PermissionDenied):
        services_roll.roll_import(
            actor=other_office_user,
            federation=federation,
            rows=services_roll.roll_rows(_xlsx([["姓名", "手机号", "工会"]])),
        )


def test_a_session_that_requires_the_roll_refuses_other_numbers(client, live_session, office_user, union):
    services_roll.roll_import(
        actor=office_user,
        federation=live_session.federation,
        rows=services_roll.roll_rows(
            _xlsx([["姓名", "手机号", "工会"], ["张三", "13800001111", union.name]])
        ),
    )
    services.live_settings_update(
        actor=office_user, session=live_session, require_roll=True, comments_open=True
    )
    refused = client.post(f"/participation/s/{live_session.pk}/code", {"mobile": "13900009999"}, **JSON)
    assert refused.status_code == 400
    expected = zh(
        "This number is not on the member roll of %(federation)s's unions. Only members may take part online "
        "in this session; please ask your union to add you to the roll.",
        federation=live_session.federation.name,
    )
    assert refused.json()["message"] == expected
    assert not sms.outbox
    assert verify(client, live_session, "13800001111").status_code == 200
    assert Viewer.objects.get().union == union


def test_only_the_office_changes_settings(live_session, other_office_user, office_user, client):
    with pytest.raises(PermissionDenied):
        services.live_settings_update(
            actor=other_office_user, session=live_session, require_roll=True, comments_open=False
        )
    client.force_login(office_user)
    console = client.get(f"/participation/s/{live_session.pk}/office/")
    assert console.status_code == 200 and "<svg" in console.content.decode()
    assert (
        client.post(f"/participation/s/{live_session.pk}/office/settings", {"require_roll": "on"}).status_code
        == 302
    )
    assert AuditLog.objects.filter(action="participation.settings.update").exists()
    assert client.get("/participation/office/").status_code == 200


def test_the_abuse_report_shows_many_numbers_from_one_address(client, live_session, office_user):
    hall = Client(REMOTE_ADDR="198.51.100.5")
    for n in range(6):
        verify(hall, live_session, f"1370000{n:04d}")
        support(hall, live_session, live_session.entries_list[0])
    report = abuse_report(live_session, numbers_per_address=5, votes_per_minute=5, votes_per_address=5)
    assert report.busy_addresses[0]["ip"] == "198.51.100.5" and report.busy_addresses[0]["numbers"] == 6
    assert report.bursts and report.address_bursts[0]["supports"] == 6
    client.force_login(office_user)
    page = client.get(f"/participation/s/{live_session.pk}/abuse/").content.decode()
    assert "198.51.100.5" in page


def test_retention_removes_codes_addresses_and_old_hashes(client, published, live_session):
    verify(client, live_session, "13700000001")
    support(client, live_session, live_session.entries_list[0])
    later = timezone.now() + datetime.timedelta(days=40)
    Viewer.objects.create(
        session=published,
        mobile_hash="h",
        mobile_masked="137****0001",
        verified_at=published.published_at,
        last_verified_at=published.published_at,
    )
    published.published_at = timezone.now() - datetime.timedelta(days=60)
    published.save(update_fields=["published_at"])
    done = participation_prune(now=later)
    assert done["codes"] == 1 and done["support_addresses"] == 1 and done["viewers"] == 1
    assert not VerificationCode.objects.exists() and Support.objects.get().ip is None
    assert Viewer.objects.get(session=published).mobile_hash.startswith("erased:")
    # The running session's viewers keep their hashes (they may still vote).
    assert not Viewer.objects.get(session=live_session).mobile_hash.startswith("erased:")


def test_the_file_sender_writes_a_line_the_tests_can_read(settings, tmp_path):
    settings.DAJIA_SMS_BACKEND = "dajia.core.sms.FileSender"
    settings.DAJIA_SMS_FILE = str(tmp_path / "sms.jsonl")
    sms.send("13800001111", "验证码 123456")
    assert sms.read_file_outbox(tmp_path / "sms.jsonl")[0]["text"] == "验证码 123456"


def test_the_http_sender_posts_to_the_gateway(settings):
    received = []

    class Gateway(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers.get("Authorization"), json.loads(body)))
            self.send_response(200 if len(received) == 1 else 500)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        settings.DAJIA_SMS_BACKEND = "dajia.core.sms.HttpSender"
        settings.DAJIA_SMS_HTTP_URL = f"http://127.0.0.1:{server.server_port}/send"
        settings.DAJIA_SMS_HTTP_TOKEN = "secret-token"
        sms.send("13800001111", "验证码 123456")
        assert received == [("Bearer secret-token", {"mobile": "13800001111", "text": "验证码 123456"})]
        with pytest.raises(sms.SmsError):
            sms.send("13800001111", "again")
        settings.DAJIA_SMS_HTTP_URL = ""
        with pytest.raises(sms.SmsError):
            sms.send("13800001111", "nowhere")
    finally:
        server.shutdown()
        server.server_close()


def test_the_public_pages_render(client, live_session, published):
    for url in (
        "/participation/",
        f"/participation/s/{live_session.pk}/",
        f"/participation/s/{live_session.pk}/agenda",
        f"/participation/s/{live_session.pk}/qr.svg",
        f"/participation/s/{published.pk}/",
        f"/notices/s/{published.pk}/objection/",
    ):
        assert client.get(url).status_code == 200, url
    assert client.get("/participation/s/999999/").status_code == 404
    me = client.get(f"/participation/s/{live_session.pk}/me").json()
    assert me == {"verified": False, "mobile": "", "supported": [], "limit": 3, "remaining": 3}


@pytest.mark.parametrize(
    ("url", "kind", "needle"),
    [
        ("https://live.example.org/xc/stream.m3u8", "hls", "vendor/hls/hls.min.js"),
        ("https://live.example.org/xc/stream.flv", "flv", "vendor/mpegts/mpegts.js"),
        ("https://live.example.org/xiacheng-union", "embed", "<iframe"),
    ],
)
def test_the_stream_player_follows_the_address(client, live_session, url, kind, needle):
    live_session.stream_url = url
    live_session.save(update_fields=["stream_url"])
    response = client.get(f"/participation/s/{live_session.pk}/")
    html = response.content.decode()
    assert needle in html
    assert "https://live.example.org" in response["Content-Security-Policy"].split("connect-src")[1]
    assert "cdn" not in html.lower()


def test_junk_input_is_a_4xx_never_a_500(client, live_session, published, office_user):
    from dajia.notices.models import Objection
    from dajia.participation.models import Comment

    junk = {"mobile": "\x00" * 3, "code": "x" * 500, "entry": "-1", "action": "…", "text": "", "kind": "??"}
    for url in ("code", "verify", "support", "comments"):
        response = client.post(f"/participation/s/{live_session.pk}/{url}", junk, **JSON)
        assert 400 <= response.status_code < 500, (url, response.status_code)
        assert zh("Too many requests. Please try again in %(s)d seconds.", s=1) != response.json()["message"]
    assert client.post(f"/participation/s/{live_session.pk}/verify", {}).status_code == 400
    assert client.get("/participation/s/abc/").status_code == 404
    verify(client, live_session, "13700000001")
    comment = Comment.objects.create(
        session=live_session, author_label="网友", text="你好你好", created_at=timezone.now()
    )
    objection = Objection.objects.create(
        session=published,
        entry=published.entries.first(),
        name="张三",
        mobile="13700000001",
        reasons="理由理由理由理由理由",
        filed_at=timezone.now(),
    )
    client.force_login(office_user)
    for url, data in (
        (f"/participation/comments/{comment.pk}/moderate", {"decision": "maybe"}),
        (f"/participation/comments/{comment.pk}/answer", {}),
        (f"/notices/objections/{objection.pk}/respond", {"decision": "perhaps", "response": "x"}),
        ("/participation/roll/", {"federation": "nonsense"}),
        (f"/participation/s/{live_session.pk}/office/floor", {"entry": "abc", "text": "建议建议"}),
    ):
        response = client.post(url, data)
        assert response.status_code == 400, (url, response.status_code)
