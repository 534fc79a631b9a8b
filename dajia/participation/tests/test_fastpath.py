"""The supports on the ASGI edge (``dajia/participation/fastpath.py``): the batch handler answers as the view
does — it calls the same service and the same answer function — refusals included, in each request's
language; what the edge cannot serve is left to Django."""

from __future__ import annotations

import pytest
from django.test import Client

from dajia.core.models import AuditLog, RateCounter
from dajia.participation.fastpath import write_supports
from dajia.participation.models import Support, SupportCount
from dajia.participation.tests.conftest import support, verify, zh

pytestmark = pytest.mark.django_db


def _item(session, client: Client, entry, language="zh-hans") -> dict:
    return {
        "session_id": session.pk,
        "session_key": client.cookies["sessionid"].value,
        "entry": str(entry.pk if hasattr(entry, "pk") else entry),
        "ip": "127.0.0.1",
        "language": language,
    }


def test_a_batch_supports_as_the_view_does(live_session):
    first, second, third = live_session.entries_list
    by_view, by_batch = Client(), Client()
    assert verify(by_view, live_session, "13912345678").status_code == 200
    assert verify(by_batch, live_session, "13912345679").status_code == 200
    view_answer = support(by_view, live_session, first).json()
    status, batch_answer, headers = write_supports([_item(live_session, by_batch, first)])[0]
    assert status == 200 and headers == {}
    # The same answer, but for the counts this second support added.
    assert batch_answer["message"] == view_answer["message"] == zh("Thank you for your support.")
    assert batch_answer["supported"] == [first.pk] and batch_answer["remaining"] == view_answer["remaining"]
    assert batch_answer["audience"]["label"] == view_answer["audience"]["label"]
    assert batch_answer["audience"]["total_supports"] == 2
    assert SupportCount.objects.get(entry=first).supports == 2
    rows = list(Support.objects.filter(entry=first).order_by("id"))
    assert [r.ip for r in rows] == ["127.0.0.1", "127.0.0.1"]
    labels = list(
        AuditLog.objects.filter(action="participation.support.add")
        .order_by("pk")
        .values_list("actor_label", flat=True)
    )
    assert labels[0].endswith("5678") and labels[1].endswith("5679")
    # Each request counted once per limit, as the view counts it.
    assert RateCounter.objects.get(key="vote_ip:127.0.0.1").hits == 2
    # A repeat changes nothing; a viewer at K is refused here, in the request's language.
    again = write_supports([_item(live_session, by_batch, first)])[0]
    assert again[0] == 200 and again[1]["supported"] == [first.pk]
    assert Support.objects.count() == 2
    live_session.support_limit = 1
    live_session.save(update_fields=["support_limit"])
    at_k, at_k_english = write_supports(
        [_item(live_session, by_batch, second), _item(live_session, by_batch, second, language="en")]
    )
    assert at_k[0] == at_k_english[0] == 400
    assert at_k[1]["message"] == zh(
        "You can support at most %(k)d projects. Withdraw one of them to support another.", k=1
    )
    assert at_k_english[1]["message"] == (
        "You can support at most 1 projects. Withdraw one of them to support another."
    )
    # A browser without a verified viewer: the view's 403, nothing counted.
    stranger = Client()
    stranger.get(f"/participation/s/{live_session.pk}/")
    stranger.cookies["sessionid"] = "no-such-session"
    status, payload, _headers = write_supports([_item(live_session, stranger, third)])[0]
    assert status == 403 and payload["message"] == zh(
        "Please verify with your mobile number before supporting a project."
    )
    assert Support.objects.count() == 2
    assert RateCounter.objects.get(key="vote_ip:127.0.0.1").hits == 5  # the repeat and the two at K counted
    # No such session: Django's 404.
    assert write_supports([{**_item(live_session, by_batch, first), "session_id": 10**9}]) == [None]


def test_each_phone_of_a_batch_gets_the_index_after_the_batch_in_its_own_language(live_session):
    """Three viewers at once, two in Chinese and one in English: one index for the batch, its label in each
    request's language."""
    first, second, _third = live_session.entries_list
    phones = [Client() for _ in range(3)]
    for n, phone in enumerate(phones):
        assert verify(phone, live_session, f"1391234567{n}").status_code == 200
    answers = write_supports(
        [
            _item(live_session, phones[0], first),
            _item(live_session, phones[1], second, language="en"),
            _item(live_session, phones[2], first),
        ]
    )
    assert [status for status, _body, _headers in answers] == [200, 200, 200]
    indexes = [body["audience"] for _status, body, _headers in answers]
    assert [index["label"] for index in indexes] == [
        zh(indexes[1]["label"]),
        indexes[1]["label"],
        zh(indexes[1]["label"]),
    ]
    assert indexes[0]["label"] != indexes[1]["label"]
    supports = {e["entry_id"]: e["supports"] for e in indexes[1]["entries"]}
    assert supports[first.pk] == 2 and supports[second.pk] == 1
    assert all(
        index["entries"] == indexes[1]["entries"] and index["total_supports"] == 3 for index in indexes
    )


