"""Writing the audit log. Services call :func:`log` inside their transaction, so an entry exists exactly
when the change it describes was committed; a batch service (many phones' writes in one transaction) calls
:func:`log_many` once, which stores the same entries as one :func:`log` each, in one INSERT per chunk of rows."""

from __future__ import annotations

import datetime
import decimal
from typing import Any

from django.db import models

from dajia.core.bulk import insert_instances
from dajia.core.models import AuditLog


def _jsonable(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if hasattr(value, "name") and hasattr(value, "url"):  # file fields
        return str(value.name or "")
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The audited state of a model instance: its concrete fields (foreign keys as ids)."""
    data = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in {"password"}:
            continue
        data[field.attname] = _jsonable(getattr(obj, field.attname))
    return data


def record(
    *,
    actor=None,
    action: str,
    obj: models.Model,
    before: dict | None = None,
    after: dict | None = None,
    federation_id: int | None = None,
    actor_label: str = "",
) -> AuditLog:
    """The unsaved log entry for one change (only the fields that changed when both states are given)."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if before is not None and after is not None:
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        before = {k: before.get(k) for k in sorted(changed)}
        after = {k: after.get(k) for k in sorted(changed)}
    return AuditLog(
        actor=actor,
        actor_label=actor_label or (actor.get_full_name() or actor.username if actor else ""),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        federation_id=federation_id,
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
    )


def log(**fields: Any) -> AuditLog:
    """Store the entry :func:`record` builds from the same keyword arguments."""
    row = record(**fields)
    row.save(force_insert=True)
    return row


def log_many(entries: list[AuditLog]) -> list[AuditLog]:
    """Store the entries built by :func:`record` (one per change of a batch) in their order, in as few INSERTs
    as the database's parameter limit allows (``core.bulk``: a quarter of a batch of supports was the ORM's
    bulk insert)."""
    return insert_instances(entries)
