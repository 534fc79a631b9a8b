import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from dajia.agreements import services as agreement_services
from dajia.agreements import services_quotas
from dajia.agreements.models import Agreement, AgreementQuota
from dajia.agreements.tests.fixtures import at
from dajia.core.models import AuditLog
from dajia.orders import services, services_signins
from dajia.orders.models import Attendance, Order, Rating, UnionBudget

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_messages")]


def test_the_whole_flow_from_order_to_confirmation(
    stress_agreement, place_order, chair_user, union, office_user, provider_user
):
    order = place_order(chair_user, union, stress_agreement, days=5)
    assert order.state == "ordered" and order.cost == Decimal("2800.00")
    stress_agreement.refresh_from_db()
    assert stress_agreement.sessions_booked == 1
    assert UnionBudget.objects.get(union=union, year=order.starts_at.year).committed == Decimal("2800.00")
    services.order_dispatch(actor=office_user, order=order)
    services.order_accept(actor=provider_user, order=order)
    later = order.starts_at + datetime.timedelta(minutes=5)
    services_signins.attendance_sign_in(
        order=order, device="d" * 20, name="王小红", union_name=union.name, now=later
    )
    services_signins.rating_submit(order=order, device="d" * 20, stars="５", comment="很实用", now=later)
    services.delivery_record(
        actor=provider_user,
        order=order,
        started_at=order.starts_at,
        ended_at=order.ends_at,
        content="团体辅导和正念练习",
        now=order.ends_at,
    )
    services.delivery_confirm(actor=chair_user, order=order)
    order.refresh_from_db()
    assert order.state == "confirmed" and order.confirmed_by == chair_user
    actions = set(
        AuditLog.objects.filter(object_type="orders.order", object_id=str(order.pk)).values_list(
            "action", flat=True
        )
    )
    assert actions == {
        "orders.order.place",
        "orders.order.dispatch",
        "orders.order.accept",
        "orders.delivery.record",
        "orders.delivery.confirm",
    }
    assert AuditLog.objects.filter(action="orders.attendance.sign_in", actor_label__contains="王＊").exists()
    assert AuditLog.objects.filter(action="orders.rating.submit").exists()


def test_the_last_session_cannot_be_taken_twice(
    stress_agreement, place_order, chair_user, union, office_user
):
    Agreement.objects.filter(pk=stress_agreement.pk).update(sessions=2)
    place_order(chair_user, union, stress_agreement, days=5)
    place_order(chair_user, union, stress_agreement, days=6)
    with pytest.raises(ValidationError, match="taken"):
        place_order(chair_user, union, stress_agreement, days=7)


def test_the_database_refuses_an_overbooking_even_without_the_service(stress_agreement):
    with pytest.raises(IntegrityError), transaction.atomic():
        Agreement.objects.filter(pk=stress_agreement.pk).update(sessions_booked=stress_agreement.sessions + 1)


def test_a_union_cannot_exceed_its_quota(
    stress_agreement, place_order, chair_user, union, office_user, other_union
):
    services_quotas.quotas_set(
        actor=office_user,
        agreement=stress_agreement,
        allocation="allocated",
        quotas={union.pk: 1, other_union.pk: 2},
    )
    order = place_order(chair_user, union, stress_agreement, days=5)
    assert AgreementQuota.objects.get(union=union).booked == 1
    with pytest.raises(ValidationError, match="whole quota"):
        place_order(chair_user, union, stress_agreement, days=6)
    # Cancelling gives the quota back.
    services.order_cancel(actor=chair_user, order=order, reason="改期")
    assert AgreementQuota.objects.get(union=union).booked == 0
    place_order(chair_user, union, stress_agreement, days=6)


def test_a_union_without_quota_under_allocation_cannot_order(
    stress_agreement, place_order, chair_user, union, office_user, other_union
):
    services_quotas.quotas_set(
        actor=office_user, agreement=stress_agreement, allocation="allocated", quotas={other_union.pk: 2}
    )
    with pytest.raises(ValidationError, match="no quota"):
        place_order(chair_user, union, stress_agreement, days=5)


def test_a_union_cannot_exceed_its_budget(
    stress_agreement, place_order, chair_user, union, office_user, budgets
):
    year = at(5).year
    services.budget_set(actor=office_user, union=union, year=year, amount="5000")
    place_order(chair_user, union, stress_agreement, days=5)
    with pytest.raises(ValidationError, match="left"):
        place_order(chair_user, union, stress_agreement, days=6)
    assert UnionBudget.objects.get(union=union, year=year).committed == Decimal("2800.00")
    with pytest.raises(ValidationError, match="cannot be lower"):
        services.budget_set(actor=office_user, union=union, year=year, amount="1000")


