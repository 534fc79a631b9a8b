"""The demo's lectures: the seed's 5 delivered lectures (“按需定制‘菜单式’普法讲座5场”), each counted by its
sign-ins, plus one scheduled and one requested so the flows have work."""

import pytest
from django.core.management import call_command

from dajia.lectures.models import Lecture, LectureSignIn, Topic

pytestmark = pytest.mark.django_db


def test_the_demo_delivers_exactly_five_lectures_with_sign_ins():
    call_command("load_demo")
    delivered = Lecture.objects.filter(status="delivered")
    assert delivered.count() == 5
    for lecture in delivered:
        assert lecture.delivered_at is not None and lecture.delivered_at >= lecture.starts_at
        attendance = LectureSignIn.objects.filter(lecture=lecture).count()
        assert 0 < attendance <= lecture.capacity
        assert lecture.speaker.federation_id == lecture.federation_id
    assert Lecture.objects.filter(status="scheduled").count() == 1
    assert Lecture.objects.filter(status="requested").count() == 1
    titles = set(Topic.objects.values_list("title", flat=True))
    assert {
        "劳动合同签订与解除",
        "工资支付与加班费",
        "社会保险缴纳",
        "税收优惠政策",
        "小微企业融资",
    } <= titles
    assert {t.specialty for t in Topic.objects.all()} == {"lawyer", "tax", "accountant", "finance"}
