"""``core.bulk.insert_instances``: the batch services' one bulk insert stores what ``bulk_create`` stores, in
order, with the primary keys set, in as few statements as the database's parameter limit allows."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dajia.core import audit
from dajia.core.bulk import insert_instances
from dajia.core.models import AuditLog
from dajia.orgs.models import Federation
from dajia.participation.models import SensitiveWord

pytestmark = pytest.mark.django_db

AT = datetime.datetime(2026, 12, 3, 9, 30, 15, 250000, tzinfo=datetime.UTC)
FIELDS = (
    "at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
)


def _entries(federation: Federation, n: int, *, at: datetime.datetime = AT) -> list[AuditLog]:
    entries = []
    for i in range(n):
        entry = audit.record(
            action="participation.support.add",
            obj=federation,
            before={"supports": i} if i % 2 else None,
            after={"entry": i, "viewer": 1000 + i, "ip": "10.0.0.7", "label": "王师傅 ✓"},
            federation_id=federation.pk if i % 3 else None,
            actor_label="138****0012",
        )
        entry.at = at
        entries.append(entry)
    return entries


def _stored(ids: list[int]) -> list[tuple]:
    rows = {
        row[0]: row[1:]
        for row in AuditLog.objects.filter(pk__in=ids).values_list("pk", *FIELDS, "federation_id")
    }
    return [rows[pk] for pk in ids]


def test_the_audit_entries_of_a_batch_are_stored_as_bulk_create_stores_them(federation):
    by_helper = insert_instances(_entries(federation, 7))
    by_orm = AuditLog.objects.bulk_create(_entries(federation, 7))
    assert all(e.pk is not None and not e._state.adding for e in by_helper)
    assert [e.pk for e in by_helper] == sorted(e.pk for e in by_helper)  # in the order given
    assert _stored([e.pk for e in by_helper]) == _stored([e.pk for e in by_orm])
    first = AuditLog.objects.get(pk=by_helper[1].pk)
    assert first.at == AT and first.before["supports"] == 1 and first.after["label"] == "王师傅 ✓"


def test_more_rows_than_one_statement_holds_are_split_within_the_parameter_limit(
    federation, django_assert_num_queries
):
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL takes the rows as one array per column, in one statement (the test below)")
    per_statement = (connection.features.max_query_params or 32_766) // 10  # ten columns are written
    n = 2 * per_statement + 5
    with django_assert_num_queries(3):
        stored = insert_instances(_entries(federation, n))
    assert len({e.pk for e in stored}) == n
    assert AuditLog.objects.filter(pk__in=[e.pk for e in stored]).count() == n


def test_on_postgresql_any_number_of_rows_is_one_statement_of_one_array_per_column(
    federation, django_assert_num_queries
):
    if connection.vendor != "postgresql":
        pytest.skip("the arrays are PostgreSQL's; other databases take VALUES within their parameter limit")
    with CaptureQueriesContext(connection) as small:
        insert_instances(_entries(federation, 3))
    with django_assert_num_queries(1):
        stored = insert_instances(_entries(federation, 7_000))  # 70,000 values: past the 65,535 parameters
    assert len({e.pk for e in stored}) == 7_000
    (sql,) = [q["sql"] for q in small.captured_queries]
    assert "UNNEST(" in sql and "VALUES" not in sql
    assert _stored([e.pk for e in stored[:3]]) == _stored(
        [e.pk for e in insert_instances(_entries(federation, 3))]
    )


def test_addresses_and_empty_values_are_stored_as_the_orm_stores_them(db):
    from dajia.accounts.models import RegistrationCode

    def codes(ips):
        return [
            RegistrationCode(
                mobile_hash=f"h{i}",
                mobile_masked="138****0012",
                code_hash="c",
                created_at=AT,
                expires_at=AT,
                ip=ip,
            )
            for i, ip in enumerate(ips)
        ]

    ips = ["10.0.0.7", None, "2001:db8::1"]
    by_helper = insert_instances(codes(ips))
    by_orm = RegistrationCode.objects.bulk_create(codes(ips))
    stored = dict(RegistrationCode.objects.values_list("pk", "ip"))
    assert [stored[c.pk] for c in by_helper] == [stored[c.pk] for c in by_orm] == ips


def test_auto_now_fields_are_stamped_as_the_orm_stamps_them(federation):
    before = datetime.datetime.now(datetime.UTC)
    (word,) = insert_instances([SensitiveWord(federation=federation, word="刷票")])
    stored = SensitiveWord.objects.get(pk=word.pk)
    assert stored.word == "刷票" and stored.created_at == word.created_at and stored.created_at >= before


def test_nothing_to_insert_runs_no_statement(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert insert_instances([]) == []
