"""Comments wait for moderation; a rejected one never shows; listed words reject at once; the office answers;
another federation's office can neither moderate nor answer; the moderation list's queries do not grow."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from dajia.participation import services_comments as svc
from dajia.participation.models import Comment, SensitiveWord, Viewer
from dajia.participation.tests.conftest import JSON, verify, zh

pytestmark = pytest.mark.django_db


def _post(client, session, text, **extra):
    return client.post(
        f"/participation/s/{session.pk}/comments", {"kind": "comment", "text": text, **extra}, **JSON
    )


def _public(session) -> str:
    anonymous = Client()
    page = anonymous.get(f"/participation/s/{session.pk}/").content.decode()
    partial = anonymous.get(f"/participation/s/{session.pk}/comments").content.decode()
    api = anonymous.get(f"/api/participation/sessions/{session.pk}/comments").content.decode()
    return page + partial + api


def test_a_comment_shows_only_after_approval_and_a_rejected_one_never(client, live_session, office_user):
    verify(client, live_session, "13612345678")
    good = _post(client, live_session, "希望社会组织给予更加详细的菜单式服务")
    bad = _post(client, live_session, "这个机构不行，大家别支持")
    assert good.status_code == 201 and bad.status_code == 201
    assert good.json()["message"] == zh(
        "Thank you. Your comment will be shown once the union office has read it."
    )
    text = _public(live_session)
    assert "菜单式服务" not in text and "这个机构不行" not in text
    # The author sees their own comment waiting.
    own = client.get(f"/participation/s/{live_session.pk}/comments").content.decode()
    assert "菜单式服务" in own and zh("Awaiting moderation") in own
    comment = Comment.objects.get(text__startswith="希望")
    svc.comment_moderate(actor=office_user, comment=comment, approve=True)
    svc.comment_moderate(
        actor=office_user,
        comment=Comment.objects.get(text__startswith="这个"),
        approve=False,
        reason="人身攻击",
    )
    svc.comment_answer(actor=office_user, comment=comment, answer="已请各机构补充菜单明细。")
    text = _public(live_session)
    assert "菜单式服务" in text and "已请各机构补充菜单明细" in text
    assert "这个机构不行" not in text
    assert "13612345678" not in text and "136****5678" not in text
    assert zh("Viewer, number ending %(tail)s", tail="5678") in text


def test_a_listed_word_rejects_at_once_with_the_reason(client, live_session, office_user, federation):
    svc.sensitive_word_add(actor=office_user, federation=federation, word="刷票")
    verify(client, live_session, "13612345678")
    response = _post(client, live_session, "一起来 刷 * 票 吧")
    assert response.status_code == 400
    reason = zh("It contains words that cannot be shown publicly: %(words)s.", words="刷票")
    assert response.json()["message"] == zh("Your comment was not accepted: %(reason)s", reason=reason)
    comment = Comment.objects.get()
    assert comment.status == "rejected" and comment.auto_rejected
    assert "刷" not in _public(live_session)
    with pytest.raises(ValidationError):
        svc.comment_moderate(actor=office_user, comment=comment, approve=True)


def test_words_of_the_federation_above_apply(client, live_session, office_user, federation):
    from dajia.orgs.models import Federation

    city = Federation.objects.create(name="杭州市总工会", level="city")
    federation.parent = city
    federation.save(update_fields=["parent"])
    SensitiveWord.objects.create(federation=city, word="Ｂａｄ")
    verify(client, live_session, "13612345678")
    assert _post(client, live_session, "this is bad news").status_code == 400


def test_unverified_or_bad_comments_are_refused_clearly(client, live_session):
    response = _post(client, live_session, "你好你好")
    assert response.status_code == 403
    assert response.json()["message"] == zh("Please verify with your mobile number first.")
    verify(client, live_session, "13612345678")
    assert _post(client, live_session, "好").json()["message"] == zh(
        "Please write at least %(n)d characters.", n=2
    )
    long = _post(client, live_session, "长" * 301)
    assert long.status_code == 400
    other = _post(client, live_session, "你好你好", entry="999999")
    assert other.status_code == 400
    assert not Comment.objects.exists()


def test_comments_closed_by_the_office(client, live_session, office_user):
    from dajia.participation.services import live_settings_update

    verify(client, live_session, "13612345678")
    live_settings_update(actor=office_user, session=live_session, require_roll=False, comments_open=False)
    response = _post(client, live_session, "还能留言吗")
    assert response.status_code == 400
    assert response.json()["message"] == zh("Comments are closed for this session.")


def test_the_office_moderates_and_answers_through_its_pages(client, live_session, office_user):
    phone = Client()
    verify(phone, live_session, "13612345678")
    _post(phone, live_session, "希望项目安排在周末")
    comment = Comment.objects.get()
    client.force_login(office_user)
    queue = client.get(f"/participation/s/{live_session.pk}/moderate/")
    assert queue.status_code == 200 and "希望项目安排在周末" in queue.content.decode()
    no_reason = client.post(f"/participation/comments/{comment.pk}/moderate", {"decision": "reject"})
    assert no_reason.status_code == 400
    assert zh("Please say why the comment is rejected.") in no_reason.content.decode()
    answer_first = client.post(f"/participation/comments/{comment.pk}/answer", {"answer": "好的"})
    assert answer_first.status_code == 400
    assert zh("Only an approved comment can be answered.") in answer_first.content.decode()
    assert (
        client.post(f"/participation/comments/{comment.pk}/moderate", {"decision": "approve"}).status_code
        == 302
    )
    assert (
        client.post(f"/participation/comments/{comment.pk}/answer", {"answer": "已安排"}).status_code == 302
    )
    comment.refresh_from_db()
    assert comment.status == "approved" and comment.answer == "已安排" and comment.moderated_by == office_user
    # Take it down again, with a reason.
    client.post(f"/participation/comments/{comment.pk}/moderate", {"decision": "reject", "reason": "重复"})
    comment.refresh_from_db()
    assert comment.status == "rejected" and "希望项目安排在周末" not in _public(live_session)


def test_floor_suggestions_are_recorded_by_staff_and_shown(client, live_session, office_user):
    client.force_login(office_user)
    response = client.post(
        f"/participation/s/{live_session.pk}/office/floor",
        {"speaker": "基层工会主席", "text": "希望社会组织给予更加详细的菜单式服务"},
    )
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.source == "floor" and comment.status == "approved" and comment.recorded_by == office_user
    assert "菜单式服务" in _public(live_session) and zh("From the floor") in _public(live_session)
    assert client.post(f"/participation/s/{live_session.pk}/office/floor", {"text": ""}).status_code == 400


def test_not_yours_another_federations_office_can_neither_moderate_nor_answer(
    client, live_session, office_user, other_office_user
):
    phone = Client()
    verify(phone, live_session, "13612345678")
    _post(phone, live_session, "希望项目安排在周末")
    comment = Comment.objects.get()
    with pytest.raises(PermissionDenied):
        svc.comment_moderate(actor=other_office_user, comment=comment, approve=True)
    svc.comment_moderate(actor=office_user, comment=comment, approve=True)
    with pytest.raises(PermissionDenied):
        svc.comment_answer(actor=other_office_user, comment=comment, answer="不是你的")
    with pytest.raises(PermissionDenied):
        svc.floor_suggestion_record(actor=other_office_user, session=live_session, text="不是你的会")
    client.force_login(other_office_user)
    for url, data in (
        (f"/participation/comments/{comment.pk}/moderate", {"decision": "reject", "reason": "x"}),
        (f"/participation/comments/{comment.pk}/answer", {"answer": "不是你的"}),
        (f"/participation/s/{live_session.pk}/office/floor", {"text": "不是你的会"}),
    ):
        assert client.post(url, data).status_code == 404
    for url in ("moderate/", "office/", "abuse/"):  # the objections page: dajia/notices/tests
        assert client.get(f"/participation/s/{live_session.pk}/{url}").status_code == 404
    comment.refresh_from_db()
    assert comment.status == "approved" and comment.answer == ""


def test_not_office_is_403(client, live_session, chair_user):
    client.force_login(chair_user)
    assert client.get(f"/participation/s/{live_session.pk}/moderate/").status_code == 403
    assert client.get("/participation/words/").status_code == 403


def test_the_moderation_list_does_not_grow_in_queries(
    client, live_session, office_user, django_assert_max_num_queries
):
    def add(n: int, start: int):
        for i in range(n):
            viewer = Viewer.objects.create(
                session=live_session,
                mobile_hash=f"h{start + i}",
                mobile_masked="136****0000",
                verified_at=live_session.opened_at,
                last_verified_at=live_session.opened_at,
            )
            comment = Comment.objects.create(
                session=live_session,
                entry=live_session.entries_list[i % 3],
                viewer=viewer,
                author_label=viewer.public_label,
                text=f"建议{start + i}",
                created_at=live_session.opened_at,
            )
            if i % 2:
                svc.comment_moderate(actor=office_user, comment=comment, approve=True)
                svc.comment_answer(actor=office_user, comment=comment, answer="收到")

    client.force_login(office_user)
    add(3, 0)
    url = f"/participation/s/{live_session.pk}/moderate/?status=all"
    with django_assert_max_num_queries(20) as few:
        assert client.get(url).status_code == 200
    add(30, 100)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('class="comment card"') == 33


def test_sensitive_words_page_and_not_yours(client, office_user, other_office_user, federation):
    client.force_login(office_user)
    assert (
        client.post("/participation/words/", {"federation": federation.pk, "word": "刷票"}).status_code == 302
    )
    duplicate = client.post("/participation/words/", {"federation": federation.pk, "word": "刷票"})
    assert (
        duplicate.status_code == 400 and zh("This word is already on the list.") in duplicate.content.decode()
    )
    assert (
        client.post("/participation/words/", {"federation": federation.pk, "word": "  "}).status_code == 400
    )
    word = SensitiveWord.objects.get()
    client.force_login(other_office_user)
    assert client.post(f"/participation/words/{word.pk}/remove").status_code == 404
    # Asking for another federation's list shows one's own.
    page = client.get(f"/participation/words/?federation={federation.pk}").content.decode()
    assert "刷票" not in page
    with pytest.raises(PermissionDenied):
        svc.sensitive_word_add(actor=other_office_user, federation=federation, word="别人的")
