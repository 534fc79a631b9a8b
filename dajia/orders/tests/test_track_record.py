"""The track record shown on the menu equals what the orders, sign-ins and ratings give."""

import datetime
import re
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from dajia.orders import services, services_signins
from dajia.orders.models import Attendance, Order, Rating
from dajia.orders.selectors import ON_TIME_GRACE, attach_track_records, track_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def season(agreements, place_order, chair_user, union, office_user, provider_user, other_provider_user):
    """Five sessions of the stress workshop (three confirmed — one late —, one delivered but unconfirmed,
    one cancelled) and one confirmed fire drill of the other provider."""
    stress, fire = agreements["stress"], agreements["fire"]

    def run(
        agreement,
        member,
        days,
        *,
        late=0,
        signins=0,
        stars=(),
        chair_stars=None,
        confirm=True,
        complaint=False,
    ):
        o = place_order(chair_user, union, agreement, days=days)
        services.order_dispatch(actor=office_user, order=o)
        services.order_accept(actor=member, order=o)
        start = o.starts_at + datetime.timedelta(minutes=late)
        for i in range(signins):
            services_signins.attendance_sign_in(
                order=o, device=f"dev-{o.pk}-{i:012d}", name=f"职工{i}", union_name="潮鸣", now=start
            )
        for i, s in enumerate(stars):
            services_signins.rating_submit(
                order=o,
                device=f"dev-{o.pk}-{i:012d}",
                stars=s,
                comment="",
                complaint=complaint and i == 0,
                now=start,
            )
        services.delivery_record(
            actor=member,
            order=o,
            started_at=start,
            ended_at=o.ends_at + datetime.timedelta(minutes=late),
            content="完成",
            now=o.ends_at + datetime.timedelta(hours=1),
        )
        if chair_stars:
            services_signins.rating_submit(order=o, actor=chair_user, stars=chair_stars, now=o.ends_at)
        if confirm:
            services.delivery_confirm(actor=chair_user, order=o)
        return o

    run(stress, provider_user, 5, signins=20, stars=(5, 4, 5), chair_stars=5)
    run(stress, provider_user, 6, late=25, signins=12, stars=(2, 3), complaint=False)
    run(
        stress, provider_user, 7, late=10, signins=30, stars=(4, 4), complaint=True
    )  # 4★ flagged as complaint
    run(stress, provider_user, 8, signins=5, stars=(1,), confirm=False)  # not confirmed: does not count
    cancelled = place_order(chair_user, union, stress, days=9)
    services.order_cancel(actor=chair_user, order=cancelled, reason="改期")
    run(fire, other_provider_user, 10, signins=80, stars=(5,))
    return agreements


def expected_from_records(**filters):
    """The track record computed by hand from the rows, independently of the selector."""
    confirmed = list(
        Order.objects.filter(state="confirmed", **filters).select_related("delivery", "agreement")
    )
    on_time = sum(1 for o in confirmed if o.delivery.started_at <= o.starts_at + ON_TIME_GRACE)
    capacity = sum(o.agreement.capacity for o in confirmed)
    attendance = Attendance.objects.filter(order__in=confirmed).count()
    ratings = list(Rating.objects.filter(order__in=confirmed))
    stars = [r.stars for r in ratings]
    return {
        "delivered": len(confirmed),
        "on_time": on_time,
        "capacity": capacity,
        "attendance": attendance,
        "ratings": len(stars),
        "average": (Decimal(sum(stars)) / len(stars)).quantize(Decimal("0.01")) if stars else None,
        "complaints": sum(1 for r in ratings if r.stars <= 2 or r.complaint),
    }


def test_the_selector_matches_the_records(season, provider, other_provider, projects):
    want = expected_from_records(project__provider=provider)
    assert want == {
        "delivered": 3,
        "on_time": 2,  # the 25-minute late start is not on time; 10 minutes is within the grace
        "capacity": 90,
        "attendance": 62,
        "ratings": 8,  # 3 + 2 + 2 attendees and the chair's
        "average": Decimal("4.00"),
        "complaints": 2,  # the 2★ and the flagged 4★
    }
    got = track_record(provider_ids=[provider.pk, other_provider.pk])
    r = got[provider.pk]
    assert (
        r.delivered,
        r.on_time,
        r.capacity,
        r.attendance,
        r.ratings,
        r.average_rating,
        r.complaints,
    ) == tuple(want.values())
    assert r.on_time_rate == Decimal("66.7") and r.attendance_rate == Decimal("68.9")
    assert got[other_provider.pk].delivered == 1 and got[other_provider.pk].attendance == 80
    by_project = track_record(project_ids=[projects["stress"].pk, projects["loser"].pk])
    assert by_project[projects["stress"].pk] == r
    assert by_project[projects["loser"].pk].empty


