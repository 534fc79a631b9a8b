"""Comments from viewers and suggestions from the floor: held for moderation, answered by the office.

A viewer's comment waits for the office's approval before anyone else sees it. One containing a word of the
office's sensitive-word list (the session's federation and those above it) is rejected at once, with the reason
shown to its author. The office approves, rejects (always with a reason — also to take an approved comment
down) and answers approved ones. Staff record suggestions made in the hall ("希望社会组织给予更加详细的菜单式
服务…"): they are approved as they are recorded, by the person recording them.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dajia.accounts.permissions import require_office
from dajia.consultations.models import Session, SessionProject
from dajia.core import audit
from dajia.core.inputs import clean_text, normalise
from dajia.live.bus import publish
from dajia.orgs.models import Federation
from dajia.participation.models import Comment, SensitiveWord, Viewer
from dajia.participation.selectors import comment_counts
from dajia.participation.services import settings_for

COMMENT_MIN, COMMENT_MAX = 2, 300
ANSWER_MAX = 1000
REASON_MAX = 300
WORD_MAX = 40
COMMENT_STATES = ("draft", "open", "closed", "revealed")
_SEPARATORS = re.compile(r"[\s\u3000*·.\-_、，,。!！?？~～|/\\]+")


def _fold(text: str) -> str:
    """How words are compared: NFKC (full-width → half-width), case-folded, spaces and separators removed —
    so 敏 感 词, 敏*感*词 and Ｂａｄ all match."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text).casefold())


def federation_chain(federation_id: int) -> list[int]:
    """The federation and every federation above it (their word lists apply)."""
    ids, current = [], Federation.objects.filter(pk=federation_id).values_list("pk", "parent_id").first()
    while current is not None and current[0] not in ids:
        ids.append(current[0])
        current = (
            Federation.objects.filter(pk=current[1]).values_list("pk", "parent_id").first()
            if current[1]
            else None
        )
    return ids


def sensitive_words(session: Session) -> list[str]:
    return list(
        SensitiveWord.objects.filter(federation_id__in=federation_chain(session.federation_id)).values_list(
            "word", flat=True
        )
    )


def words_found(text: str, words: list[str]) -> list[str]:
    folded = _fold(text)
    return sorted({w for w in words if _fold(w) and _fold(w) in folded})


def _announce(session: Session) -> None:
    counts = comment_counts(session)
    publish(
        channel=f"session-{session.pk}",
        event="comments",
        data={"session_id": session.pk, "approved": counts["approved"], "pending": counts["pending"]},
    )


def _entry(session: Session, entry) -> SessionProject | None:
    if entry in (None, ""):
        return None
    entry_id = entry.pk if isinstance(entry, SessionProject) else entry
    try:
        found = SessionProject.objects.filter(session=session, pk=int(entry_id)).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise ValidationError({"entry": _("This project is not part of this session.")})
    return found


@transaction.atomic
def comment_post(*, viewer: Viewer, text: str, entry=None, kind: str = Comment.Kind.COMMENT) -> Comment:
    """A verified viewer writes a comment or suggestion; it waits for moderation (or is rejected at once when
    it contains a listed word)."""
    viewer = Viewer.objects.select_related("session").filter(pk=viewer.pk, erased_at__isnull=True).first()
    if viewer is None:
        raise PermissionDenied(_("Please verify with your mobile number first."))
    session = viewer.session
    if session.state not in COMMENT_STATES or not settings_for(session).comments_open:
        raise ValidationError(_("Comments are closed for this session."))
    if kind not in Comment.Kind.values:
        raise ValidationError({"kind": _("Choose a comment or a suggestion.")})
    text = clean_text(text, field="text", min_length=COMMENT_MIN, max_length=COMMENT_MAX)
    target = _entry(session, entry)
    found = words_found(text, sensitive_words(session))
    now = timezone.now()
    comment = Comment.objects.create(
        session=session,
        entry=target,
        viewer=viewer,
        source=Comment.Source.ONLINE,
        kind=kind,
        author_label=viewer.public_label,
        text=text,
        status=Comment.Status.REJECTED if found else Comment.Status.PENDING,
        status_reason=(
            _("It contains words that cannot be shown publicly: %(words)s.") % {"words": "、".join(found)}
            if found
            else ""
        ),
        auto_rejected=bool(found),
        moderated_at=now if found else None,
        created_at=now,
    )
    audit.log(
        action="participation.comment.post",
        obj=comment,
        after={"status": comment.status, "entry": target.pk if target else None, "words": found},
        federation_id=session.federation_id,
        actor_label=viewer.mobile_masked,
    )
    _announce(session)
    return comment


def _lock_comment(comment: Comment) -> Comment:
    return Comment.objects.select_for_update().select_related("session").get(pk=comment.pk)