def test_over_the_limit_the_batch_answers_429_as_the_view(live_session, settings):
    first, second, _third = live_session.entries_list
    settings.DAJIA_PARTICIPATION_LIMITS = {**settings.DAJIA_PARTICIPATION_LIMITS, "vote_viewer": (1, 600)}
    phone = Client()
    assert verify(phone, live_session, "13912345678").status_code == 200
    answers = write_supports([_item(live_session, phone, first), _item(live_session, phone, second)])
    assert answers[0][0] == 200
    status, payload, headers = answers[1]
    view = support(phone, live_session, second)
    assert status == view.status_code == 429
    assert payload["message"].split("%")[0][:6] == view.json()["message"][:6]
    assert int(headers["Retry-After"]) >= 1 and view["Retry-After"]
    assert Support.objects.count() == 1
    assert AuditLog.objects.filter(action="participation.rate_limited").count() == 1


def test_a_failed_batch_is_handed_to_django_whole(live_session, monkeypatch):
    from django.db import DatabaseError

    from dajia.core import batches
    from dajia.participation import services_supports

    phone = Client()
    assert verify(phone, live_session, "13912345678").status_code == 200

    def broken(*, requests):
        raise DatabaseError("the database went away")

    closed = []
    monkeypatch.setattr(services_supports, "supports_add", broken)
    monkeypatch.setattr(batches, "close_connection", lambda: closed.append(True))
    assert write_supports([_item(live_session, phone, live_session.entries_list[0])]) is None
    assert closed == [True]  # the writer's next batch opens a new connection
    assert not Support.objects.exists()


def _scope(*headers: tuple[bytes, bytes]) -> dict:
    """A phone's support request as uvicorn hands it to the edge."""
    return {
        "type": "http",
        "method": "POST",
        "path": "/participation/s/7/support",
        "root_path": "",
        "query_string": b"",
        "scheme": "http",
        "http_version": "1.1",
        "client": ("10.1.2.3", 50000),
        "server": ("testserver", 80),
        "headers": [
            (b"host", b"testserver"),
            (b"accept", b"application/json"),
            (b"content-type", b"application/x-www-form-urlencoded"),
            *headers,
        ],
    }


TOKEN = b"t" * 32  # a CSRF secret in the cookie's form, sent back in the header as the page's script does


def test_the_edge_reads_the_session_key_address_and_language_from_one_request(settings):
    """The cookies are parsed once, as Django parses them: the browser's session key, and the language its
    cookie chose over Accept-Language; the address as the rate limits read it."""
    cookie = b"sessionid=bv0042; csrftoken=" + TOKEN + b"; " + settings.LANGUAGE_COOKIE_NAME.encode() + b"=en"
    scope = _scope((b"cookie", cookie), (b"x-csrftoken", TOKEN), (b"accept-language", b"zh-CN"))
    item = _item_of(scope, b"entry=12&action=add")
    assert item == {
        "session_id": 7,
        "session_key": "bv0042",
        "entry": "12",
        "ip": "10.1.2.3",
        "language": "en",
    }
    plain = _scope((b"cookie", b"sessionid=bv0043; csrftoken=" + TOKEN), (b"x-csrftoken", TOKEN))
    assert _item_of(plain, b"entry=12")["language"] == "zh-hans"


def test_the_edge_leaves_to_django_what_it_does_not_serve():
    """Without the CSRF token, without a session cookie, a withdrawal: None, and Django answers."""
    cookie = (b"cookie", b"sessionid=bv0042; csrftoken=" + TOKEN)
    assert _item_of(_scope(cookie), b"entry=12") is None  # no X-CSRFToken header
    assert _item_of(_scope(cookie, (b"x-csrftoken", b"u" * 32)), b"entry=12") is None
    assert _item_of(_scope((b"cookie", b"csrftoken=" + TOKEN), (b"x-csrftoken", TOKEN)), b"entry=12") is None
    assert _item_of(_scope(cookie, (b"x-csrftoken", TOKEN)), b"entry=12&action=remove") is None


def _item_of(scope: dict, body: bytes) -> dict | None:
    from dajia.participation.fastpath import _item as item

    return item(scope, body, 7)
