import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dajia.menu.models import Category, ServiceProject

pytestmark = pytest.mark.django_db


@pytest.fixture
def menu(provider, other_provider, make_project):
    safety = Category.objects.get(code="safety")
    return {
        "stress": make_project(
            provider, "职工心理减压工作坊", description="团体辅导帮助职工缓解焦虑情绪", price="2800.00"
        ),
        "hotline": make_project(
            provider, "心理咨询热线", description="一对一线上倾诉", price="600.00", format="online"
        ),
        "fire": make_project(
            other_provider,
            "企业消防安全与应急疏散演练",
            category=safety,
            description="讲解灭火器使用并组织疏散演练",
            price="3000.00",
        ),
        "draft": make_project(
            other_provider, "未审核的草稿项目", status="draft", description="草稿里的焦虑内容"
        ),
    }


def titles(response) -> set[str]:
    return {p.title for p in response.context["page"]}


def test_search_finds_a_chinese_word_in_the_description(client, menu):
    response = client.get(reverse("menu:list"), {"q": "灭火器"})
    assert titles(response) == {"企业消防安全与应急疏散演练"}


def test_search_finds_pinyin_initials_of_the_title(client, menu):
    assert titles(client.get(reverse("menu:list"), {"q": "xfaq"})) == {"企业消防安全与应急疏散演练"}
    assert titles(client.get(reverse("menu:list"), {"q": "XLZX"})) == {"心理咨询热线"}


def test_unpublished_projects_never_show(client, menu):
    assert "未审核的草稿项目" not in titles(client.get(reverse("menu:list"), {"q": "焦虑"}))
    assert client.get(reverse("menu:detail", args=[menu["draft"].pk])).status_code == 404


def test_filters_combine(client, menu, provider, category):
    params = {"category": category.pk, "provider": provider.pk, "price_max": "1000", "format": "online"}
    assert titles(client.get(reverse("menu:list"), params)) == {"心理咨询热线"}
    params["price_min"] = "700"
    assert titles(client.get(reverse("menu:list"), params)) == set()


def test_a_mistyped_price_or_format_is_ignored_not_a_500(client, menu):
    response = client.get(reverse("menu:list"), {"price_min": "abc", "format": "bogus"})
    assert response.status_code == 200
    assert len(titles(response)) == 3


def test_a_category_that_is_not_an_id_is_a_400_with_a_message(client, menu):
    response = client.get(reverse("menu:list"), {"category": "x"})
    assert response.status_code == 400
    assert "必须是由数字组成的编号" in response.content.decode()


def test_htmx_requests_get_only_the_results(client, menu):
    response = client.get(reverse("menu:list"), {"q": "心理"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and "心理咨询热线" in html


def test_the_export_has_chinese_headers_and_the_filtered_rows(client, menu):
    response = client.get(reverse("menu:export"), {"q": "心理"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("项目名称", "服务类别", "社会组织")
    assert {r[0] for r in rows[1:]} == {"职工心理减压工作坊", "心理咨询热线"}
    assert {r[3] for r in rows[1:]} == {"线下", "线上"}


def test_the_menu_list_runs_a_fixed_number_of_queries(
    client, provider, other_provider, make_project, django_assert_num_queries
):
    make_project(provider, "项目一")
    client.get(reverse("menu:list"))  # warm caches (content types, sessions)
    with django_assert_num_queries(4) as few:
        client.get(reverse("menu:list"))
    for i in range(30):
        make_project(other_provider if i % 2 else provider, f"批量项目{i}")
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("menu:list"))
    assert len(titles(response)) == 24


@pytest.mark.parametrize("persona", ["visitor", "office_user"])
@pytest.mark.parametrize(
    "params",
    [{"category": "CATEGORY"}, {"q": "批量"}, {"q": "plxm"}, {"page": "999"}],
    ids=["a category", "a search", "a pinyin search", "the last page"],
)
def test_each_menu_view_runs_the_same_queries_however_many_projects(
    client,
    persona,
    office_user,
    provider,
    other_provider,
    make_project,
    category,
    params,
    django_assert_num_queries,
):
    """The filtered pages and the last page (past the last shows the last) too, for a visitor and for the
    office (its federation's scope)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    params = {k: str(category.pk) if v == "CATEGORY" else v for k, v in params.items()}
    url = reverse("menu:list")
    make_project(provider, "批量项目甲")
    if persona == "office_user":
        client.force_login(office_user)
    client.get(url, params)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, params).status_code == 200
    for i in range(40):
        make_project(other_provider if i % 2 else provider, f"批量项目{i:02d}")
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url, params)
    assert response.status_code == 200 and titles(response)


def test_the_detail_page_shows_the_project(client, menu):
    response = client.get(reverse("menu:detail", args=[menu["fire"].pk]))
    assert response.status_code == 200
    assert "讲解灭火器使用" in response.content.decode()
    assert ServiceProject.objects.published().count() == 3
