"""The supports' fast path (``dajia/participation/fastpath.py``) against the view and ``services.support_add``."""

from __future__ import annotations

import pytest
from django.test import Client

from dajia.core.models import AuditLog
from dajia.participation.fastpath import VoteItem, write_supports
from dajia.participation.models import RateCounter, Support, SupportCount
from dajia.participation.tests.conftest import support, verify

pytestmark = pytest.mark.django_db


def _item(session, client: Client, entry, language="zh-hans") -> VoteItem:
    return VoteItem(session.pk, client.cookies["sessionid"].value, str(entry.pk), "127.0.0.1", language)


def _audit(support_row: Support) -> dict:
    row = AuditLog.objects.get(object_type="participation.support", object_id=str(support_row.pk))
    return {
        "action": row.action,
        "label": row.actor_label,
        "federation": row.federation_id,
        "entry": row.after["entry"],
    }


def test_a_batch_supports_as_the_view_does(live_session):
    first, second, third = live_session.entries_list
    by_view, by_batch = Client(), Client()
    assert verify(by_view, live_session, "13912345678").status_code == 200
    assert verify(by_batch, live_session, "13912345679").status_code == 200
    view_answer = support(by_view, live_session, first).json()
    status, batch_answer, headers = write_supports([_item(live_session, by_batch, first)])[0]
    assert status == 200 and headers == []
    # The same answer, but for the counts this second support added.
    assert batch_answer["message"] == view_answer["message"]
    assert batch_answer["supported"] == [first.pk] and batch_answer["remaining"] == view_answer["remaining"]
    assert batch_answer["audience"]["label"] == view_answer["audience"]["label"]
    assert batch_answer["audience"]["total_supports"] == 2
    assert SupportCount.objects.get(entry=first).supports == 2
    rows = list(Support.objects.filter(entry=first).order_by("id"))
    assert [r.ip for r in rows] == ["127.0.0.1", "127.0.0.1"]
    one, two = (_audit(r) for r in rows)
    assert {**one, "label": ""} == {**two, "label": ""} and two["label"].endswith("5679")
    # Each request counted once per limit, as the view counts it.
    assert RateCounter.objects.get(key="vote_ip:127.0.0.1").hits == 2
    # A repeat changes nothing; a viewer at K, a withdrawal path or an unverified phone go to Django.
    again = write_supports([_item(live_session, by_batch, first)])[0]
    assert again[0] == 200 and again[1]["supported"] == [first.pk]
    assert Support.objects.count() == 2
    live_session.support_limit = 1
    live_session.save(update_fields=["support_limit"])
    assert write_supports([_item(live_session, by_batch, second)]) == [None]
    stranger = Client()
    stranger.get(f"/participation/s/{live_session.pk}/")
    stranger.cookies["sessionid"] = "no-such-session"
    assert write_supports([_item(live_session, stranger, third)]) == [None]
    assert Support.objects.count() == 2
    assert RateCounter.objects.get(key="vote_ip:127.0.0.1").hits == 3  # the repeat counted, the others not


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
    assert headers[0][0] == b"retry-after"
    assert Support.objects.count() == 1
    assert AuditLog.objects.filter(action="participation.rate_limited").count() == 1
