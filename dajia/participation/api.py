"""JSON API of live participation, mounted at /api/participation (public: counts and approved text only).

``GET /api/participation/sessions/{id}/audience`` — the audience index (网络人气, advisory), the same figures as
the live page, the big screen, the results page and the worksheet 网络人气 (all read
``selectors.audience_index``). ``GET /api/participation/sessions/{id}/comments`` — approved comments and floor
suggestions with the office's answers.
"""

from __future__ import annotations

import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from dajia.consultations.models import Session
from dajia.participation.selectors import audience_index, public_comments

router = Router(tags=["participation"])


class AudienceEntryOut(Schema):
    entry_id: int
    position: int
    title: str
    organisation: str
    supports: int
    share: str


class AudienceOut(Schema):
    session: int
    label: str
    advisory: bool
    support_limit: int
    viewers: int
    total_supports: int
    entries: list[AudienceEntryOut]


class PublicCommentOut(Schema):
    id: int
    kind: str
    source: str
    author: str
    project: str | None = None
    text: str
    answer: str
    written_at: datetime.datetime
    answered_at: datetime.datetime | None = None


@router.get(
    "/sessions/{session_id}/audience",
    response=AudienceOut,
    summary="网络人气（仅供参考）/ Audience index (advisory)",
)
def session_audience(request, session_id: int):
    session = get_object_or_404(Session, pk=session_id)
    return audience_index(session).as_data()


@router.get(
    "/sessions/{session_id}/comments",
    response=list[PublicCommentOut],
    summary="已审核的留言与建议 / Approved comments and suggestions",
)
def session_comments(request, session_id: int):
    session = get_object_or_404(Session, pk=session_id)
    return [
        {
            "id": c.pk,
            "kind": c.kind,
            "source": c.source,
            "author": c.author_label,
            "project": c.entry.project.title if c.entry else None,
            "text": c.text,
            "answer": c.answer,
            "written_at": c.created_at,
            "answered_at": c.answered_at,
        }
        for c in public_comments(session, limit=200)
    ]