def test_a_union_without_a_budget_cannot_order(stress_agreement, chair_user, union):
    with pytest.raises(ValidationError, match="No budget"):
        services.order_place(
            actor=chair_user,
            union=union,
            project=stress_agreement.project,
            starts_at=at(5),
            place="会议室",
            expected_audience=10,
        )


def test_not_yours_budget(union, other_office_user):
    with pytest.raises(PermissionDenied):
        services.budget_set(actor=other_office_user, union=union, year=2020, amount="1000")


def test_a_chair_orders_only_for_its_own_union(stress_agreement, place_order, chair_user, other_union):
    with pytest.raises(PermissionDenied):
        place_order(chair_user, other_union, stress_agreement)


def test_an_agreement_not_in_force_takes_no_order(
    published_session, office_user, place_order, chair_user, union
):
    drafted = agreement_services.agreements_generate(actor=office_user, session=published_session)
    with pytest.raises(ValidationError, match="no agreement in force"):
        place_order(chair_user, union, drafted[0])


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"audience": "0"}, "expected_audience"),
        ({"audience": "三十"}, "expected_audience"),
        ({"audience": 31}, "expected_audience"),
        ({"place": " "}, "place"),
        ({"days": 1}, "starts_at"),
        ({"days": 800}, "starts_at"),
    ],
)
def test_bad_orders_are_refused_with_the_field(stress_agreement, place_order, chair_user, union, kw, field):
    with pytest.raises(ValidationError) as error:
        place_order(chair_user, union, stress_agreement, **kw)
    assert field in error.value.message_dict


def test_the_provider_is_not_booked_twice_at_once(
    stress_agreement, place_order, chair_user, union, other_chair_user, other_union
):
    place_order(chair_user, union, stress_agreement, days=5, hour=14)
    with pytest.raises(ValidationError, match="already has a session"):
        place_order(other_chair_user, other_union, stress_agreement, days=5, hour=15)


def test_a_provider_cannot_accept_an_order_of_another_provider(
    stress_agreement, place_order, chair_user, union, office_user, other_provider_user, provider_user
):
    order = place_order(chair_user, union, stress_agreement)
    services.order_dispatch(actor=office_user, order=order)
    with pytest.raises(PermissionDenied):
        services.order_accept(actor=other_provider_user, order=order)
    with pytest.raises(PermissionDenied):
        services.order_decline(actor=other_provider_user, order=order, reason="没空")
    with pytest.raises(PermissionDenied):
        services.order_accept(actor=chair_user, order=order)
    services.order_accept(actor=provider_user, order=order)


def test_not_yours_dispatch(
    stress_agreement, place_order, chair_user, union, other_office_user, provider_user
):
    order = place_order(chair_user, union, stress_agreement)
    for actor in (other_office_user, chair_user, provider_user):
        with pytest.raises(PermissionDenied):
            services.order_dispatch(actor=actor, order=order)


def _accepted(place_order, chair_user, union, agreement, office_user, provider_user, **kw):
    order = place_order(chair_user, union, agreement, **kw)
    services.order_dispatch(actor=office_user, order=order)
    services.order_accept(actor=provider_user, order=order)
    return order


def _delivered(order, provider_user):
    services.delivery_record(
        actor=provider_user,
        order=order,
        started_at=order.starts_at,
        ended_at=order.ends_at,
        content="按方案完成",
        now=order.ends_at,
    )
    return order


def test_a_chair_cannot_confirm_another_unions_delivery(
    stress_agreement, place_order, chair_user, union, office_user, provider_user, other_chair_user
):
    order = _delivered(
        _accepted(place_order, chair_user, union, stress_agreement, office_user, provider_user), provider_user
    )
    for actor in (other_chair_user, office_user, provider_user):
        with pytest.raises(PermissionDenied):
            services.delivery_confirm(actor=actor, order=order)
    services.delivery_confirm(actor=chair_user, order=order)


