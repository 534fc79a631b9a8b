"""The desk's items on the workbench: the on-duty lawyer sees a new case to take; the lead the waiting ones;
another park's volunteer sees nothing of it."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from dajia.desk import services
from dajia.desk.models import Case
from dajia.desk.tests.conftest import NOW

pytestmark = pytest.mark.django_db


def _groups(client, user):
    client.force_login(user)
    response = client.get(reverse("workbench:home"))
    assert response.status_code == 200
    return {g.key: g for section in response.context["sections"] for g in section["groups"]}


def _waiting_case(contact_user, enterprise) -> Case:
    """A case raised on Saturday 12 December, when no one is on duty: it waits for the lead."""
    return services.case_raise(
        actor=contact_user,
        enterprise=enterprise,
        specialty="lawyer",
        description="合同",
        now=NOW + datetime.timedelta(days=4),
    )


def test_the_lawyer_sees_the_case_to_take_and_the_lead_the_waiting_one(
    client, contact_user, enterprise, lawyer, far_lawyer, lead, office_user
):
    case = services.case_raise(
        actor=contact_user, enterprise=enterprise, specialty="lawyer", description="欠薪", now=NOW
    )
    groups = _groups(client, lawyer.user)
    assert groups["desk_to_take"].count == 1 and case.number in groups["desk_to_take"].items[0].title
    assert groups["desk_mine"].count == 0
    assert _groups(client, far_lawyer.user)["desk_to_take"].count == 0  # not yours
    waiting = _waiting_case(contact_user, enterprise)
    assert [i.url for i in _groups(client, lead.user)["desk_flagged"].items] == [
        reverse("desk:case_detail", args=[waiting.pk])
    ]
    assert _groups(client, office_user)["desk_flagged"].count == 1
    ours = _groups(client, contact_user)
    assert ours["desk_ours_open"].count == 2 and ours["desk_to_rate"].count == 0


def test_each_desk_role_has_its_own_section_not_my_needs(client, contact_user, lawyer, park_office_user):
    """A volunteer, a park office and an enterprise contact each land on a section named for their desk role."""
    for user, role in ((lawyer.user, "expert"), (park_office_user, "park"), (contact_user, "enterprise")):
        client.force_login(user)
        response = client.get(reverse("workbench:home"))
        assert response.status_code == 200
        assert [s["role"] for s in response.context["sections"]] == [role]
        assert "desk_" in " ".join(g.key for g in response.context["sections"][0]["groups"])


def test_the_leads_queue_is_narrowed_to_open_cases_inside_the_visibility_subquery(
    contact_user, enterprise, lead, office_user
):
    """The visibility subquery of the lead's queue is narrowed to the open cases (which ``case_open`` indexes),
    so a desk's years of finished cases are not walked for the workbench."""
    from dajia.desk.selectors import lead_queue

    _waiting_case(contact_user, enterprise)
    for user in (lead.user, office_user):
        qs = lead_queue(user)
        sql = str(qs.query)
        start = sql.index(" IN (SELECT ") + 4
        depth, end = 0, start
        while depth or end == start:  # the subquery, to its closing parenthesis
            depth += {"(": 1, ")": -1}.get(sql[end], 0)
            end += 1
        inner = sql[start:end]
        assert "status" in inner and "in_progress" in inner  # the narrowing applies inside the subquery
        assert len(list(qs)) == 1
        # ... and the database starts there from an index (case_open, or the lead's park), never from a walk
        # over every case: with the partial index it had been, as SQLite cannot match "status IN (?, ?, ?)"
        # against an index's condition.
        plan = qs.explain()
        assert "SCAN U0" not in plan and "Seq Scan on desk_case u0" not in plan, plan


def test_the_open_cases_index_serves_the_open_statuses_as_the_orm_binds_them():
    """``case_open`` must be usable for ``status IN (%s, %s, %s)`` with the values bound as parameters, as every
    queue sends it. A partial index on those statuses was not (SQLite cannot see that bound values imply the
    index's condition), and the lead's queue walked all 100,000 cases of the benchmark's desk."""
    from django.db import connection

    qs = Case.objects.filter(status__in=Case.OPEN).values("pk")
    if connection.vendor == "sqlite":
        sql, params = qs.query.sql_with_params()
        table = connection.ops.quote_name(Case._meta.db_table)
        forced = sql.replace(f"FROM {table}", f"FROM {table} INDEXED BY case_open", 1)
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {forced}", params)  # "no query solution" if it cannot be used
            plan = " ".join(str(row) for row in cursor.fetchall())
        assert "case_open" in plan, plan
    else:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        assert "case_open" in qs.explain()


def test_the_leads_queue_reads_the_flagged_cases_from_their_own_index(contact_user, enterprise, office_user):
    """The office's queue starts from ``case_flagged`` (the open cases waiting or past a target), not from every
    open case's row: a busy desk has hundreds open and a handful flagged. The planner is given the statistics a
    busy desk has (300 open cases, one flagged) and must choose the index on both databases."""
    from django.db import connection

    from dajia.conftest import _price_out_scans
    from dajia.core.dbstats import analyze
    from dajia.desk.selectors import lead_queue

    flagged = _waiting_case(contact_user, enterprise)
    template = Case.objects.values().get(pk=flagged.pk)
    fresh = {k: v for k, v in template.items() if k != "id"} | {"waiting": False}
    Case.objects.bulk_create([Case(**fresh) for _ in range(300)])
    qs = lead_queue(office_user).order_by("created_at", "id")
    assert [c.pk for c in qs] == [flagged.pk]
    if not analyze():  # SQLite: what dajia serve runs before it starts (manage.py analyze_db)
        with connection.cursor() as cursor:  # PostgreSQL: what autovacuum would have done
            _price_out_scans(cursor, ("desk_case",))
    plan = qs.explain()
    assert "case_flagged" in plan, plan