@transaction.atomic
def comment_moderate(*, actor, comment: Comment, approve: bool, reason: str = "") -> Comment:
    """Approve a comment, or reject it with a reason (also to take down an approved one)."""
    comment = _lock_comment(comment)
    session = comment.session
    require_office(actor, session.federation_id)
    reason = " ".join(str(reason or "").split())
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("The reason is too long (at most 300 characters).")})
    if approve:
        if comment.status != Comment.Status.PENDING:
            raise ValidationError(_("Only a comment awaiting moderation can be approved."))
        if words_found(comment.text, sensitive_words(session)):
            raise ValidationError(_("This comment contains a listed word and cannot be approved."))
        status = Comment.Status.APPROVED
    else:
        if comment.status == Comment.Status.REJECTED:
            raise ValidationError(_("This comment is already rejected."))
        if not reason:
            raise ValidationError({"reason": _("Please say why the comment is rejected.")})
        status = Comment.Status.REJECTED
    before = audit.snapshot(comment, ["status", "status_reason"])
    comment.status = status
    comment.status_reason = reason
    comment.moderated_by = actor
    comment.moderated_at = timezone.now()
    comment.save(update_fields=["status", "status_reason", "moderated_by", "moderated_at"])
    audit.log(
        actor=actor,
        action="participation.comment.approve" if approve else "participation.comment.reject",
        obj=comment,
        before=before,
        after=audit.snapshot(comment, ["status", "status_reason"]),
        federation_id=session.federation_id,
    )
    _announce(session)
    return comment


@transaction.atomic
def comment_answer(*, actor, comment: Comment, answer: str) -> Comment:
    """The office answers an approved comment or suggestion (the answer is public with it)."""
    comment = _lock_comment(comment)
    session = comment.session
    require_office(actor, session.federation_id)
    if comment.status != Comment.Status.APPROVED:
        raise ValidationError(_("Only an approved comment can be answered."))
    answer = clean_text(answer, field="answer", min_length=COMMENT_MIN, max_length=ANSWER_MAX)
    before = audit.snapshot(comment, ["answer"])
    comment.answer = answer
    comment.answered_by = actor
    comment.answered_at = timezone.now()
    comment.save(update_fields=["answer", "answered_by", "answered_at"])
    audit.log(
        actor=actor,
        action="participation.comment.answer",
        obj=comment,
        before=before,
        after=audit.snapshot(comment, ["answer"]),
        federation_id=session.federation_id,
    )
    _announce(session)
    return comment


@transaction.atomic
def floor_suggestion_record(*, actor, session: Session, text: str, speaker: str = "", entry=None) -> Comment:
    """Staff record a suggestion made in the hall. ``speaker`` says who spoke as a role or a union (a person's
    full name is not needed and should not be written)."""
    require_office(actor, session.federation_id)
    text = clean_text(text, field="text", min_length=COMMENT_MIN, max_length=ANSWER_MAX)
    speaker = " ".join(str(speaker or "").split())[:60] or _("From the floor")
    target = _entry(session, entry)
    now = timezone.now()
    comment = Comment.objects.create(
        session=session,
        entry=target,
        source=Comment.Source.FLOOR,
        kind=Comment.Kind.SUGGESTION,
        author_label=speaker,
        text=text,
        status=Comment.Status.APPROVED,
        moderated_by=actor,
        moderated_at=now,
        recorded_by=actor,
        created_at=now,
    )
    audit.log(
        actor=actor,
        action="participation.suggestion.record",
        obj=comment,
        after={"speaker": speaker, "entry": target.pk if target else None},
        federation_id=session.federation_id,
    )
    _announce(session)
    return comment


# ---- the sensitive-word list ------------------------------------------------------------------------------


@transaction.atomic
def sensitive_word_add(*, actor, federation: Federation, word: str) -> SensitiveWord:
    require_office(actor, federation.pk)
    word = normalise(word, cell=True)
    if not _fold(word):
        raise ValidationError({"word": _("Please enter a word.")})
    if len(word) > WORD_MAX:
        raise ValidationError({"word": _("A word has at most %(n)d characters.") % {"n": WORD_MAX}})
    try:
        with transaction.atomic():
            row = SensitiveWord.objects.create(federation=federation, word=word, created_by=actor)
    except IntegrityError:
        raise ValidationError({"word": _("This word is already on the list.")}) from None
    audit.log(
        actor=actor,
        action="participation.word.add",
        obj=row,
        after={"word": word},
        federation_id=federation.pk,
    )
    return row


@transaction.atomic
def sensitive_word_remove(*, actor, word: SensitiveWord) -> None:
    require_office(actor, word.federation_id)
    audit.log(
        actor=actor,
        action="participation.word.remove",
        obj=word,
        before={"word": word.word},
        federation_id=word.federation_id,
    )
    word.delete()
