"""The menu's order — categories in the office's order, then titles — read from one index at any size.

``ServiceProject.category_position`` is a copy of the category's position kept for that index; these tests
hold the copy to the category through each way a position changes, and hold the plan to the index.
"""

import pytest
from django.urls import reverse

from dajia.conftest import assert_counted_in_index, assert_read_in_index_order
from dajia.menu.models import Category, ServiceProject
from dajia.menu.selectors import MenuFilter, menu_projects
from dajia.menu.services import category_save

pytestmark = pytest.mark.django_db


@pytest.fixture
def safety():
    return Category.objects.get(code="safety")


@pytest.fixture
def two_categories(category, safety, make_project, provider, other_provider):
    """心理 before 安全 at first; three projects in each, from two providers."""
    Category.objects.filter(pk=category.pk).update(position=1)
    Category.objects.filter(pk=safety.pk).update(position=2)
    category.refresh_from_db()
    safety.refresh_from_db()
    for i, title in enumerate(["职工心理减压工作坊", "婚恋交友心理课", "亲子沟通讲座"]):
        make_project(provider if i % 2 else other_provider, title, category=category)
    for i, title in enumerate(["企业消防安全与应急疏散演练", "安全生产知识竞赛", "职业病防治讲座"]):
        make_project(provider if i % 2 else other_provider, title, category=safety)
    return category, safety


def _titles(qs) -> list[str]:
    return list(qs.values_list("title", flat=True))


def test_a_new_project_takes_its_categorys_position(two_categories):
    mental, safety = two_categories
    assert set(
        ServiceProject.objects.filter(category=mental).values_list("category_position", flat=True)
    ) == {1}
    assert set(
        ServiceProject.objects.filter(category=safety).values_list("category_position", flat=True)
    ) == {2}


def test_the_top_office_moving_a_category_moves_its_projects_on_the_menu(two_categories, office_user):
    _mental, safety = two_categories
    before = _titles(menu_projects(MenuFilter()))
    # Titles within a category follow the database's collation; the categories' order is what is asserted.
    assert set(before[:3]) == {"职工心理减压工作坊", "婚恋交友心理课", "亲子沟通讲座"}
    category_save(actor=office_user, category=safety, position=0)
    after = _titles(menu_projects(MenuFilter()))
    assert set(after[:3]) == {"企业消防安全与应急疏散演练", "安全生产知识竞赛", "职业病防治讲座"}
    assert ServiceProject.objects.filter(category=safety, category_position=0).count() == 3


def test_the_admin_moving_a_category_moves_its_projects_too(two_categories):
    mental, _safety = two_categories
    mental.position = 9
    mental.save()  # the admin's change form saves the model itself
    assert set(
        ServiceProject.objects.filter(category=mental).values_list("category_position", flat=True)
    ) == {9}
    assert set(_titles(menu_projects(MenuFilter()))[-3:]) == {
        "职工心理减压工作坊",
        "婚恋交友心理课",
        "亲子沟通讲座",
    }


def test_a_project_moved_to_another_category_takes_that_position(two_categories):
    _mental, safety = two_categories
    project = ServiceProject.objects.get(title="婚恋交友心理课")
    project.category = safety
    project.save(update_fields=["category"])
    project.refresh_from_db()
    assert project.category_position == 2


def test_the_menu_page_lists_in_category_order(two_categories, client, office_user):
    _mental, safety = two_categories
    category_save(actor=office_user, category=safety, position=0)
    page = client.get(reverse("menu:list"))
    assert page.status_code == 200
    text = page.content.decode()
    assert text.index("企业消防安全与应急疏散演练") < text.index("职工心理减压工作坊")


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "office_user"])
def test_the_menus_first_page_is_read_in_index_order(two_categories, signed_in, office_user, rf):
    """The query the menu page runs for its first 24 projects (for a visitor, and scoped to an office's
    federation) walks ``project_menu_order``: no scan of the projects, no sort."""
    from django.contrib.auth.models import AnonymousUser

    from dajia.menu.views import _menu

    request = rf.get("/menu/")
    request.user = office_user if signed_in else AnonymousUser()
    qs = _menu(request, MenuFilter())[:24]
    assert_read_in_index_order(qs, "project_menu_order", tables=("menu_serviceproject", "orgs_provider"))


@pytest.mark.parametrize("one_category", [False, True], ids=["whole menu", "one category"])
def test_the_menus_pager_counts_from_the_index_alone(two_categories, one_category):
    """The pager's count on every page view: joined with the organisations, SQLite fetched each project's row
    to match its organisation (14 ms at 10,000 projects); from ``project_menu_order`` it reads the index."""
    mental, _safety = two_categories
    qs = menu_projects(MenuFilter(category=mental.pk if one_category else None))
    assert qs.count() == (3 if one_category else 6)
    assert_counted_in_index(qs, "project_menu_order", tables=("menu_serviceproject", "orgs_provider"))
