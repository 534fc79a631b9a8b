"""One 公示 window: the notice page, the objection check and the closing job agree on every date, counted in
real working days (holidays, 调休, the office's own days), with a warning for a year nobody knows yet."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from dajia.agreements.models import Agreement
from dajia.agreements.services import agreements_generate
from dajia.core.models import CalendarDay
from dajia.notices import services
from dajia.notices.window import notice_window
from dajia.participation.tests.conftest import zh

pytestmark = pytest.mark.django_db

REASONS = "该项目报价明显高于同类项目，请说明理由。"


def _at(*parts) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*parts))


def _publish_on(session, moment: datetime.datetime):
    session.published_at = moment
    session.save(update_fields=["published_at"])


def _notice(session) -> str:
    response = Client().get(f"/sessions/{session.pk}/notice/")
    assert response.status_code == 200
    return response.content.decode()


def _signed(session, office_user) -> Agreement:
    agreement = agreements_generate(actor=office_user, session=session)[0]
    # Signing is tested in the agreements app; here only the state the closing job looks for matters.
    Agreement.objects.filter(pk=agreement.pk).update(state=Agreement.State.SIGNED, signed_at=timezone.now())
    agreement.refresh_from_db()
    return agreement


def _accepts(session, moment) -> bool:
    try:
        services.objection_check(
            session=session,
            entry=session.entries.order_by("position").first(),
            name="欧阳娜娜",
            mobile="13912340000",
            reasons=REASONS,
            now=moment,
        )
    except ValidationError:
        return False
    return True


def _state_after_job(agreement, moment) -> str:
    services.notices_close_due(now=moment)
    agreement.refresh_from_db()
    return agreement.state


def _assert_last_day(session, agreement, last: datetime.date):
    """The page names ``last`` as the end, an objection is accepted to its last minute and refused after it, and
    the job activates the agreement only once that day is over."""
    assert f"{last:%Y-%m-%d}" in _notice(session)
    assert notice_window(session).end == last
    end_of_day = _at(last.year, last.month, last.day, 23, 59)
    next_day = end_of_day + datetime.timedelta(minutes=2)
    assert _accepts(session, end_of_day) and not _accepts(session, next_day)
    assert _state_after_job(agreement, end_of_day) == "signed"
    assert _state_after_job(agreement, next_day) == "active"


def test_national_day_page_check_and_job_agree(published, office_user):
    _publish_on(published, _at(2026, 9, 28, 10))  # 9-29, 9-30, National Day, 10-08, 10-09, Saturday 10-10
    agreement = _signed(published, office_user)
    window = notice_window(published)
    assert (window.start, window.end, window.unsure_years) == (
        datetime.date(2026, 9, 29),
        datetime.date(2026, 10, 10),
        (),
    )
    _assert_last_day(published, agreement, datetime.date(2026, 10, 10))


def test_an_office_holiday_moves_the_close_everywhere(published, office_user):
    _publish_on(published, _at(2026, 9, 28, 10))
    CalendarDay.objects.create(day=datetime.date(2026, 10, 9), kind="holiday", note="区里停电")
    agreement = _signed(published, office_user)
    _assert_last_day(published, agreement, datetime.date(2026, 10, 12))


def test_a_window_into_an_unknown_year_warns_until_the_office_adds_the_days(settings, published, office_user):
    settings.DAJIA_HOLIDAY_CALENDAR = "dajia.core.tests.calendars.UpTo2026"
    _publish_on(published, _at(2026, 12, 28, 10))
    warning = zh(
        "The public holidays of %(years)s are not known yet: this period counts Monday to Friday there and may "
        "end on another day. The union office will confirm the dates once the holidays are entered."
    ).replace("%(years)s", "2027")
    html = _notice(published)
    assert warning in html and "2027-01-04" in html
    client = Client()
    client.force_login(office_user)
    office_page = client.get(f"/notices/s/{published.pk}/objections/").content.decode()
    assert warning in office_page and "/calendar/" in office_page
    CalendarDay.objects.create(day=datetime.date(2027, 1, 1), kind="holiday", note="元旦")
    html = _notice(published)
    assert warning not in html and "2027-01-05" in html
    agreement = _signed(published, office_user)
    _assert_last_day(published, agreement, datetime.date(2027, 1, 5))
