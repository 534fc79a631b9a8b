"""The migration that requires a worker's union fills it from what the account already tells: the union it
chairs, else the union named on its latest need; a worker role with neither is removed, the account kept."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("accounts", "0003_registration_code"), ("needs", "0001_initial"), ("orgs", "0001_initial")]
AFTER = [("accounts", "0005_worker_union_required")]


@pytest.mark.django_db(transaction=True)
def test_worker_roles_get_their_union_or_go():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    User = old.get_model("accounts", "User")
    RoleAssignment = old.get_model("accounts", "RoleAssignment")
    Federation = old.get_model("orgs", "Federation")
    Union = old.get_model("orgs", "Union")
    Need = old.get_model("needs", "Need")
    xiacheng = Federation.objects.create(name="下城区总工会")
    chaired, named = (Union.objects.create(name=n, federation=xiacheng) for n in ("甲公司工会", "乙公司工会"))
    chair, voiced, unknown = (User.objects.create(username=u) for u in ("chair", "voiced", "unknown"))
    RoleAssignment.objects.create(user=chair, role="chair", union=chaired)
    for user in (chair, voiced, unknown):
        RoleAssignment.objects.create(user=user, role="worker")
    Need.objects.create(federation=xiacheng, union=named, author=voiced, text="希望开设叉车证培训班。")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    roles = new.get_model("accounts", "RoleAssignment").objects.filter(role="worker")
    assert dict(roles.values_list("user__username", "union__name")) == {
        "chair": "甲公司工会",
        "voiced": "乙公司工会",
    }
    assert new.get_model("accounts", "User").objects.filter(username="unknown").exists()
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # the schema the rest of the suite expects
