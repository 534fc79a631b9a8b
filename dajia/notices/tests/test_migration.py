"""A database made by main before the 公示 moved (``migrate`` + ``load_demo``, dumped into
``fixtures/main_demo.json.gz``) migrates to the new layout with every row kept — the objections that changed app
included. Run it on SQLite and on PostgreSQL (``DATABASE_URL=postgres://…/dajia_notices``).

The test rolls a fresh database back to the migrations main had, loads the dump through the models as they were
then, migrates forward and compares every table's rows.
"""

from __future__ import annotations

import collections
import gzip
import json
from pathlib import Path

import pytest
from django.apps import apps as current_apps
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

DUMP = Path(__file__).parent / "fixtures" / "main_demo.json.gz"
# The last migration of every app as main had them when the dump was made (6710713). Migrations added since, in
# these apps or in apps that did not exist then, are unapplied: the dump's rows fit the schema of that day.
BEFORE = [
    ("accounts", "0001_initial"),
    ("agreements", "0001_initial"),
    ("consultations", "0001_initial"),
    ("core", "0001_initial"),
    ("live", "0001_initial"),
    ("menu", "0002_default_categories"),
    ("needs", "0001_initial"),
    ("orders", "0001_initial"),
    ("orgs", "0001_initial"),
    ("participation", "0001_initial"),
    ("notices", None),
]
MOVED = {"participation.objection": "notices.objection"}


def _rows() -> list[dict]:
    return json.loads(gzip.decompress(DUMP.read_bytes()))


def _load(old_apps, rows: list[dict]) -> None:
    by_model: dict[str, list] = collections.defaultdict(list)
    many: list[tuple] = []
    for row in rows:
        model = old_apps.get_model(row["model"])
        values = {model._meta.pk.attname: model._meta.pk.to_python(row["pk"])}
        for name, value in row["fields"].items():
            field = model._meta.get_field(name)
            if field.many_to_many:
                if value:
                    many.append((model, row["pk"], name, value))
            elif field.is_relation:
                values[field.attname] = value
            else:
                values[field.attname] = field.to_python(value)
        by_model[row["model"]].append(model(**values))
    with transaction.atomic():
        for label in by_model:
            old_apps.get_model(label).objects.all().delete()  # e.g. the default categories of menu.0002
        for label, objects in by_model.items():
            old_apps.get_model(label).objects.bulk_create(objects, batch_size=500)
        for model, pk, name, value in many:
            getattr(model.objects.get(pk=pk), name).set(value)


def test_a_demo_database_of_main_migrates_with_every_row_kept():
    rows = _rows()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    executor.loader.build_graph()
    old_apps = executor.loader.project_state(list(executor.loader.applied_migrations)).apps
    assert old_apps.get_model("participation", "Objection")._meta.db_table == "participation_objection"
    _load(old_apps, rows)
    # The content type of the moved model, as main's database has it.
    ContentType = old_apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="notices", model="objection").delete()
    old_type = ContentType.objects.get_or_create(app_label="participation", model="objection")[0].pk

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    expected = collections.Counter(MOVED.get(row["model"], row["model"]) for row in rows)
    found = {label: current_apps.get_model(label).objects.count() for label in expected}
    assert found == dict(expected)
    assert expected["notices.objection"] == 2 and expected["needs.answer"] > 1000
    # Row by row for the moved model and the session field that gained a constraint.
    Objection = current_apps.get_model("notices", "Objection")
    kept = {o.pk: (o.name, o.mobile, o.status, o.response, o.entry_id) for o in Objection.objects.all()}
    dumped = {
        row["pk"]: tuple(row["fields"][k] for k in ("name", "mobile", "status", "response", "entry"))
        for row in rows
        if row["model"] == "participation.objection"
    }
    assert kept == dumped
    Session = current_apps.get_model("consultations", "Session")
    assert {s.pk: s.objection_days for s in Session.objects.all()} == {
        row["pk"]: max(1, row["fields"]["objection_days"])
        for row in rows
        if row["model"] == "consultations.session"
    }
    from django.contrib.contenttypes.models import ContentType as CurrentContentType

    CurrentContentType.objects.clear_cache()
    assert CurrentContentType.objects.get_for_model(Objection).pk == old_type
