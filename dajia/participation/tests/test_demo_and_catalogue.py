"""The demo (a few hundred verified viewers on the published 2020 session, comments in every state, floor
suggestions, two objections answered within the window) (the Chinese catalogue is checked with every other string in dajia/core/tests/test_i18n.py)."""

from __future__ import annotations

from django.test import Client
from django.utils import timezone

from dajia.consultations import demo as consultations_demo
from dajia.consultations.results import result_data, session_tally
from dajia.demo import foundation
from dajia.notices.models import Objection
from dajia.notices.selectors import objection_states
from dajia.notices.window import notice_window
from dajia.participation import demo
from dajia.participation.models import Comment, Support, Viewer
from dajia.participation.selectors import audience_index


def test_demo(db):
    ctx = foundation.build()
    consultations_demo.build(ctx)
    session = ctx["sessions"]["history"]
    before = result_data(session_tally(session)[1])
    demo.build(ctx)
    index = audience_index(session)
    assert index.viewers == Viewer.objects.filter(session=session).count() == demo.VIEWERS
    assert index.total_supports == Support.objects.filter(session=session).count() > demo.VIEWERS
    assert all(
        Support.objects.filter(viewer=v).count() <= session.support_limit for v in Viewer.objects.all()[:50]
    )
    assert result_data(session_tally(session)[1]) == before  # the supports leave the panel's result alone
    statuses = set(Comment.objects.filter(session=session).values_list("status", flat=True))
    assert statuses == {"approved", "rejected", "pending"}
    assert Comment.objects.filter(session=session, source="floor").exists()
    assert Comment.objects.filter(session=session).exclude(answer="").count() >= 3
    assert Comment.objects.filter(session=session, auto_rejected=True).exists()
    objections = Objection.objects.filter(session=session)
    assert [o.status for o in objections] == ["rejected", "rejected"]
    window = notice_window(session)
    assert all(
        o.response and window.start <= timezone.localdate(o.responded_at) <= window.end for o in objections
    )
    assert objection_states([session.pk])[session.pk].upheld == set()
    html = Client().get(f"/sessions/{session.pk}/notice/").content.decode()
    for objection in Objection.objects.filter(session=session):
        assert objection.name not in html and objection.mobile not in html
