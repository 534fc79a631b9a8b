"""The web side of the suggestion: the office's keyword lists and corrections feed the same core."""

import pytest

from dajia.menu.models import Category
from dajia.needs.bench import load_labelled
from dajia.needs.learning import web_suggester
from dajia.needs.suggest import default_suggester

pytestmark = pytest.mark.django_db


def test_with_nothing_edited_the_web_suggests_exactly_what_the_command_line_does(categories):
    web, cli = web_suggester(), default_suggester()
    for item in load_labelled():
        a, b = web.suggest(item.text), cli.suggest(item.text)
        assert (a and a.code) == (b and b.code), item.text


def test_an_edited_keyword_list_changes_the_suggestion(categories):
    text = "希望组织职工学做面包蛋糕"
    assert web_suggester().suggest(text).code == "skills"
    culture = Category.objects.get(code="culture")
    culture.keywords += "\n面包蛋糕"
    culture.save()
    assert web_suggester().suggest(text).code == "culture"


def test_an_inactive_category_is_never_suggested(categories):
    Category.objects.filter(code="children").update(active=False)
    s = web_suggester().suggest("孩子暑假没人照看，希望办小候鸟班")
    assert s is None or s.code != "children"