def test_not_yours_delivery_record(
    stress_agreement, place_order, chair_user, union, office_user, provider_user, other_provider_user
):
    order = _accepted(place_order, chair_user, union, stress_agreement, office_user, provider_user)
    with pytest.raises(PermissionDenied):
        services.delivery_record(
            actor=other_provider_user,
            order=order,
            started_at=order.starts_at,
            ended_at=order.ends_at,
            content="x",
        )


def test_a_decline_with_a_proposed_time_keeps_the_session_until_the_chair_answers(
    stress_agreement, place_order, chair_user, union, office_user, provider_user, other_chair_user
):
    order = place_order(chair_user, union, stress_agreement, days=5)
    services.order_dispatch(actor=office_user, order=order)
    with pytest.raises(ValidationError):
        services.order_decline(actor=provider_user, order=order, reason="")
    services.order_decline(
        actor=provider_user, order=order, reason="讲师当天出差", proposed_starts_at=at(6, 9)
    )
    order.refresh_from_db()
    assert order.state == "proposed"
    stress_agreement.refresh_from_db()
    assert stress_agreement.sessions_booked == 1
    with pytest.raises(PermissionDenied):
        services.order_accept_proposal(actor=other_chair_user, order=order)
    services.order_accept_proposal(actor=chair_user, order=order)
    order.refresh_from_db()
    assert order.state == "accepted" and order.starts_at == at(6, 9)
    assert order.ends_at - order.starts_at == datetime.timedelta(minutes=order.project.duration_minutes)


def test_a_plain_decline_releases_the_session_and_budget(
    stress_agreement, place_order, chair_user, union, office_user, provider_user
):
    order = place_order(chair_user, union, stress_agreement)
    services.order_dispatch(actor=office_user, order=order)
    services.order_decline(actor=provider_user, order=order, reason="场地不符合要求")
    order.refresh_from_db()
    stress_agreement.refresh_from_db()
    assert order.state == "declined" and order.state_reason == "场地不符合要求"
    assert stress_agreement.sessions_booked == 0
    assert UnionBudget.objects.get(union=union, year=order.starts_at.year).committed == 0


def test_a_chair_cancels_only_48_hours_ahead(
    stress_agreement, place_order, chair_user, union, office_user, other_chair_user
):
    order = place_order(chair_user, union, stress_agreement, days=5)
    with pytest.raises(PermissionDenied):
        services.order_cancel(actor=other_chair_user, order=order, reason="不需要了")
    with pytest.raises(ValidationError, match="48"):
        services.order_cancel(
            actor=chair_user,
            order=order,
            reason="不需要了",
            now=order.starts_at - datetime.timedelta(hours=47),
        )
    with pytest.raises(ValidationError):
        services.order_cancel(actor=chair_user, order=order, reason="")
    # The office may still cancel, with a reason.
    services.order_cancel(
        actor=office_user, order=order, reason="企业停产", now=order.starts_at - datetime.timedelta(hours=2)
    )
    order.refresh_from_db()
    assert order.state == "cancelled"
    with pytest.raises(ValidationError, match="no longer"):
        services.order_cancel(actor=office_user, order=order, reason="again")


def test_voiding_an_agreement_cancels_its_open_orders(
    stress_agreement, place_order, chair_user, union, office_user
):
    order = place_order(chair_user, union, stress_agreement)
    agreement_services.agreement_void(
        actor=office_user, agreement=stress_agreement, reason="公示期内异议成立"
    )
    order.refresh_from_db()
    assert order.state == "cancelled"
    assert UnionBudget.objects.get(union=union, year=order.starts_at.year).committed == 0


def test_the_same_phone_signing_in_twice_counts_once(
    stress_agreement, place_order, chair_user, union, office_user, provider_user
):
    order = _accepted(place_order, chair_user, union, stress_agreement, office_user, provider_user)
    now = order.starts_at - datetime.timedelta(minutes=10)
    first, created = services_signins.attendance_sign_in(
        order=order, device="phone-aaaaaaaaaaaa", name="李四", union_name="潮鸣食品", now=now
    )
    again, created_again = services_signins.attendance_sign_in(
        order=order, device="phone-aaaaaaaaaaaa", name="李四四", union_name="潮鸣食品", now=now
    )
    assert created and not created_again and again.pk == first.pk
    services_signins.attendance_sign_in(
        order=order, device="phone-bbbbbbbbbbbb", name="赵五", union_name="潮鸣食品", now=now
    )
    assert Attendance.objects.filter(order=order).count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(
            order=order, device="phone-aaaaaaaaaaaa", seat=3, name="x", union_name="y", signed_at=now
        )


