"""Raising, supporting, answering, merging and importing needs: the rules and who may do what."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from dajia.core.models import AuditLog
from dajia.core.ratelimit import RateLimited
from dajia.needs import services
from dajia.needs.models import Need, NeedUpdate, Support

pytestmark = pytest.mark.django_db


def test_a_worker_raises_a_need_and_dajia_suggests_its_category(worker, union, categories):
    need = services.need_create(actor=worker, text="  孩子暑假没人照看，希望办小候鸟班  ", union=union)
    assert need.text == "孩子暑假没人照看，希望办小候鸟班"
    assert need.federation_id == union.federation_id
    assert need.category == categories["children"] == need.suggested_category
    assert need.category_by == Need.CategoryBy.SUGGESTED
    assert "小候鸟" in need.tokens.split()
    assert need.updates.get().status == Need.Status.RECEIVED
    assert AuditLog.objects.filter(action="needs.need.create", object_id=str(need.pk)).exists()


def test_the_author_may_choose_another_category(worker, union, categories):
    need = services.need_create(
        actor=worker, text="孩子暑假没人照看，希望办小候鸟班", union=union, category=categories["culture"].pk
    )
    assert need.category == categories["culture"] and need.suggested_category == categories["children"]
    assert need.category_by == Need.CategoryBy.AUTHOR


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [("", "text", "请至少写"), ("太少了", "text", "请至少写"), ("长" * 501, "text", "500 字以内")],
)
def test_bad_text_is_refused_with_a_chinese_reason(worker, union, categories, text, field, message):
    with pytest.raises(ValidationError) as e:
        services.need_create(actor=worker, text=text, union=union)
    assert message in e.value.message_dict[field][0]
    assert not Need.objects.exists()


def test_a_need_says_where_it_comes_from(worker, union, categories):
    with pytest.raises(ValidationError) as e:
        services.need_create(actor=worker, text="希望组织消防安全培训", union=None)
    assert "工会或所在园区" in e.value.message_dict["union"][0]


def test_only_the_unions_chair_speaks_in_its_name(worker, chair_user, union, other_union, categories):
    with pytest.raises(ValidationError):
        services.need_create(actor=worker, text="希望组织消防安全培训", union=union, voice="union")
    with pytest.raises(ValidationError):
        services.need_create(actor=chair_user, text="希望组织消防安全培训", union=other_union, voice="union")
    need = services.need_create(actor=chair_user, text="希望组织消防安全培训", union=union, voice="union")
    assert need.voice == "union"


def test_anonymous_visitors_cannot_raise_needs(union, categories):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.need_create(actor=AnonymousUser(), text="希望组织消防安全培训", union=union)


def test_anonymous_to_the_public_is_never_anonymous_to_abuse_controls(worker, union, categories):
    need = services.need_create(actor=worker, text="希望组织消防安全培训", union=union, anonymous=True)
    assert need.anonymous and need.author == worker


def test_the_rate_limit_per_person(settings, worker, union, categories):
    settings.DAJIA_NEEDS_PER_HOUR = 2
    services.need_create(actor=worker, text="希望组织消防安全培训", union=union)
    services.need_create(actor=worker, text="希望开一期心理减压课", union=union)
    with pytest.raises(RateLimited) as e:
        services.need_create(actor=worker, text="希望办一次职工运动会", union=union)
    assert "一小时内" in e.value.messages[0]
    assert Need.objects.count() == 2


def test_one_support_per_person_and_need(worker, workers, union, raise_need):
    need = raise_need(worker, "希望组织消防安全培训", union)
    services.need_support(actor=workers[0], need=need)
    with pytest.raises(ValidationError) as e:
        services.need_support(actor=workers[0], need=need)
    assert "已经附议" in e.value.messages[0]
    assert need.supports.count() == 1
    need.refresh_from_db()
    assert need.support_count == 1  # the wall's count, kept with the rows


def test_the_database_refuses_a_second_support(worker, workers, union, raise_need):
    need = raise_need(worker, "希望组织消防安全培训", union)
    Support.objects.create(need=need, user=workers[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        Support.objects.create(need=need, user=workers[0])


def test_nobody_supports_their_own_need(worker, union, raise_need):
    need = raise_need(worker, "希望组织消防安全培训", union)
    with pytest.raises(ValidationError):
        services.need_support(actor=worker, need=need)


def test_a_support_can_be_withdrawn(worker, workers, union, raise_need):
    need = raise_need(worker, "希望组织消防安全培训", union)
    services.need_support(actor=workers[0], need=need)
    services.need_unsupport(actor=workers[0], need=need)
    assert not need.supports.exists()
    need.refresh_from_db()
    assert need.support_count == 0
    with pytest.raises(ValidationError):
        services.need_unsupport(actor=workers[0], need=need)


def test_merging_keeps_every_supporter_once(office_user, worker, workers, union, raise_need):
    a, b, c, d, e = workers
    target = raise_need(worker, "希望组织消防安全培训，车间新员工多", union)
    source = raise_need(a, "车间新员工多，想搞一次消防安全培训", union)
    for user in (b, c):
        services.need_support(actor=user, need=target)
    for user in (c, d, worker):  # c supports both; worker (target's author) supported the duplicate
        services.need_support(actor=user, need=source)
    services.need_merge(actor=office_user, source=source, target=target)
    supporters = list(Support.objects.filter(need=target).values_list("user_id", flat=True))
    # b, c, d once each, and a (the duplicate's author); never the target's own author.
    assert sorted(supporters) == sorted([a.pk, b.pk, c.pk, d.pk])
    assert not Support.objects.filter(need=source).exists()
    source.refresh_from_db()
    target.refresh_from_db()
    assert (target.support_count, source.support_count) == (4, 0)
    assert source.merged_into == target
    assert source.updates.last().message.startswith("已与其他职工提出的相同需求")
    # A later support of the merged need goes to the need it was merged into, once.
    services.need_support(actor=e, need=source)
    with pytest.raises(ValidationError):
        services.need_support(actor=e, need=source)
    assert Support.objects.filter(need=target, user=e).count() == 1
    target.refresh_from_db()
    assert target.support_count == 5


def test_merging_follows_earlier_merges_and_refuses_loops(office_user, worker, workers, union, raise_need):
    one = raise_need(worker, "希望组织消防安全培训", union)
    two = raise_need(workers[0], "想搞一次消防安全培训", union)
    three = raise_need(workers[1], "车间想学消防安全知识", union)
    services.need_merge(actor=office_user, source=three, target=two)
    services.need_merge(actor=office_user, source=two, target=one)
    three.refresh_from_db()
    assert three.merged_into == one
    with pytest.raises(ValidationError):
        services.need_merge(actor=office_user, source=one, target=two)
    with pytest.raises(ValidationError):
        services.need_merge(actor=office_user, source=one, target=one)


def test_status_steps_carry_messages(office_user, worker, union, raise_need):
    need = raise_need(worker, "希望组织消防安全培训", union)
    with pytest.raises(ValidationError) as e:
        services.need_update_status(actor=office_user, need=need, status="declined", message=" ")
    assert "不予采纳的理由" in e.value.message_dict["message"][0]
    services.need_update_status(actor=office_user, need=need, status="handling", message="正在联系培训机构")
    services.need_update_status(
        actor=office_user, need=need, status="answered", message="已列入协商会备选", public=False
    )
    with pytest.raises(ValidationError):
        services.need_update_status(actor=office_user, need=need, status="received", message="退回")
    need.refresh_from_db()
    assert need.status == "answered"
    assert [u.status for u in need.updates.all()] == ["received", "handling", "answered"]
    assert NeedUpdate.objects.get(status="answered").public is False


def test_the_office_corrects_the_category_and_later_suggestions_learn(
    office_user, worker, workers, union, raise_need, categories
):
    text = "食堂饭菜越来越贵，一线工人吃不起"
    first = raise_need(worker, text, union)
    assert first.category != categories["hardship"]
    services.need_set_category(actor=office_user, need=first, category=categories["hardship"])
    first.refresh_from_db()
    assert first.category_by == "office"
    later = raise_need(workers[0], "食堂的菜太贵了，工人们吃不起饭", union)
    assert later.category == categories["hardship"]


def test_not_yours_another_federations_office_can_neither_answer_merge_nor_classify(
    other_office_user, worker, workers, union, raise_need, categories
):
    need = raise_need(worker, "希望组织消防安全培训", union)
    twin = raise_need(workers[0], "想搞一次消防安全培训", union)
    with pytest.raises(PermissionDenied):
        services.need_update_status(actor=other_office_user, need=need, status="handling", message="x")
    with pytest.raises(PermissionDenied):
        services.need_merge(actor=other_office_user, source=twin, target=need)
    with pytest.raises(PermissionDenied):
        services.need_set_category(actor=other_office_user, need=need, category=categories["legal"])
    with pytest.raises(PermissionDenied):
        services.need_update_status(actor=worker, need=need, status="handling", message="x")


def test_import_is_all_or_nothing_with_line_numbers(office_user, federation, union, categories):
    rows = [
        services.ImportRow(line=2, text="希望组织消防安全培训", union=union.name),
        services.ImportRow(line=3, text="短", union=union.name),
        services.ImportRow(line=4, text="孩子暑假没人照看", union="不存在的工会"),
        services.ImportRow(line=5, text="老板拖欠工资", category="不存在的类别"),
    ]
    with pytest.raises(ValidationError) as e:
        services.needs_import(actor=office_user, federation=federation, rows=rows)
    messages = e.value.messages
    assert messages[0].startswith("第 3 行：") and "第 4 行：" in messages[1] and "第 5 行：" in messages[2]
    assert not Need.objects.exists()
    good = [
        services.ImportRow(line=2, text="希望组织消防安全培训", union=union.name),
        services.ImportRow(line=3, text="老板拖欠工资两个月", category="法律服务"),
    ]
    created = services.needs_import(actor=office_user, federation=federation, rows=good)
    assert [n.category.code for n in created] == ["safety", "legal"]
    assert [n.category_by for n in created] == ["suggested", "office"]
    assert all(n.source == "paper" and n.author is None for n in created)
    assert created[1].federation == federation and created[1].union is None


def test_not_yours_import_into_another_federation(other_office_user, federation, categories):
    with pytest.raises(PermissionDenied):
        services.needs_import(
            actor=other_office_user,
            federation=federation,
            rows=[services.ImportRow(line=1, text="希望组织消防安全培训")],
        )


def test_the_database_refuses_an_online_need_from_nowhere(worker, federation):
    with pytest.raises(IntegrityError), transaction.atomic():
        Need.objects.create(federation=federation, author=worker, text="希望组织消防安全培训", source="web")
