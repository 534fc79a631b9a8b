"""A workbench group counts its records once they are more than it lists; fewer are counted as listed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dajia.accounts.models import User
from dajia.workbench.registry import SHOWN, group

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("waiting", [0, 1, SHOWN - 1, SHOWN, SHOWN + 3])
def test_a_group_counts_only_what_it_cannot_list(waiting):
    User.objects.bulk_create(User(username=f"waiting-{i}") for i in range(waiting))
    qs = User.objects.filter(username__startswith="waiting-").order_by("id")
    with CaptureQueriesContext(connection) as queries:
        g = group("waiting", "等待", qs, lambda user: user.username)
    assert g.count == waiting
    assert g.items == [f"waiting-{i}" for i in range(min(waiting, SHOWN))]
    assert len(queries) == (1 if waiting < SHOWN else 2)
