"""The demo (a few hundred verified viewers on the published 2020 session, comments in every state, floor
suggestions, two objections) and this app's Chinese catalogue (complete, compiled)."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

from django.test import Client

from dajia.agreements.objections import upheld_objection_project_ids
from dajia.consultations import demo as consultations_demo
from dajia.consultations.models import Session
from dajia.consultations.results import result_data, session_tally
from dajia.demo import foundation
from dajia.participation import demo
from dajia.participation.models import Comment, Objection, Support, Viewer
from dajia.participation.selectors import audience_index

LOCALE = Path(__file__).resolve().parents[1] / "locale" / "zh_Hans" / "LC_MESSAGES"


def test_demo(db):
    ctx = foundation.build()
    consultations_demo.build(ctx)
    session = Session.objects.get(title=demo.SESSION_TITLE)
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
    assert set(Objection.objects.filter(session=session).values_list("status", flat=True)) == {
        "rejected",
        "pending",
    }
    assert Objection.objects.get(session=session, status="rejected").response
    assert upheld_objection_project_ids(session) == set()
    html = Client().get(f"/sessions/{session.pk}/notice/").content.decode()
    for objection in Objection.objects.filter(session=session):
        assert objection.name not in html and objection.mobile not in html


def _entries(path: Path) -> list[tuple[str | None, str, str]]:
    """(context, msgid, msgstr — msgstr[0] for plurals) of every entry."""

    def joined(block: str, keyword: str) -> str | None:
        m = re.search(rf"^{keyword} ((?:\".*\"\n?)+)", block, re.M)
        return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1))) if m else None

    out = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        msgid = joined(block, "msgid")
        if not msgid:
            continue
        msgstr = joined(block, r"msgstr(?:\[0\])?") or ""
        out.append((joined(block, "msgctxt"), msgid, "#fuzzy" if "#, fuzzy" in block else msgstr))
    return out


def test_the_catalogue_is_complete_and_compiled():
    entries = _entries(LOCALE / "django.po")
    assert len(entries) > 300
    assert [msgid for _c, msgid, msgstr in entries if not msgstr or msgstr == "#fuzzy"] == []
    with open(LOCALE / "django.mo", "rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    stale = [
        msgid
        for context, msgid, msgstr in entries
        if "%" not in msgid
        and "\\" not in msgid
        and (compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)) != msgstr
    ]
    assert stale == []
