"""The results page (office, desktop) and the public ranking (phone) in Chromium: they render, the chart draws,
nothing overflows a 390 px screen, no serious accessibility violation. Screenshots in test-artifacts/."""

from __future__ import annotations

import pytest

from dajia.conftest import axe_violations, screenshot
from dajia.consultations import services_results
from dajia.consultations.tests.test_results_support import (
    GROUPED_PANEL,
    PROJECTS,
    WEIGHTS,
    build_session,
    grouped_sheets,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def session(federation, make_project):
    return build_session(
        federation,
        make_project,
        projects=PROJECTS,
        evaluators=GROUPED_PANEL,
        sheets=grouped_sheets(),
        group_weights=WEIGHTS,
        budget="70000",
    )


def _login(page, client, user, live_server):
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _violations_in_main(page) -> list:
    """axe's serious and critical findings inside <main> (the site header belongs to core/base.html)."""
    found = []
    for violation in axe_violations(page):
        nodes = [n for n in violation["nodes"] if page.locator("main").locator(n["target"][0]).count()]
        if nodes:
            found.append((violation["id"], [n["html"] for n in nodes]))
    return found


def _no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_results_page_as_office_on_desktop(desktop, live_server, client, office_user, session):
    _login(desktop, client, office_user, live_server)
    desktop.goto(f"{live_server.url}/sessions/{session.pk}/results/")
    desktop.wait_for_selector("#results-chart svg")
    assert desktop.locator("table.results-table tbody tr").count() == 3
    # the concordance in plain words, its statistic (Kendall's W) behind the 说明 disclosure
    assert desktop.get_by_text("评委打分一致程度").count() >= 1
    screenshot(desktop, "results-office-desktop")
    assert _violations_in_main(desktop) == []


def test_results_page_as_office_on_a_phone(phone, live_server, client, office_user, session):
    _login(phone, client, office_user, live_server)
    phone.goto(f"{live_server.url}/sessions/{session.pk}/results/")
    phone.wait_for_selector("#results-chart svg")
    screenshot(phone, "results-office-phone")
    assert _no_horizontal_overflow(phone)


def test_public_ranking_on_a_phone_after_publication(phone, live_server, office_user, session):
    phone.goto(f"{live_server.url}/sessions/{session.pk}/ranking/")
    assert phone.locator("table.ranking-table").count() == 0
    screenshot(phone, "ranking-phone-before-reveal")
    services_results.session_reveal(actor=office_user, session=session)
    published = services_results.session_publish(actor=office_user, session=session)
    phone.goto(f"{live_server.url}/sessions/{session.pk}/ranking/")
    phone.wait_for_selector("#ranking-chart svg")
    assert phone.locator("table.ranking-table tbody tr").count() == 3
    # An evaluator checks a receipt code.
    code = published.receipts[0]
    phone.fill("#receipt-search", code.lower().replace("-", ""))
    assert "✓" not in phone.inner_text("#receipt-status")  # (no stray glyphs)
    assert phone.inner_text("#receipt-status").strip() != ""
    assert phone.locator("#receipt-list li.match").count() == 1
    screenshot(phone, "ranking-phone-published")
    assert _no_horizontal_overflow(phone)
    assert _violations_in_main(phone) == []
    phone.goto(f"{live_server.url}/sessions/{session.pk}/notice/")
    phone.wait_for_selector("article.notice")
    screenshot(phone, "notice-phone")
    assert _no_horizontal_overflow(phone)
    assert _violations_in_main(phone) == []


def test_tie_break_form_on_a_phone(phone, live_server, client, office_user, federation, make_project):
    panel = [("王委员", ""), ("李委员", ""), ("赵委员", "")]
    sheets = {(n, t): [25, 16, 20, 20] for n, _ in panel for t in ("心理减压工作坊", "普法讲座进企业")}
    session = build_session(
        federation,
        make_project,
        projects=[("心理减压工作坊", "30000"), ("普法讲座进企业", "30000")],
        evaluators=panel,
        sheets=sheets,
        budget="40000",
    )
    _login(phone, client, office_user, live_server)
    phone.goto(f"{live_server.url}/sessions/{session.pk}/results/")
    phone.wait_for_selector("form.tie-form")
    phone.select_option("#tie-1-1", str(session.entries_by_title["普法讲座进企业"].pk))
    phone.select_option("#tie-1-2", str(session.entries_by_title["心理减压工作坊"].pk))
    phone.fill("#tie-reason-1", "现场抽签")
    phone.click("form.tie-form button[type=submit]")
    phone.wait_for_selector(".msg")
    assert phone.locator("table.results-table tbody tr").first.inner_text().find("普法讲座进企业") != -1
    screenshot(phone, "results-tie-break-phone")
    assert _no_horizontal_overflow(phone)


def test_import_errors_on_a_phone(phone, live_server, client, office_user, session, tmp_path):
    bad = tmp_path / "纸质评分.csv"
    bad.write_text(
        "评委,分组,项目,内容实用有效(30),方式方法新颖(20),成熟度吸引力(25),受众接纳参与(25)\n"
        "王委员,政协委员,职工心理减压工作坊,25,16,20,21\n"
        "王伟员,政协委员,职工心理减压工作坊,25,16.55,20,21\n",
        encoding="utf-8",
    )
    _login(phone, client, office_user, live_server)
    phone.goto(f"{live_server.url}/sessions/{session.pk}/import/")
    phone.set_input_files("input[type=file]", str(bad))
    phone.click("main form button[type=submit]")
    phone.wait_for_selector(".import-errors")
    assert "第 3 行" in phone.inner_text(".import-errors")
    screenshot(phone, "import-errors-phone")
    assert _no_horizontal_overflow(phone)
    assert _violations_in_main(phone) == []
