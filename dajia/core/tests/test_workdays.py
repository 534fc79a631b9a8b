"""Working days are real working days: public holidays and 调休 make-up days from the national calendar, the
office's own table over it, a warning for a year neither knows, and office hours."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError
from django.test import Client
from django.utils import timezone

from dajia.core.models import AuditLog, CalendarDay, OfficeHoursSetting
from dajia.core.tests.calendars import UpTo2026
from dajia.core.workdays import ChineseCalendar, Workdays, add_working_days, is_working_day, workdays

D = datetime.date


def test_national_day_and_the_make_up_saturday():
    calendar = Workdays(base=ChineseCalendar())
    # From the day after publication: 9-29, 9-30, National Day off, then 10-08, 10-09 and Saturday 10-10.
    assert calendar.add_working_days(D(2026, 9, 28), 5) == D(2026, 10, 10)
    assert not calendar.is_working_day(D(2026, 10, 1))
    assert calendar.is_working_day(D(2026, 10, 10))  # a Saturday, worked to make up for the holiday
    assert calendar.is_working_day(D(2026, 2, 14))  # a Saturday before the Spring Festival
    assert not calendar.is_working_day(D(2026, 2, 17))  # the Spring Festival, a Tuesday
    assert calendar.working_days_between(D(2026, 9, 28), D(2026, 10, 10)) == 5
    assert calendar.add_working_days(D(2026, 9, 28), 0) == D(2026, 9, 28)


@pytest.mark.django_db
def test_an_office_holiday_moves_the_close():
    assert add_working_days(D(2026, 9, 28), 5) == D(2026, 10, 10)
    CalendarDay.objects.create(day=D(2026, 10, 9), kind=CalendarDay.Kind.HOLIDAY, note="区里调整")
    assert not is_working_day(D(2026, 10, 9))
    assert add_working_days(D(2026, 9, 28), 5) == D(2026, 10, 12)
    CalendarDay.objects.create(day=D(2026, 10, 11), kind=CalendarDay.Kind.WORKDAY)
    assert add_working_days(D(2026, 9, 28), 5) == D(2026, 10, 11)


@pytest.mark.django_db
def test_a_year_nobody_knows_is_counted_monday_to_friday_and_flagged():
    calendar = workdays(UpTo2026())
    # 2026-12-28 (Monday) + 5 working days runs into 2027, which the injected calendar does not know.
    assert calendar.add_working_days(D(2026, 12, 28), 5) == D(2027, 1, 4)  # 12-29..31, 1-1 and 1-4
    assert calendar.unsure_years(D(2026, 12, 28), D(2027, 1, 4)) == [2027]
    assert calendar.unsure_years(D(2026, 9, 28), D(2026, 10, 10)) == []
    CalendarDay.objects.create(day=D(2027, 1, 1), kind=CalendarDay.Kind.HOLIDAY, note="元旦")
    calendar = workdays(UpTo2026())
    assert calendar.unsure_years(D(2026, 12, 28), D(2027, 1, 5)) == []
    assert calendar.add_working_days(D(2026, 12, 28), 5) == D(2027, 1, 5)


@pytest.mark.django_db
def test_working_hours_count_office_hours_on_working_days_only():
    at = lambda *a: timezone.make_aware(datetime.datetime(*a))  # noqa: E731
    calendar = workdays(ChineseCalendar())
    # Friday 2026-11-20 16:00 to Monday 09:00: 1.5 hours on Friday, 0.5 on Monday.
    assert calendar.working_hours_between(at(2026, 11, 20, 16), at(2026, 11, 23, 9)) == datetime.timedelta(
        hours=2
    )
    # Friday 2026-09-25 is the Mid-Autumn Festival: only Monday's half hour counts.
    assert calendar.working_hours_between(at(2026, 9, 25, 16), at(2026, 9, 28, 9)) == datetime.timedelta(
        hours=0.5
    )
    # Over lunch nothing counts; over National Day nothing counts.
    assert (
        calendar.working_hours_between(at(2026, 9, 29, 12), at(2026, 9, 29, 13, 30)) == datetime.timedelta()
    )
    assert calendar.working_hours_between(at(2026, 10, 1, 8), at(2026, 10, 7, 18)) == datetime.timedelta()
    OfficeHoursSetting.objects.create(
        pk=1,
        morning_opens=datetime.time(9),
        morning_closes=datetime.time(12),
        afternoon_opens=datetime.time(14),
        afternoon_closes=datetime.time(17),
    )
    calendar = workdays(ChineseCalendar())
    assert calendar.working_hours_between(at(2026, 9, 29, 0), at(2026, 9, 30, 0)) == datetime.timedelta(
        hours=6
    )


@pytest.mark.django_db
def test_the_office_hours_are_one_row_in_order():
    with pytest.raises(IntegrityError):
        OfficeHoursSetting.objects.create(
            pk=1, morning_opens=datetime.time(13), morning_closes=datetime.time(12)
        )


# ---- the office's page --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_office_enters_a_holiday_and_it_is_audited(client, office_user):
    client.force_login(office_user)
    page = client.get("/calendar/")
    assert page.status_code == 200 and "2027" in page.content.decode()
    response = client.post("/calendar/days", {"day": "2027-02-11", "kind": "holiday", "note": "春节"})
    assert response.status_code == 302
    row = CalendarDay.objects.get()
    assert (row.day, row.kind, row.note) == (D(2027, 2, 11), "holiday", "春节")
    assert AuditLog.objects.filter(
        action="core.calendar.set", object_id=str(row.pk), actor=office_user
    ).exists()
    # The same day again replaces what the office said of it.
    client.post("/calendar/days", {"day": "2027-02-11", "kind": "workday"})
    assert CalendarDay.objects.get().kind == "workday"
    assert client.post(f"/calendar/days/{row.pk}/remove").status_code == 302
    assert not CalendarDay.objects.exists()
    assert AuditLog.objects.filter(action="core.calendar.remove", object_id=str(row.pk)).exists()
    hours = {
        "morning_opens": "09:00",
        "morning_closes": "12:00",
        "afternoon_opens": "14:00",
        "afternoon_closes": "18:00",
    }
    assert client.post("/calendar/hours", hours).status_code == 302
    assert OfficeHoursSetting.objects.get().afternoon_closes == datetime.time(18)
    assert AuditLog.objects.filter(action="core.office_hours.set").exists()


@pytest.mark.django_db
def test_bad_calendar_input_is_a_400_and_nothing_saved(client, office_user):
    client.force_login(office_user)
    for data in ({"day": "2027-13-40", "kind": "holiday"}, {"day": "2027-02-11", "kind": "party"}, {}):
        assert client.post("/calendar/days", data).status_code == 400
    assert not CalendarDay.objects.exists()
    backwards = {
        "morning_opens": "12:00",
        "morning_closes": "08:00",
        "afternoon_opens": "14:00",
        "afternoon_closes": "18:00",
    }
    response = client.post("/calendar/hours", backwards, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert not OfficeHoursSetting.objects.exists()
    assert client.post("/calendar/days/999999/remove").status_code == 404


@pytest.mark.django_db
def test_only_office_staff_keep_the_calendar(client, chair_user, provider_user):
    row = CalendarDay.objects.create(day=D(2027, 1, 1), kind="holiday")
    assert Client().get("/calendar/").status_code == 302  # to the login page
    for user in (chair_user, provider_user):
        client.force_login(user)
        assert client.get("/calendar/").status_code == 403
        assert client.post("/calendar/days", {"day": "2027-02-11", "kind": "holiday"}).status_code == 403
        assert client.post(f"/calendar/days/{row.pk}/remove").status_code == 403
    assert list(CalendarDay.objects.values_list("day", flat=True)) == [D(2027, 1, 1)]
