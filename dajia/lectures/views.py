"""The lectures' pages for people with an account: the list (with the office's export), the topic menu, a
request, a lecture with its schedule, delivery, cancellation, QR code and attendees. Thin: the selectors say who
sees what, the services write. The attendee's phone (no account) is ``views_signin``."""

from __future__ import annotations

import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dajia.accounts.forms import apply_service_errors
from dajia.accounts.permissions import (
    enterprise_contact_ids,
    is_office,
    object_in_scope,
    office_federation_ids,
    office_object,
    office_scope,
    park_office_ids,
)
from dajia.core.siteurl import absolute_url
from dajia.core.validators import mask_name
from dajia.core.xlsx import Book, Column, moment_text, xlsx_response
from dajia.lectures import selectors, services
from dajia.lectures.forms import CancelForm, RequestForm, ScheduleForm, TopicForm
from dajia.lectures.models import Lecture, Topic
from dajia.orgs.models import Enterprise, Park


def _where(user) -> Q | None:
    return selectors.visible_filter(user) if user.is_authenticated else None


@login_required
def home(request):
    where = _where(request.user)
    if where is None:
        raise PermissionDenied
    lectures = selectors.for_list(Lecture.objects.filter(where)).order_by("-created_at", "-id")
    return render(
        request,
        "lectures/home.html",
        {
            "lectures": list(lectures[:200]),
            "may_request": selectors.may_request(request.user),
            "is_office": is_office(request.user),
        },
    )


# ---- the topic menu ------------------------------------------------------------------------------------------


def _menu_federations(user) -> set[int]:
    ids = set(office_federation_ids(user))
    ids |= set(Park.objects.filter(pk__in=park_office_ids(user)).values_list("federation_id", flat=True))
    ids |= set(
        Enterprise.objects.filter(pk__in=enterprise_contact_ids(user)).values_list("federation_id", flat=True)
    )
    return ids


@login_required
def topics(request):
    if _where(request.user) is None:
        raise PermissionDenied
    office = is_office(request.user)
    form = TopicForm(request.POST or None) if office else None
    status = 200
    if request.method == "POST":
        if not office:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.topic_save(
                    actor=request.user, federation_id=_own_federation(request.user), **form.cleaned_data
                )
            except ValidationError as e:
                apply_service_errors(form, e)
            else:
                messages.success(request, _("The topic is on the menu."))
                return redirect("lectures:topics")
        status = 400
    rows = selectors.menu(_menu_federations(request.user), active_only=not office)
    return render(request, "lectures/topics.html", {"topics": list(rows), "form": form}, status=status)


def _own_federation(user) -> int:
    """The federation an office adds topics to: the one its role row names (the first, for a superuser)."""
    from dajia.accounts.models import Role

    row = user.roles.filter(role=Role.OFFICE, federation__isnull=False).order_by("pk").first()
    return row.federation_id if row else min(office_federation_ids(user))


@login_required
def topic_edit(request, pk: int):
    topic = office_object(request.user, Topic.objects.all(), pk=pk)
    initial = {f: getattr(topic, f) for f in ("specialty", "title", "summary", "minutes", "active")}
    form = TopicForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.topic_save(
                    actor=request.user, federation_id=topic.federation_id, topic=topic, **form.cleaned_data
                )
            except ValidationError as e:
                apply_service_errors(form, e)
            else:
                messages.success(request, _("The topic was saved."))
                return redirect("lectures:topics")
        status = 400
    return render(request, "lectures/topic_edit.html", {"topic": topic, "form": form}, status=status)


# ---- a request ---------------------------------------------------------------------------------------------


@login_required
def request_new(request):
    user = request.user
    if not selectors.may_request(user):
        raise PermissionDenied
    parks = list(Park.objects.filter(pk__in=park_office_ids(user)))
    enterprises = list(Enterprise.objects.filter(pk__in=enterprise_contact_ids(user), park__isnull=False))
    menu = list(selectors.menu(_menu_federations(user)))
    form = RequestForm(request.POST or None, topics=menu, parks=parks, enterprises=enterprises)
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            topic = next(t for t in menu if t.pk == data.pop("topic"))
            enterprise_id, park_id = data.pop("enterprise", None), data.pop("park", None)
            enterprise = next((e for e in enterprises if e.pk == enterprise_id), None)
            park = next((p for p in parks if p.pk == park_id), parks[0] if parks else None)
            try:
                lecture = services.lecture_request(
                    actor=user, topic=topic, park=None if enterprise else park, enterprise=enterprise, **data
                )
            except ValidationError as e:
                apply_service_errors(form, e)
            else:
                messages.success(request, _("Your request was sent. You will be told when it is scheduled."))
                return redirect("lectures:detail", pk=lecture.pk)
        return render(request, "lectures/request.html", {"form": form}, status=400)
    return render(request, "lectures/request.html", {"form": form})


# ---- a lecture ---------------------------------------------------------------------------------------------


def _lecture(request, pk: int) -> Lecture:
    return object_in_scope(selectors.for_list(Lecture.objects.all()), _where(request.user), pk=pk)


