"""Browser tests: a chair on a phone finds a service; a provider submits a project and the office approves it."""

import re

import pytest

from dajia.conftest import axe_violations, browser_login, make_user, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_chair_on_a_phone_searches_the_menu_and_opens_a_project(
    phone, live_server, chair_user, provider, other_provider, make_project
):
    make_project(provider, "职工心理减压工作坊", description="团体辅导与正念练习，帮助职工缓解焦虑")
    make_project(other_provider, "企业消防安全与应急疏散演练", description="讲解灭火器使用并组织疏散演练")
    browser_login(phone, live_server.url, "chair")
    phone.get_by_role("button", name="菜单").click()
    phone.locator(".nav-group summary").filter(has_text=re.compile(r"^服务$")).click()
    phone.get_by_role("link", name="服务菜单", exact=True).click()
    phone.get_by_label("搜索").fill("xfaq")
    phone.get_by_role("button", name="搜索").click()
    phone.wait_for_url(re.compile(r"q=xfaq"))
    expect_titles = phone.locator("article.card h3")
    expect_titles.first.wait_for()
    assert expect_titles.all_inner_texts() == ["企业消防安全与应急疏散演练"]
    screenshot(phone, "menu-search-phone")
    assert axe_violations(phone) == []
    phone.get_by_role("link", name="企业消防安全与应急疏散演练").click()
    phone.get_by_role("heading", name="企业消防安全与应急疏散演练").wait_for()
    assert "灭火器" in phone.content()
    screenshot(phone, "menu-detail-phone")
    assert axe_violations(phone) == []


def test_a_provider_submits_a_project_and_the_office_approves_it(
    phone, desktop, live_server, provider_user, office_user, category
):
    browser_login(phone, live_server.url, "provider")
    phone.goto(f"{live_server.url}/menu/workspace/new/")
    phone.get_by_label("项目名称").fill("班组长情绪管理培训")
    phone.get_by_label("服务类别").select_option(label="心理健康")
    phone.get_by_label("服务内容").fill("面向班组长的沟通与情绪管理课程，减少班组冲突。")
    phone.get_by_label("服务对象").fill("班组长、基层管理者")
    phone.get_by_label("时长（分钟）").fill("150")
    phone.get_by_label("单价（元/场）").fill("2600")
    phone.get_by_label("每场人数上限").fill("40")
    phone.get_by_label("每年场次").fill("6")
    screenshot(phone, "project-form-phone")
    phone.get_by_role("button", name="保存草稿").click()
    phone.get_by_text("项目已保存为草稿").wait_for()
    phone.get_by_role("button", name="提交审核").click()
    phone.get_by_text("已提交总工会审核").wait_for()
    assert "待审核" in phone.content()

    browser_login(desktop, live_server.url, "office")
    desktop.goto(f"{live_server.url}/menu/review/")
    desktop.get_by_role("heading", name="班组长情绪管理培训").wait_for()
    screenshot(desktop, "review-queue-desktop")
    assert axe_violations(desktop) == []
    desktop.get_by_role("button", name="通过").click()
    desktop.get_by_text("已通过：班组长情绪管理培训").wait_for()

    phone.goto(f"{live_server.url}/menu/?q=bzzqx")
    phone.get_by_role("link", name="班组长情绪管理培训").wait_for()


def test_the_english_switch_works_on_every_page(desktop, live_server, db):
    make_user("visitor")
    desktop.goto(f"{live_server.url}/menu/")
    desktop.get_by_role("button", name="English").click()
    desktop.get_by_role("heading", name="Service menu").wait_for()
    desktop.get_by_role("button", name="中文").click()
    desktop.get_by_role("heading", name="服务菜单").wait_for()
