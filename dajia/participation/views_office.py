"""The union office's side: per-session console (settings, sharing, floor suggestions), moderation, answers,
the abuse report, the sensitive-word list and the member roll.

Office staff see the sessions of their federation and those below; another federation's session is a 404 (its
existence is not theirs to know), a non-office user gets 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from dajia.accounts.forms import apply_service_errors
from dajia.accounts.permissions import is_office, office_federation_ids, office_object
from dajia.consultations.models import Session
from dajia.consultations.qr import is_loopback, qr_svg
from dajia.core.inputs import query_id
from dajia.core.spreadsheets import SpreadsheetRefused, import_caps, read_upload
from dajia.notices.models import Objection
from dajia.notices.selectors import pending_counts
from dajia.notices.window import notice_window
from dajia.orgs.models import Federation
from dajia.participation import selectors, services, services_comments, services_roll
from dajia.participation.forms import (
    AnswerForm,
    FloorSuggestionForm,
    LiveSettingsForm,
    ModerateForm,
    RollImportForm,
    WordForm,
)
from dajia.participation.models import Comment, RollMember, SensitiveWord
from dajia.participation.views import live_url


def office_session(request, pk: int) -> Session:
    return office_object(request.user, Session.objects.select_related("federation"), pk=pk)


def _federations(request) -> list[Federation]:
    if not is_office(request.user):
        raise PermissionDenied
    return list(
        Federation.objects.filter(pk__in=office_federation_ids(request.user)).order_by("level", "name")
    )


def _messages(request, error: ValidationError) -> None:
    for m in error.messages:
        messages.error(request, m)


@login_required
def office(request):
    if not is_office(request.user):
        raise PermissionDenied
    sessions = (
        Session.objects.for_federations(office_federation_ids(request.user))
        .select_related("federation", "live_settings")
        .order_by("-starts_at", "-id")
    )
    pending = dict(
        Comment.objects.filter(session__in=sessions, status="pending")
        .values("session_id")
        .annotate(n=Count("id"))
        .values_list("session_id", "n")
    )
    open_objections = pending_counts(sessions)
    rows = [
        {"session": s, "pending": pending.get(s.pk, 0), "objections": open_objections.get(s.pk, 0)}
        for s in sessions
    ]
    return render(request, "participation/office.html", {"rows": rows})


def _console_context(request, session: Session, **extra) -> dict:
    row = selectors.live_settings(session)
    url = live_url(request, session)
    return {
        "session": session,
        "settings_form": LiveSettingsForm(
            initial={"require_roll": row.require_roll, "comments_open": row.comments_open}
        ),
        "floor_form": FloorSuggestionForm(session=session),
        "share_url": url,
        "qr": qr_svg(url, scale=5, title=_("QR code of the live page")),
        "loopback": is_loopback(request),
        "index": selectors.audience_index(session),
        "counts": selectors.comment_counts(session),
        "window": notice_window(session),
        "objections": Objection.objects.filter(session=session).count(),
        "roll_size": RollMember.objects.filter(
            union__federation_id__in=session.federation.descendant_ids()
        ).count(),
        **extra,
    }


@login_required
def console(request, pk: int):
    session = office_session(request, pk)
    return render(request, "participation/console.html", _console_context(request, session))


@login_required
@require_POST
def settings_update(request, pk: int):
    session = office_session(request, pk)
    form = LiveSettingsForm(request.POST)
    form.is_valid()
    try:
        services.live_settings_update(
            actor=request.user,
            session=session,
            require_roll=form.cleaned_data.get("require_roll", False),
            comments_open=form.cleaned_data.get("comments_open", False),
        )
    except ValidationError as error:
        _messages(request, error)
        return render(request, "participation/console.html", _console_context(request, session), status=400)
    messages.success(request, _("Settings saved."))
    return redirect("participation:console", pk=pk)


@login_required
@require_POST
def floor_record(request, pk: int):
    session = office_session(request, pk)
    form = FloorSuggestionForm(request.POST, session=session)
    if form.is_valid():
        try:
            services_comments.floor_suggestion_record(
                actor=request.user,
                session=session,
                text=form.cleaned_data["text"],
                speaker=form.cleaned_data["speaker"],
                entry=form.cleaned_data["entry"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The suggestion from the floor is recorded."))
            return redirect("participation:console", pk=pk)
    return render(
        request, "participation/console.html", _console_context(request, session, floor_form=form), status=400
    )


# ---- moderation --------------------------------------------------------------------------------------------


def _moderation_context(request, session: Session, **extra) -> dict:
    status = request.GET.get("status", "pending")
    if status not in {"pending", "approved", "rejected", "all"}:
        status = "pending"
    return {
        "session": session,
        "status": status,
        "comments": selectors.moderation_queue(session, None if status == "all" else status),
        "counts": selectors.comment_counts(session),
        "statuses": [
            ("pending", _("Awaiting moderation")),
            ("approved", _("Approved")),
            ("rejected", pgettext("comment", "Rejected")),
            ("all", _("All")),
        ],
        **extra,
    }


@login_required
def moderate(request, pk: int):
    session = office_session(request, pk)
    return render(request, "participation/moderate.html", _moderation_context(request, session))


def _office_comment(request, comment_id: int) -> Comment:
    if not is_office(request.user):
        raise PermissionDenied
    return get_object_or_404(
        Comment.objects.select_related("session"),
        pk=comment_id,
        session__federation_id__in=office_federation_ids(request.user),
    )


def _back_to_queue(request, comment: Comment):
    status = request.POST.get("next_status", "pending")
    url = f"/participation/s/{comment.session_id}/moderate/"
    return redirect(f"{url}?status={status}" if status in {"pending", "approved", "rejected", "all"} else url)


@login_required
@require_POST
def comment_moderate(request, comment_id: int):
    comment = _office_comment(request, comment_id)
    form = ModerateForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose approve or reject."))
        services_comments.comment_moderate(
            actor=request.user,
            comment=comment,
            approve=form.cleaned_data["decision"] == "approve",
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        _messages(request, error)
        return render(
            request, "participation/moderate.html", _moderation_context(request, comment.session), status=400
        )
    messages.success(request, _("Saved."))
    return _back_to_queue(request, comment)


@login_required
@require_POST
def comment_answer(request, comment_id: int):
    comment = _office_comment(request, comment_id)
    form = AnswerForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Please write the answer."))
        services_comments.comment_answer(
            actor=request.user, comment=comment, answer=form.cleaned_data["answer"]
        )
    except ValidationError as error:
        _messages(request, error)
        return render(
            request, "participation/moderate.html", _moderation_context(request, comment.session), status=400
        )
    messages.success(request, _("The answer is published with the comment."))
    return _back_to_queue(request, comment)


# ---- abuse report --------------------------------------------------------------------------------------------


@login_required
def abuse(request, pk: int):
    session = office_session(request, pk)
    return render(
        request, "participation/abuse.html", {"session": session, "report": selectors.abuse_report(session)}
    )


# ---- sensitive words and the member roll -------------------------------------------------------------------


def _chosen_federation(request, federations: list[Federation]) -> Federation:
    wanted = query_id(request.POST, "federation") or query_id(request.GET, "federation")
    for f in federations:
        if f.pk == wanted:
            return f
    if not federations:
        raise PermissionDenied
    return federations[0]


@login_required
def words(request):
    federations = _federations(request)
    federation = _chosen_federation(request, federations)
    form = WordForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services_comments.sensitive_word_add(
                    actor=request.user, federation=federation, word=form.cleaned_data["word"]
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Word added."))
                return redirect(f"/participation/words/?federation={federation.pk}")
        status = 400
    return render(
        request,
        "participation/words.html",
        {
            "federations": federations,
            "federation": federation,
            "words": SensitiveWord.objects.filter(federation=federation).order_by("word"),
            "form": form,
        },
        status=status,
    )


@login_required
@require_POST
def word_remove(request, word_id: int):
    if not is_office(request.user):
        raise PermissionDenied
    word = get_object_or_404(SensitiveWord, pk=word_id, federation_id__in=office_federation_ids(request.user))
    services_comments.sensitive_word_remove(actor=request.user, word=word)
    messages.success(request, _("Word removed."))
    return redirect(f"/participation/words/?federation={word.federation_id}")


@login_required
def roll(request):
    federations = _federations(request)
    federation = _chosen_federation(request, federations)
    form = RollImportForm(request.POST or None, request.FILES or None)
    status, errors, report = 200, [], None
    if request.method == "POST":
        if form.is_valid():
            try:
                # parsed before the service's transaction, so other users' writes go on meanwhile
                rows = services_roll.roll_rows(read_upload(form.cleaned_data["file"], import_caps("roll")))
                report = services_roll.roll_import(
                    actor=request.user, federation=federation, rows=rows, replace=form.cleaned_data["replace"]
                )
            except SpreadsheetRefused as error:
                errors = [str(error)]
            except ValidationError as error:
                errors = error.messages
        if report is None:
            status = 400
        else:
            messages.success(
                request,
                _("Roll imported: %(a)s added, %(u)s updated, %(r)s removed.")
                % {"a": report.added, "u": report.updated, "r": report.removed},
            )
            return redirect(f"/participation/roll/?federation={federation.pk}")
    unions = (
        RollMember.objects.filter(federation=federation)
        .values("union__name")
        .annotate(n=Count("id"))
        .order_by("union__name")
    )
    return render(
        request,
        "participation/roll.html",
        {
            "federations": federations,
            "federation": federation,
            "form": form,
            "errors": errors,
            "unions": unions,
            "caps": import_caps("roll"),
        },
        status=status,
    )
