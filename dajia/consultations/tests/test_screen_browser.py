"""The big screen on a hall projector: nine projects, the stage, the audience panel and the join QR code fit
1366×768 and 1920×1080 without a scrollbar."""

from __future__ import annotations

import pytest

from dajia.conftest import axe_violations, screenshot
from dajia.consultations import services_console
from dajia.consultations.tests.test_services_support import make_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Titles as long as real proposals are, so the cards and the audience list have to cope with them.
TITLES = [
    "职工心理健康减压工作坊（含一对一咨询）",
    "新就业形态劳动者户外驿站温暖服务",
    "职工子女暑期托管与安全教育",
    "女职工“两癌”筛查健康讲座",
    "外卖骑手交通安全培训",
    "工会会员法律援助进企业",
    "职工书法与摄影兴趣课堂",
    "一线职工技能提升夜校",
    "退休职工智能手机使用培训",
]


@pytest.fixture
def nine(office_user, federation, provider, other_provider, make_project):
    projects = [make_project((provider, other_provider)[i % 2], title) for i, title in enumerate(TITLES)]
    session = make_session(
        actor=office_user,
        federation=federation,
        providers=[provider, other_provider],
        make_project=make_project,
        projects=projects,
        open_windows=False,
        title="2026年下城区工会服务职工项目协商会（第二场）",
    )
    entries = list(session.entries.order_by("position"))
    for entry in entries[:3]:
        services_console.window_open(actor=office_user, entry=entry)
        services_console.window_close(actor=office_user, entry=entry)
    services_console.entry_stage(actor=office_user, entry=entries[3])
    services_console.window_open(actor=office_user, entry=entries[3])
    return session


@pytest.mark.parametrize("width,height", [(1366, 768), (1920, 1080)])
def test_nine_projects_and_the_audience_fit_a_projector_with_the_join_qr(
    browser, live_server, nine, width, height
):
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="zh-CN", bypass_csp=True
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/sessions/{nine.pk}/screen/")
        page.locator(".screen-card").nth(8).wait_for()
        qr = page.locator(".screen-join img.screen-qr")
        qr.wait_for()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=qr.element_handle())
        screenshot(page, f"big-screen-9-projects-{width}x{height}")
        size = page.evaluate(
            "() => ({sh: document.documentElement.scrollHeight, sw: document.documentElement.scrollWidth,"
            " ih: window.innerHeight, iw: window.innerWidth})"
        )
        assert size["sh"] <= size["ih"] and size["sw"] <= size["iw"], size
        assert page.locator(".screen-card").count() == 9
        # Everything the hall should read is inside the window: the last project card, the audience's last row
        # and the QR code.
        for locator in (page.locator(".screen-card").nth(8), page.locator(".audience-list li").nth(8), qr):
            box = locator.bounding_box()
            assert box["y"] >= 0 and box["y"] + box["height"] <= height and box["x"] + box["width"] <= width
        assert qr.bounding_box()["width"] >= 96
        assert axe_violations(page) == []
    finally:
        context.close()
