"""Needs pages: the similar-need check before posting, supports through htmx, the office's pages, N+1, bad
input and "not yours"."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from dajia.conftest import make_user
from dajia.needs import services
from dajia.needs.models import Need, Support

pytestmark = pytest.mark.django_db

# Real near-copies: what a second worker types when the first has already said it.
PAIRS = [
    ("希望组织消防安全培训，车间新员工多", "车间新员工多，想搞一次消防安全培训"),
    ("孩子暑假没人照看，希望办小候鸟班", "暑假孩子没人带，能不能办个小候鸟班"),
    ("老板拖欠工资两个月了，想找律师咨询", "工资被拖欠两个月，想咨询法律"),
    ("食堂饭菜太贵了，希望能改善一下", "食堂的饭菜价格太贵，能不能改善"),
]


@pytest.fixture
def existing(worker, union, raise_need):
    return [raise_need(worker, a, union) for a, _b in PAIRS]


@pytest.mark.parametrize("index", range(len(PAIRS)))
def test_typing_a_near_copy_shows_the_existing_need(client, workers, union, existing, index):
    client.force_login(workers[0])
    response = client.post(reverse("needs:check"), {"text": PAIRS[index][1], "union": union.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'name="seen" value="{existing[index].pk}"' in html
    assert existing[index].text in html
    assert "相似的需求" in html
    first = html.index('name="seen"')
    assert html[first : first + 60].count(str(existing[index].pk)) == 1  # the true original comes first


def test_the_check_suggests_a_category(client, workers, union, categories):
    client.force_login(workers[0])
    html = client.post(reverse("needs:check"), {"text": "想考个叉车证"}).content.decode()
    assert "推荐类别" in html and "技能提升" in html and "叉车证" in html


def test_posting_a_near_copy_shows_the_similar_need_first_and_posts_only_when_confirmed(
    client, workers, union, existing
):
    client.force_login(workers[0])
    data = {"text": PAIRS[0][1], "union": union.pk, "voice": "worker"}
    response = client.post(reverse("needs:new"), data)
    assert response.status_code == 200
    assert "已经有人提出过相似的需求" in response.content.decode()
    assert Need.objects.count() == len(PAIRS)
    response = client.post(reverse("needs:new"), {**data, "seen": [existing[0].pk]})
    assert response.status_code == 302
    assert Need.objects.count() == len(PAIRS) + 1


def test_a_new_need_without_twins_is_posted_at_once(client, workers, union, existing):
    client.force_login(workers[0])
    response = client.post(
        reverse("needs:new"), {"text": "想考个叉车证", "union": union.pk, "voice": "worker"}
    )
    need = Need.objects.get(text="想考个叉车证")
    assert response.status_code == 302 and response["Location"] == reverse("needs:detail", args=[need.pk])
    assert need.author == workers[0] and need.category.code == "skills"


def test_bad_input_gets_a_chinese_message_and_a_400(client, workers, union, categories):
    client.force_login(workers[0])
    response = client.post(reverse("needs:new"), {"text": "短", "union": union.pk, "voice": "worker"})
    assert response.status_code == 400
    assert "请至少写 5 个字" in response.content.decode()
    response = client.post(reverse("needs:new"), {"text": "希望组织消防安全培训", "voice": "worker"})
    assert response.status_code == 400
    assert "请选择所在基层工会或所在园区" in response.content.decode()
    response = client.post(
        reverse("needs:new"), {"text": "希望组织消防安全培训", "union": "abc", "voice": "x"}
    )
    assert response.status_code == 400
    assert not Need.objects.exists()


def test_the_rate_limit_answers_429(client, settings, workers, union, categories):
    settings.DAJIA_NEEDS_PER_HOUR = 1
    client.force_login(workers[0])
    client.post(reverse("needs:new"), {"text": "希望组织消防安全培训", "union": union.pk, "voice": "worker"})
    response = client.post(
        reverse("needs:new"), {"text": "想考个叉车证呀", "union": union.pk, "voice": "worker"}
    )
    assert response.status_code == 429
    assert "请稍后再提" in response.content.decode()


def test_supporting_through_htmx_counts_once(client, workers, existing):
    need = existing[0]
    client.force_login(workers[1])
    url = reverse("needs:support", args=[need.pk])
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "1 人附议" in response.content.decode()
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and "已经附议" in response.content.decode()
    assert Support.objects.filter(need=need).count() == 1
    response = client.post(reverse("needs:unsupport", args=[need.pk]), HTTP_HX_REQUEST="true")
    assert "0 人附议" in response.content.decode()


def test_supporting_without_javascript_redirects_to_the_need(client, workers, existing):
    client.force_login(workers[1])
    response = client.post(reverse("needs:support", args=[existing[1].pk]), {"text": "表单里的其它内容"})
    assert response.status_code == 302 and response["Location"] == reverse(
        "needs:detail", args=[existing[1].pk]
    )
    assert existing[1].supports.filter(user=workers[1]).exists()


def test_visitors_must_log_in_to_support(client, existing):
    response = client.post(reverse("needs:support", args=[existing[0].pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Support.objects.exists()


def test_the_public_never_sees_who_raised_an_anonymous_need(client, union, categories):
    author = make_user("张三丰", role="worker")
    need = services.need_create(actor=author, text="希望组织消防安全培训", union=union, anonymous=True)
    html = client.get(reverse("needs:detail", args=[need.pk])).content.decode()
    assert "张三丰" not in html and "匿名" in html
    named = services.need_create(actor=author, text="想考个叉车证，哪里报名", union=union)
    html = client.get(reverse("needs:detail", args=[named.pk])).content.decode()
    assert "张三丰" not in html and "张＊" in html


def test_private_answers_are_for_the_author_only(client, office_user, worker, workers, existing):
    need = existing[0]
    services.need_update_status(actor=office_user, need=need, status="handling", message="公开的答复内容")
    services.need_update_status(
        actor=office_user, need=need, status="answered", message="只给提出人看的答复", public=False
    )
    url = reverse("needs:detail", args=[need.pk])
    client.force_login(workers[2])
    html = client.get(url).content.decode()
    assert "公开的答复内容" in html and "只给提出人看的答复" not in html
    client.force_login(worker)
    assert "只给提出人看的答复" in client.get(url).content.decode()
    assert "只给提出人看的答复" in client.get(reverse("needs:mine")).content.decode()


@pytest.mark.parametrize(
    "params", [{}, {"category": "safety"}, {"sort": "new"}], ids=["the wall", "a category", "newest first"]
)
def test_the_list_page_does_not_grow_queries_with_rows(
    client, django_assert_max_num_queries, union, categories, params
):
    from dajia.menu.models import Category

    params = {k: Category.objects.get(code=v).pk if k == "category" else v for k, v in params.items()}
    authors = [make_user(f"a{i}", role="worker") for i in range(12)]

    def add(n):
        for i in range(n):
            need = services.need_create(
                actor=authors[i % 12], text=f"希望组织第{i}次消防安全培训", union=union
            )
            services.need_support(actor=authors[(i + 1) % 12], need=need)

    add(3)
    client.force_login(authors[0])
    with django_assert_max_num_queries(12) as few:
        assert client.get(reverse("needs:list"), params).status_code == 200
    add(15)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("needs:list"), params)
    assert response.status_code == 200 and len(response.context["page"]) == 18


def test_the_office_queue_does_not_grow_queries_with_rows(
    client, django_assert_max_num_queries, office_user, union, categories
):
    authors = [make_user(f"a{i}", role="worker") for i in range(10)]
    for i in range(3):
        services.need_create(actor=authors[i], text=f"希望组织第{i}次消防安全培训", union=union)
    client.force_login(office_user)
    with django_assert_max_num_queries(14) as few:
        assert client.get(reverse("needs:office")).status_code == 200
    for i in range(3, 10):
        services.need_create(actor=authors[i], text=f"希望组织第{i}次消防安全培训", union=union)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("needs:office"))
    assert len(response.context["page"]) == 10


def test_the_office_answers_from_the_need_page(client, office_user, worker, existing):
    client.force_login(office_user)
    need = existing[0]
    url = reverse("needs:status", args=[need.pk])
    response = client.post(url, {"status": "declined", "message": "", "public": "on"})
    assert response.status_code == 400 and "不予采纳的理由" in response.content.decode()
    response = client.post(url, {"status": "answered", "message": "已列入协商会备选项目", "public": "on"})
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.status == "answered"


def test_the_office_merges_from_the_need_page(client, office_user, workers, existing):
    client.force_login(office_user)
    source, target = existing[1], existing[0]
    services.need_support(actor=workers[0], need=source)
    response = client.post(reverse("needs:merge", args=[source.pk]), {"target": target.pk})
    assert response.status_code == 302
    assert set(target.supports.values_list("user_id", flat=True)) == {workers[0].pk}
    response = client.post(reverse("needs:merge", args=[existing[2].pk]), {"target": 999999})
    assert response.status_code == 302 and not Need.objects.filter(merged_into=999999).exists()


def test_not_yours_another_office_cannot_see_the_desk_items_or_act(client, other_office_user, existing):
    client.force_login(other_office_user)
    need = existing[0]
    assert client.get(reverse("needs:office")).context["total"] == 0
    html = client.get(reverse("needs:detail", args=[need.pk])).content.decode()
    assert "总工会办理" not in html and "worker" not in html
    assert (
        client.post(
            reverse("needs:status", args=[need.pk]), {"status": "handling", "message": "x"}
        ).status_code
        == 404
    )
    assert client.post(reverse("needs:merge", args=[existing[1].pk]), {"target": need.pk}).status_code == 404
    assert (
        client.post(reverse("needs:categorise", args=[need.pk]), {"category": need.category_id}).status_code
        == 404
    )
    need.refresh_from_db()
    assert need.status == "received" and not Need.objects.exclude(merged_into=None).exists()


def test_workers_and_chairs_do_not_reach_the_office_pages(client, worker, chair_user):
    for user in (worker, chair_user):
        client.force_login(user)
        for name in ("needs:office", "needs:import", "needs:rules", "needs:survey_create"):
            assert client.get(reverse(name)).status_code == 403


def test_a_hidden_need_is_gone_for_the_public(client, office_user, workers, existing):
    need = existing[0]
    services.need_update_status(
        actor=office_user, need=need, status="declined", message="内容不当", hidden=True
    )
    assert client.get(reverse("needs:detail", args=[need.pk])).status_code == 404
    assert need.text not in client.get(reverse("needs:list")).content.decode()


def _xlsx(rows):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "paper.xlsx"
    return buf


def test_the_office_imports_paper_needs(client, office_user, federation, union, categories):
    client.force_login(office_user)
    upload = _xlsx(
        [
            ["需求内容", "工会", "类别"],
            ["希望组织消防安全培训", union.name, ""],
            ["老板拖欠工资两个月", "", "法律服务"],
        ]
    )
    response = client.post(reverse("needs:import"), {"federation": federation.pk, "file": upload})
    assert response.status_code == 302
    assert Need.objects.filter(source="paper").count() == 2


def test_a_bad_import_file_says_what_is_wrong(client, office_user, federation, union, categories):
    client.force_login(office_user)
    upload = _xlsx([["需求内容", "工会"], ["希望组织消防安全培训", "没有这个工会"]])
    response = client.post(reverse("needs:import"), {"federation": federation.pk, "file": upload})
    assert response.status_code == 400
    assert "第 2 行：本总工会下没有名为“没有这个工会”的工会" in response.content.decode()
    gbk = io.BytesIO("需求内容\n消防培训\n".encode("gbk"))
    gbk.name = "paper.csv"
    response = client.post(reverse("needs:import"), {"federation": federation.pk, "file": gbk})
    assert response.status_code == 400 and "UTF-8" in response.content.decode()
    assert not Need.objects.exists()


def test_the_rules_page_shows_keywords_and_what_was_learned(
    client, office_user, worker, union, raise_need, categories
):
    need = raise_need(worker, "食堂饭菜越来越贵，一线工人吃不起", union)
    services.need_set_category(actor=office_user, need=need, category=categories["hardship"])
    client.force_login(office_user)
    html = client.get(reverse("needs:rules")).content.decode()
    assert "消防" in html and "吃不起" in html


def test_the_office_exports_its_needs_to_excel(
    client, office_user, other_office_user, worker, workers, existing
):
    from openpyxl import load_workbook

    services.need_support(actor=workers[0], need=existing[0])
    client.force_login(office_user)
    response = client.get(reverse("needs:office_export"), {"category": existing[0].category_id})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "需求内容", "服务类别")
    assert [r[1] for r in rows[1:]] == [existing[0].text]
    assert rows[1][5] == worker.display_name and rows[1][7] == 1
    client.force_login(other_office_user)
    rows = list(
        load_workbook(io.BytesIO(client.get(reverse("needs:office_export")).content)).active.iter_rows()
    )
    assert len(rows) == 1  # another federation's office: headers only
    client.force_login(worker)
    assert client.get(reverse("needs:office_export")).status_code == 403


def test_the_walls_first_page_is_read_in_index_order(client, union, categories):
    """Most supported first, from the ``need_wall_order`` index: no count of every need's supports, no sort."""
    from dajia.conftest import assert_read_in_index_order
    from dajia.needs.selectors import NeedFilter, need_list

    authors = [make_user(f"w{i}", role="worker") for i in range(3)]
    for i in range(6):
        services.need_create(actor=authors[i % 3], text=f"希望组织第{i}次职工运动会", union=union)
    qs = need_list(NeedFilter())[:20]
    assert_read_in_index_order(qs, "need_wall_order", tables=("needs_need",))


def test_a_categorys_wall_and_the_pagers_counts_are_read_from_the_index(client, union, categories):
    """One category's wall walks ``need_wall_category`` (no sort of the category's needs), and the pager counts
    the live needs, all of them or a category's, from that index without visiting 100,000 rows."""
    from dajia.conftest import assert_counted_in_index, assert_read_in_index_order
    from dajia.menu.models import Category
    from dajia.needs.selectors import NeedFilter, need_list

    sport = Category.objects.get(code="culture")
    authors = [make_user(f"w{i}", role="worker") for i in range(3)]
    for i in range(6):
        need = services.need_create(actor=authors[i % 3], text=f"希望组织第{i}次职工运动会", union=union)
        Need.objects.filter(pk=need.pk).update(category=sport if i % 2 else None)
    assert need_list(NeedFilter(category=sport.pk)).count() == 3
    qs = need_list(NeedFilter(category=sport.pk))[:20]
    assert_read_in_index_order(qs, "need_wall_category", tables=("needs_need",))
    assert_counted_in_index(
        need_list(NeedFilter(category=sport.pk)), "need_wall_category", tables=("needs_need",)
    )
    assert_counted_in_index(need_list(NeedFilter()), "need_wall_category", tables=("needs_need",))
