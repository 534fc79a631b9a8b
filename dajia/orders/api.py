"""JSON API of delivery: the track record (public, like the provider page) — the same selector as the pages."""

from __future__ import annotations

from ninja import Router, Schema
from ninja.errors import HttpError

from dajia.orders.selectors import TrackRecord, track_record

router = Router(tags=["orders"])


class TrackRecordOut(Schema):
    id: int
    delivered: int
    on_time: int
    on_time_rate: str | None
    capacity: int
    attendance: int
    attendance_rate: str | None
    ratings: int
    average_rating: str | None
    complaints: int


def _out(key: int, r: TrackRecord) -> dict:
    def text(value):
        return None if value is None else str(value)

    return {
        "id": key,
        "delivered": r.delivered,
        "on_time": r.on_time,
        "on_time_rate": text(r.on_time_rate),
        "capacity": r.capacity,
        "attendance": r.attendance,
        "attendance_rate": text(r.attendance_rate),
        "ratings": r.ratings,
        "average_rating": text(r.average_rating),
        "complaints": r.complaints,
    }


@router.get("/track-record", response=TrackRecordOut)
def track_record_one(request, provider: int | None = None, project: int | None = None):
    """One provider's (``?provider=ID``) or one project's (``?project=ID``) track record."""
    if (provider is None) == (project is None):
        raise HttpError(400, "请给出 provider 或 project 其中之一 / give exactly one of provider or project")
    if provider is not None:
        return _out(provider, track_record(provider_ids=[provider])[provider])
    return _out(project, track_record(project_ids=[project])[project])