def test_sign_in_only_inside_its_window(
    stress_agreement, place_order, chair_user, union, office_user, provider_user
):
    order = _accepted(place_order, chair_user, union, stress_agreement, office_user, provider_user)
    kw = {"order": order, "name": "李四", "union_name": "潮鸣食品"}
    with pytest.raises(ValidationError, match="opens"):
        services_signins.attendance_sign_in(
            device="p" * 20, now=order.starts_at - datetime.timedelta(minutes=31), **kw
        )
    services_signins.attendance_sign_in(
        device="q" * 20, now=order.starts_at - datetime.timedelta(minutes=30), **kw
    )
    services_signins.attendance_sign_in(
        device="r" * 20, now=order.ends_at + datetime.timedelta(hours=2), **kw
    )
    with pytest.raises(ValidationError, match="closed"):
        services_signins.attendance_sign_in(
            device="s" * 20, now=order.ends_at + datetime.timedelta(hours=2, seconds=1), **kw
        )
    assert Attendance.objects.filter(order=order).count() == 2


def test_sign_in_refuses_a_cancelled_session_and_a_bad_device(
    stress_agreement, place_order, chair_user, union, office_user
):
    order = place_order(chair_user, union, stress_agreement)
    with pytest.raises(ValidationError, match="not open"):
        services_signins.attendance_sign_in(
            order=order, device="p" * 20, name="李四", union_name="x", now=order.starts_at
        )
    with pytest.raises(ValidationError, match="recognised"):
        services_signins.attendance_sign_in(
            order=order, device="<script>", name="李四", union_name="x", now=order.starts_at
        )


def test_ratings_one_per_phone_and_one_reply(
    stress_agreement, place_order, chair_user, union, office_user, provider_user, other_provider_user
):
    order = _accepted(place_order, chair_user, union, stress_agreement, office_user, provider_user)
    now = order.starts_at + datetime.timedelta(minutes=30)
    with pytest.raises(ValidationError, match="sign in"):
        services_signins.rating_submit(order=order, device="p" * 20, stars=5, now=now)
    services_signins.attendance_sign_in(order=order, device="p" * 20, name="李四", union_name="x", now=now)
    with pytest.raises(ValidationError) as error:
        services_signins.rating_submit(order=order, device="p" * 20, stars="6", now=now)
    assert "stars" in error.value.message_dict
    services_signins.rating_submit(order=order, device="p" * 20, stars=2, comment="声音太小", now=now)
    rating = services_signins.rating_submit(
        order=order, device="p" * 20, stars=3, comment="声音有点小", now=now
    )
    assert Rating.objects.filter(order=order).count() == 1 and rating.stars == 3
    with pytest.raises(PermissionDenied):
        services_signins.rating_reply(actor=other_provider_user, rating=rating, reply="谢谢")
    services_signins.rating_reply(actor=provider_user, rating=rating, reply="下次带扩音器")
    with pytest.raises(ValidationError, match="already replied"):
        services_signins.rating_reply(actor=provider_user, rating=rating, reply="再次感谢")
    with pytest.raises(ValidationError, match="replied"):
        services_signins.rating_submit(order=order, device="p" * 20, stars=5, now=now)


def test_the_chair_rates_once_and_only_its_own_unions_session(
    stress_agreement, place_order, chair_user, union, office_user, provider_user, other_chair_user
):
    order = _delivered(
        _accepted(place_order, chair_user, union, stress_agreement, office_user, provider_user), provider_user
    )
    now = order.ends_at
    with pytest.raises(PermissionDenied):
        services_signins.rating_submit(order=order, actor=other_chair_user, stars=1, now=now)
    services_signins.rating_submit(order=order, actor=chair_user, stars=4, comment="整体满意", now=now)
    services_signins.rating_submit(order=order, actor=chair_user, stars=5, now=now)
    assert Rating.objects.get(order=order, role="chair").stars == 5
    with pytest.raises(ValidationError, match="closed"):
        services_signins.rating_submit(
            order=order, actor=chair_user, stars=5, now=now + datetime.timedelta(days=8)
        )


def test_completion_waits_for_open_orders(stress_agreement, place_order, chair_user, union, office_user):
    place_order(chair_user, union, stress_agreement)
    with pytest.raises(ValidationError, match="still open"):
        agreement_services.agreement_complete(actor=office_user, agreement=stress_agreement)
    assert Order.objects.count() == 1
