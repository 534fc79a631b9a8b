"""On a phone: a worker starts to voice a need, Dajia shows the same need already raised, the worker supports
it instead of posting a duplicate."""

import pytest

from dajia.conftest import axe_violations, browser_login, make_user, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_worker_raises_a_need_sees_a_similar_one_and_supports_it_instead(
    phone, live_server, union, categories
):
    from dajia.needs import services
    from dajia.needs.models import Need, Support

    first = make_user("李师傅", role="worker")
    original = services.need_create(actor=first, text="孩子暑假没人照看，希望办小候鸟班", union=union)
    services.need_create(actor=first, text="希望组织消防安全培训，车间新员工多", union=union)
    worker = make_user("worker", role="worker")

    browser_login(phone, live_server.url, "worker")
    phone.goto(f"{live_server.url}/needs/")
    phone.get_by_role("heading", name="工友们，说出你的心里话！").wait_for()
    screenshot(phone, "needs-list-phone")
    assert axe_violations(phone) == []

    phone.get_by_role("link", name="说出心里话", exact=True).first.click()
    phone.get_by_role("heading", name="说出你的心里话").wait_for()
    phone.get_by_label("所在基层工会").select_option(label=union.name)
    phone.get_by_label("你的需求").press_sequentially("暑假孩子没人带，能不能办个小候鸟班", delay=20)
    similar = phone.get_by_role("region", name="已有 1 条相似的需求")
    similar.wait_for()
    assert original.text in similar.inner_text()
    assert "亲子关爱" in phone.locator("#check .suggestion").inner_text()
    screenshot(phone, "needs-similar-phone")
    assert axe_violations(phone) == []

    similar.get_by_role("button", name="附议这条").click()
    similar.get_by_text("已附议").wait_for()
    assert "1 人附议" in similar.inner_text()
    screenshot(phone, "needs-supported-phone")
    assert axe_violations(phone) == []

    assert list(Support.objects.values_list("need_id", "user_id")) == [(original.pk, worker.pk)]
    assert not Need.objects.filter(author=worker).exists()

    phone.goto(f"{live_server.url}/needs/{original.pk}/")
    phone.get_by_text("1 人附议").wait_for()
    screenshot(phone, "needs-detail-phone")
    assert axe_violations(phone) == []
