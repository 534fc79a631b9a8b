"""A demo that agrees with itself: the seed's 2020 session is history, and every date and number shown for it
— on its 公示 notice, its results and its agreements — is from 2020; last year's session carries last year's
numbers and its agreements are in force now, with orders in every state; this year's session is ready to run."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dajia.accounts.models import User
from dajia.agreements.models import Agreement
from dajia.consultations.models import Session
from dajia.orders.models import Order

pytestmark = pytest.mark.django_db

YEAR_LIKE = re.compile(r"(\d{4})-\d{2}-\d{2}|(\d{4})年|XY(\d{4})-")


def years_on(html: str) -> set[str]:
    return {next(g for g in m.groups() if g) for m in YEAR_LIKE.finditer(html)}


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_demo_agrees_with_itself():
    # One test: loading the demo takes seconds.
    call_command("load_demo", stdout=io.StringIO())
    check_2020_session_shows_only_2020()
    check_last_years_session_is_in_force_with_work_on_every_bench()
    check_this_years_session_is_ready_to_run()


def check_2020_session_shows_only_2020():
    session = Session.objects.get(title="2020年下城区工会购买服务协商会")
    office = Client()
    office.force_login(User.objects.get(username="office"))
    pages = {
        "notice": _page(Client(), reverse("consultations:results_notice", args=[session.pk])),
        "results": _page(office, reverse("consultations:results", args=[session.pk])),
    }
    agreements = list(Agreement.objects.filter(session=session))
    assert len(agreements) >= 5
    for agreement in agreements:
        pages[agreement.number] = _page(office, reverse("agreements:detail", args=[agreement.pk]))
    for name, html in pages.items():
        assert years_on(html) == {"2020"}, name
    assert all(a.number.startswith("XY2020-") for a in agreements)
    assert {a.state for a in agreements} == {"completed"}
    orders = Order.objects.filter(agreement__session=session)
    assert orders.exists()
    assert {o.starts_at.year for o in orders} == {2020}
    assert {timezone.localtime(o.confirmed_at).year for o in orders} == {2020}


def check_last_years_session_is_in_force_with_work_on_every_bench():
    year = timezone.localdate().year - 1
    session = Session.objects.get(title=f"{year}年下城区工会购买服务协商会")
    assert session.state == "published" and timezone.localtime(session.published_at).year == year
    agreements = Agreement.objects.filter(session=session)
    assert agreements.exists()
    assert {a.number[:6] for a in agreements} == {f"XY{year}"}
    today = timezone.localdate()
    assert all(a.state == "active" and a.starts_on <= today <= a.ends_on for a in agreements)
    states = set(Order.objects.filter(agreement__session=session).values_list("state", flat=True))
    assert states == {s.value for s in Order.State}


def check_this_years_session_is_ready_to_run():
    session = Session.objects.get(state="draft")
    assert session.title.startswith(f"{timezone.localtime(session.starts_at).year}年")
    assert session.starts_at > timezone.now()
