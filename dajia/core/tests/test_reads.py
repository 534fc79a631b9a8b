"""``core.reads.compiled_read``: a read compiled once answers what its QuerySet answers, for every value and
shape of its arguments (ints, strings, collections of either), and refuses, when it is compiled, a QuerySet it
cannot answer for."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection, transaction
from django.db.models import Count, Q
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from dajia.core.models import AuditLog, RateCounter
from dajia.core.reads import compiled_read

pytestmark = pytest.mark.django_db

AT = datetime.datetime(2026, 12, 4, 9, 30, 15, 250000, tzinfo=datetime.UTC)


def _entries(count: int) -> list[AuditLog]:
    # Built by the ORM's own create on purpose: these rows are the reference, not something under test.
    return [
        AuditLog.objects.create(
            at=AT + datetime.timedelta(minutes=n),
            action="support.add",
            object_type="support",
            object_id=str(n),
            object_repr=f"第{n}条支持",
            after={"项目": "职工书屋", "n": n, "分": [1, 2.5]},
        )
        for n in range(count)
    ]


def _same(a: AuditLog, b: AuditLog) -> bool:
    return a.pk == b.pk and all(
        getattr(a, f.attname) == getattr(b, f.attname) for f in AuditLog._meta.concrete_fields
    )


@compiled_read
def _entries_by_pk(ids):
    return AuditLog.objects.filter(pk__in=ids).order_by("pk")


@compiled_read
def _times(low, ids):
    return AuditLog.objects.filter(pk__gte=low, pk__in=ids).order_by("pk").values_list("pk", "at", "after")


def test_instances_equal_the_orms_with_every_field_converted():
    made = _entries(3)
    ids = [e.pk for e in made]
    found = _entries_by_pk(ids)
    expected = list(AuditLog.objects.filter(pk__in=ids).order_by("pk"))
    assert len(found) == 3
    assert all(_same(a, b) for a, b in zip(found, expected, strict=True))
    assert found[0].at == AT and found[0].at.tzinfo is not None  # the datetime converter ran
    assert found[0].after == {"项目": "职工书屋", "n": 0, "分": [1, 2.5]}  # the JSON converter ran
    assert not found[0]._state.adding and found[0]._state.db == "default"  # as loaded, so save() updates


def test_values_list_rows_equal_the_orms():
    ids = [e.pk for e in _entries(5)]
    rows = _times(ids[1], ids)
    assert rows == list(
        AuditLog.objects.filter(pk__gte=ids[1], pk__in=ids).order_by("pk").values_list("pk", "at", "after")
    )
    assert [row[0] for row in rows] == ids[1:]
    assert rows[0][1] == AT + datetime.timedelta(minutes=1) and rows[0][2]["n"] == 1


def test_a_shape_is_compiled_once_and_run_with_other_values():
    built = []

    @compiled_read
    def counted(low, ids):
        built.append((low, len(ids)))
        return AuditLog.objects.filter(pk__gte=low, pk__in=ids).order_by("pk").values_list("pk")

    ids = [e.pk for e in _entries(8)]
    assert counted(ids[0], ids[:5]) == [(pk,) for pk in ids[:5]]
    assert counted(ids[6], ids) == [(ids[6],), (ids[7],)]  # eight: five's shape, padded to eight
    assert counted(ids[0], ids[:6]) == [(pk,) for pk in ids[:6]]
    assert len(built) == 1  # built once, with stand-ins
    assert counted(ids[0], ids[:2]) == [(ids[0],), (ids[1],)]  # two: another shape
    assert [size for _, size in built] == [8, 2]


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 8, 9, 17])
def test_a_collection_of_any_length_reads_each_of_its_rows_once(count):
    ids = [e.pk for e in _entries(count)]
    assert [e.pk for e in _entries_by_pk(ids)] == ids
    assert [e.pk for e in _entries_by_pk(set(ids))] == ids  # any iterable of ints
    assert [e.pk for e in _entries_by_pk(ids[:1] * 3)] == ids[:1]  # a repeat is read once, as IN reads it


@compiled_read
def _by_action_or_pk(actions, ids):
    return (
        AuditLog.objects.filter(Q(action__in=actions) | Q(pk__in=ids))
        .order_by("pk")
        .values_list("pk", "action")
    )


def test_strings_and_collections_of_strings_reach_the_sql():
    made = _entries(3)
    amended = AuditLog.objects.create(
        action="sheet.amend", object_type="sheet", object_id="9", object_repr="9"
    )
    assert _by_action_or_pk(["sheet.amend"], [made[0].pk]) == [
        (made[0].pk, "support.add"),
        (amended.pk, "sheet.amend"),
    ]
    assert _by_action_or_pk({"support.add", "无此动作"}, [amended.pk]) == list(
        AuditLog.objects.order_by("pk").values_list("pk", "action")
    )


def test_an_empty_collection_is_answered_by_the_orm_whatever_it_means_there(django_assert_num_queries):
    made = _entries(2)
    with django_assert_num_queries(0):  # under AND: nothing, and no query
        assert _entries_by_pk([]) == []
        assert _times(1, set()) == []
    # Under OR an empty ``IN`` drops out of the condition rather than emptying the read.
    assert _by_action_or_pk([], [made[1].pk]) == [(made[1].pk, "support.add")]
    assert _by_action_or_pk((a for a in ["support.add"]), iter([])) == [(e.pk, "support.add") for e in made]


def test_grouped_counts_and_annotations_come_in_the_orms_order():
    @compiled_read
    def grouped(ids):
        return (
            RateCounter.objects.filter(pk__in=ids).values_list("key").annotate(n=Count("pk")).order_by("key")
        )

    @compiled_read
    def annotation_first(ids):
        return (
            RateCounter.objects.filter(pk__in=ids)
            .annotate(n=Count("pk"))
            .values_list("n", "key")
            .order_by("key")
        )

    ids = [
        RateCounter.objects.create(key=key, window_start=AT + datetime.timedelta(minutes=n), hits=1).pk
        for n, key in enumerate(["vote_ip:a", "vote_ip:b", "vote_ip:a"])
    ]
    assert grouped(ids) == [("vote_ip:a", 2), ("vote_ip:b", 1)]
    assert grouped(ids) == list(
        RateCounter.objects.filter(pk__in=ids).values_list("key").annotate(n=Count("pk")).order_by("key")
    )
    assert annotation_first(ids) == [(1, "vote_ip:a"), (1, "vote_ip:a"), (1, "vote_ip:b")]
    assert annotation_first(ids) == list(
        RateCounter.objects.filter(pk__in=ids).annotate(n=Count("pk")).values_list("n", "key").order_by("key")
    )


def test_arguments_other_than_ints_and_strings_are_refused():
    with pytest.raises(TypeError, match="takes ints or strings"):
        _entries_by_pk([1.0])
    with pytest.raises(TypeError, match="takes ints or strings"):
        _entries_by_pk([1, "2"])  # one kind to a collection
    with pytest.raises(TypeError, match="takes ints or strings"):
        _entries_by_pk([1, None])


def test_querysets_it_cannot_answer_for_are_refused_when_compiled():
    @compiled_read
    def joined(ids):
        return AuditLog.objects.select_related("actor").filter(pk__in=ids)

    @compiled_read
    def annotated(ids):
        return AuditLog.objects.filter(pk__in=ids).annotate(n=Count("pk"))

    @compiled_read
    def rewritten(text):  # icontains sends %text%: not the argument
        return AuditLog.objects.filter(action__icontains=text)

    @compiled_read
    def twice(ids):
        return AuditLog.objects.filter(pk__in=ids, actor_id__in=ids)

    @compiled_read
    def prefetching(ids):
        return AuditLog.objects.filter(pk__in=ids).prefetch_related("actor")

    @compiled_read
    def unused(low, ids):  # ``low`` never reaches the SQL
        return AuditLog.objects.filter(pk__in=ids)

    @compiled_read
    def changed(low):  # the SQL gets low + 1, not the argument
        return AuditLog.objects.filter(pk__gt=low + 1)

    @compiled_read
    def flat(ids):
        return AuditLog.objects.filter(pk__in=ids).values_list("pk", flat=True)

    for read, message in [
        (lambda: joined([1]), "one model's own columns"),
        (lambda: annotated([1]), "model instances or values_list"),
        (lambda: rewritten("support"), "once and unchanged"),
        (lambda: twice([1]), "once and unchanged"),
        (lambda: prefetching([1]), "does not prefetch"),
        (lambda: unused(1, [1]), "once and unchanged"),
        (lambda: changed(1), "once and unchanged"),
        (lambda: flat([1]), "model instances or values_list"),
    ]:
        with pytest.raises(ValueError, match=message):
            read()


@compiled_read
def _locked(ids):
    return RateCounter.objects.select_for_update().filter(pk__in=ids).order_by("pk")


def test_a_locking_read_keeps_for_update_where_the_database_has_it():
    counter = RateCounter.objects.create(key="vote_ip:10.0.0.1", window_start=AT, hits=3)
    with transaction.atomic(), CaptureQueriesContext(connection) as seen:
        assert [c.hits for c in _locked([counter.pk])] == [3]
        assert [c.hits for c in _locked([counter.pk])] == [3]  # the compiled SQL, run again
    assert len(seen.captured_queries) == 2
    for query in seen.captured_queries:
        assert ("FOR UPDATE" in query["sql"]) is connection.features.has_select_for_update


@pytest.mark.django_db(transaction=True)
def test_a_locking_read_outside_a_transaction_is_refused_as_the_orm_refuses_it():
    if not connection.features.has_select_for_update:
        pytest.skip("SQLite has no FOR UPDATE: the ORM and the compiled read both run the plain SELECT")
    counter = RateCounter.objects.create(key="k", window_start=AT, hits=1)
    with transaction.atomic():
        _locked([counter.pk])  # compiled inside a transaction
    with pytest.raises(TransactionManagementError):
        _locked([counter.pk])  # the compiled SQL is not run outside one either