def _detail(request, lecture: Lecture, *, status: int = 200, **forms):
    user = request.user
    schedule = selectors.can_schedule(user, lecture)
    speaker = selectors.is_speaker(user, lecture)
    live = lecture.status in services.SIGNIN_STATES
    initial = (
        {
            "starts_at": timezone.localtime(lecture.starts_at).strftime("%Y-%m-%dT%H:%M"),
            "place": lecture.place,
            "capacity": lecture.capacity,
            "speaker": lecture.speaker_id,
        }
        if lecture.starts_at
        else {"place": lecture.place, "capacity": lecture.expected_audience}
    )
    attendees = [
        {"seat": s.seat, "name": mask_name(s.name), "union_name": s.union_name, "signed_at": s.signed_at}
        for s in lecture.signins.all()
    ]
    context = {
        "lecture": lecture,
        "may_schedule": schedule and lecture.status in (Lecture.Status.REQUESTED, Lecture.Status.SCHEDULED),
        "may_deliver": (schedule or speaker) and lecture.status == Lecture.Status.SCHEDULED,
        "may_cancel": lecture.status in (Lecture.Status.REQUESTED, Lecture.Status.SCHEDULED)
        and (schedule or (lecture.requested_by_id == user.pk and lecture.status == Lecture.Status.REQUESTED)),
        "live": live,
        "signin_url": absolute_url(request, reverse("lectures:signin", args=[lecture.signin_token]))
        if live
        else "",
        "attendees": attendees,
        "schedule_form": forms.get("schedule_form")
        or ScheduleForm(initial=initial, speakers=selectors.speakers_for(lecture.park)),
        "cancel_form": forms.get("cancel_form") or CancelForm(prefix="cancel"),
    }
    return render(request, "lectures/detail.html", context, status=status)


@login_required
def detail(request, pk: int):
    return _detail(request, _lecture(request, pk))


@login_required
@require_POST
def schedule(request, pk: int):
    lecture = _lecture(request, pk)
    if not selectors.can_schedule(request.user, lecture):
        raise PermissionDenied
    speakers = list(selectors.speakers_for(lecture.park))
    form = ScheduleForm(request.POST, speakers=speakers)
    if form.is_valid():
        data = dict(form.cleaned_data)
        speaker = next((v for v in speakers if v.pk == data.pop("speaker")), None)
        try:
            services.lecture_schedule(actor=request.user, lecture=lecture, speaker=speaker, **data)
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, _("The lecture is scheduled; the requester and the speaker are told."))
            return redirect("lectures:detail", pk=pk)
    return _detail(request, lecture, status=400, schedule_form=form)


@login_required
@require_POST
def deliver(request, pk: int):
    lecture = _lecture(request, pk)
    try:
        services.lecture_deliver(actor=request.user, lecture=lecture)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return _detail(request, lecture, status=400)
    messages.success(request, _("The lecture is marked delivered."))
    return redirect("lectures:detail", pk=pk)


@login_required
@require_POST
def cancel(request, pk: int):
    lecture = _lecture(request, pk)
    form = CancelForm(request.POST, prefix="cancel")
    if form.is_valid():
        try:
            services.lecture_cancel(actor=request.user, lecture=lecture, **form.cleaned_data)
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, _("The lecture was cancelled; those involved are told."))
            return redirect("lectures:detail", pk=pk)
    return _detail(request, lecture, status=400, cancel_form=form)


@login_required
def qr(request, pk: int):
    lecture = _lecture(request, pk)
    url = absolute_url(request, reverse("lectures:signin", args=[lecture.signin_token]))
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="svg", scale=6, border=2, title=_("Sign-in QR code"))
    response = HttpResponse(buf.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def export(request):
    federations = office_scope(request.user)
    lectures = selectors.for_list(Lecture.objects.filter(federation_id__in=federations)).order_by(
        "-created_at", "-id"
    )
    book = Book()
    sheet = book.sheet(
        _("Lectures"),
        [
            Column(_("Topic"), 28),
            Column(_("Specialty"), 12),
            Column(_("Park"), 20),
            Column(_("Enterprise"), 24),
            Column(_("Status"), 10),
            Column(_("Requested at"), 18),
            Column(_("Starts at"), 18),
            Column(_("Place"), 24),
            Column(_("Speaker"), 16),
            Column(_("Places"), 8),
            Column(_("Expected audience"), 10),
            Column(_("Attendance"), 10),
            Column(_("Delivered at"), 18),
            Column(_("Reason for cancelling"), 24),
        ],
    )
    for lec in lectures.iterator(chunk_size=500):
        sheet.row(
            [
                lec.topic.title,
                lec.topic.get_specialty_display(),
                lec.park.name,
                lec.enterprise.name if lec.enterprise_id else "",
                lec.get_status_display(),
                moment_text(lec.created_at),
                moment_text(lec.starts_at),
                lec.place,
                lec.speaker.user.display_name if lec.speaker_id else "",
                lec.capacity,
                lec.expected_audience,
                lec.attendance,
                moment_text(lec.delivered_at),
                lec.cancel_reason,
            ]
        )
    return xlsx_response(book.bytes(), "普法讲座.xlsx")
