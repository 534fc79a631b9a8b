"""Personas for the needs tests, on top of dajia/conftest.py: workers who raise and support needs."""

from __future__ import annotations

import pytest

from dajia.conftest import make_user


@pytest.fixture
def categories(db):
    from dajia.menu.defaults import install_default_categories
    from dajia.menu.models import Category

    install_default_categories(Category)  # transactional tests flush the migration's rows
    return {c.code: c for c in Category.objects.all()}


@pytest.fixture
def worker(db):
    return make_user("worker", role="worker")


@pytest.fixture
def workers(db):
    return [make_user(f"w{i:02d}", role="worker") for i in range(1, 6)]


@pytest.fixture
def other_chair(other_union):
    return make_user("otherchair", role="chair", union=other_union)


@pytest.fixture
def wuyi_union(other_federation):
    from dajia.orgs.models import Union

    return Union.objects.create(name="武义恒达五金制品有限公司工会", federation=other_federation, members=60)


@pytest.fixture
def raise_need(categories):
    """Raise a need through the service (as the web page does)."""
    from dajia.needs import services

    def make(author, text, union, **kw):
        return services.need_create(actor=author, text=text, union=union, **kw)

    return make