def _shown(html: str) -> dict:
    m = re.search(r'<section class="card track-record"[^>]*>', html)
    assert m, html
    attrs = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', m.group(0)))
    return attrs


def test_the_menu_partial_shows_the_same_figures(season, provider, projects):
    """What menu/detail.html shows through the include line: {% track_record_for_project project %}."""
    want = expected_from_records(project=projects["stress"])
    html = Template("{% load orders_track %}{% track_record_for_project project %}").render(
        Context({"project": projects["stress"]})
    )
    shown = _shown(html)
    assert shown["delivered"] == str(want["delivered"]) and shown["on-time"] == str(want["on_time"])
    assert shown["attendance"] == str(want["attendance"]) and shown["capacity"] == str(want["capacity"])
    assert shown["ratings"] == str(want["ratings"]) and shown["average"] == str(want["average"])
    assert shown["complaints"] == str(want["complaints"])
    assert "66.7%" in html and "68.9%" in html


def test_the_provider_page_shows_the_same_figures(season, provider):
    want = expected_from_records(project__provider=provider)
    html = Client().get(reverse("orders:provider", args=[provider.pk])).content.decode()
    shown = _shown(html)
    assert shown["delivered"] == str(want["delivered"]) and shown["average"] == str(want["average"])
    assert shown["complaints"] == str(want["complaints"]) and shown["attendance"] == str(want["attendance"])


def test_a_list_page_reads_attached_records_without_a_query_per_project(
    season, projects, django_assert_num_queries
):
    items = attach_track_records(list(projects.values()))
    template = Template(
        "{% load orders_track %}{% for p in items %}{% track_record_for_project p %}{% endfor %}"
    )
    with django_assert_num_queries(0):
        html = template.render(Context({"items": items}))
    assert html.count("track-record") == 3


def test_the_record_ignores_what_is_not_confirmed(season, provider):
    Order.objects.filter(project__provider=provider, state="confirmed").update(state="delivered")
    assert track_record(provider_ids=[provider.pk])[provider.pk].empty


def test_the_api_gives_the_same_figures(season, provider, projects):
    want = expected_from_records(project__provider=provider)
    data = Client().get("/api/orders/track-record", {"provider": provider.pk}).json()
    assert data["delivered"] == want["delivered"] and data["attendance"] == want["attendance"]
    assert data["average_rating"] == str(want["average"]) and data["complaints"] == want["complaints"]
    assert data["on_time_rate"] == "66.7"
    one = Client().get("/api/orders/track-record", {"project": projects["loser"].pk}).json()
    assert one["delivered"] == 0 and one["average_rating"] is None
    assert Client().get("/api/orders/track-record").status_code == 400
    assert Client().get("/api/orders/track-record", {"provider": "abc"}).status_code == 422


def test_the_one_line_summary_for_the_invitation_page(season, projects):
    want = expected_from_records(project=projects["stress"])
    items = attach_track_records([projects["stress"], projects["loser"]])
    html = Template(
        "{% load orders_track %}{% for p in items %}{% track_record_summary p %}|{% endfor %}"
    ).render(Context({"items": items}))
    first, second = html.split("|")[:2]
    assert f'data-delivered="{want["delivered"]}"' in first and f'data-average="{want["average"]}"' in first
    assert 'data-delivered="0"' in second


def test_the_menu_detail_page_shows_the_same_figures(season, projects):
    want = expected_from_records(project=projects["stress"])
    html = Client().get(reverse("menu:detail", args=[projects["stress"].pk])).content.decode()
    shown = _shown(html)
    assert shown["delivered"] == str(want["delivered"]) and shown["attendance"] == str(want["attendance"])
    assert shown["average"] == str(want["average"]) and shown["complaints"] == str(want["complaints"])
