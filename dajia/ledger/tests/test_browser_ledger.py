"""On a 390 px phone: a bank-team member records a loan on a park's file, and the office reads it in the ledger;
both pages fit the phone and axe-core finds no serious or critical violation."""

from __future__ import annotations

import pytest

from dajia.conftest import browser_login, phone_page_ok
from dajia.finance.models import FinancingNeed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_loan_recorded_on_a_phone_shows_in_the_ledger(phone, live_server, banker, file, office_user):
    browser_login(phone, live_server.url, "banker")
    phone.goto(f"{live_server.url}/finance/files/{file.pk}/")
    phone.get_by_label("用途").fill("流动资金")
    phone.get_by_label("需求金额（元）").fill("500,000")
    phone.get_by_label("提出日期").fill("2026-11-02")
    phone.get_by_label("结果").select_option("granted")
    phone.get_by_label("发放贷款（元）").fill("400000")
    phone.get_by_label("贷款产品").fill("小微园区贷")
    phone.get_by_label("审批日期").fill("2026-11-09")
    phone_page_ok(phone, "finance-file-phone")
    phone.get_by_role("button", name="记录", exact=True).click()
    phone.wait_for_url(f"**/finance/files/{file.pk}/")
    assert FinancingNeed.objects.get().loan_amount == 400000
    phone_page_ok(phone, "finance-file-recorded-phone")

    phone.context.clear_cookies()
    browser_login(phone, live_server.url, "office")
    phone.goto(f"{live_server.url}/ledger/?year=2026")
    assert phone.locator('[data-figure="loans_granted"]').get_attribute("data-value") == "400000.00"
    phone_page_ok(phone, "ledger-phone")
