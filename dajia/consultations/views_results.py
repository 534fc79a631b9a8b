"""Results pages: the office's results and diagnostics, the public ranking, exports, paper sheets, imports.

Who sees what (PRODUCT.md): individual scores only the office of the session's federation; results the office
at any time (it may check them before the reveal) and everybody else only once the chair has revealed them.
"""

from __future__ import annotations

import uuid
from fractions import Fraction
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from dajia.accounts.permissions import can_manage_federation, office_object
from dajia.consultations import exports, imports, selectors, services_results, services_sheets
from dajia.consultations.models import Conflict, Evaluator, PublishedResult, Session, SessionProject
from dajia.consultations.results import ScoringError, session_tally
from dajia.consultations.results_view import stored_results_view
from dajia.core.forms import Form
from dajia.core.inputs import as_id
from dajia.core.spreadsheets import SpreadsheetRefused
from dajia.core.xlsx import xlsx_response
from dajia.notices.selectors import notice_context
from dajia.scoring import engine


def _session(pk: int) -> Session:
    return get_object_or_404(Session.objects.select_related("federation"), pk=pk)


def _office_session(request, pk: int) -> Session:
    return office_object(request.user, Session.objects.select_related("federation"), pk=pk)


# ---- the office's results page ---------------------------------------------------------------------------


def _results_context(request, session: Session) -> dict:
    published = selectors.published_result(session)
    ctx: dict = {"session": session, "published": published, "error": None, "view": None}
    try:
        view = stored_results_view(session)
    except ScoringError as error:
        ctx["error"] = f"{error.text_zh} / {error.text_en}"
        return ctx
    ctx["view"] = view
    # keys sorted: jsonb keeps no key order, and the page should print the same whether just computed or read
    chart = dict(sorted(view["chart"].items()))
    ctx["chart"] = {**chart, "labels": {"score": _("Score"), "minimum": _("Minimum score")}}
    if published is not None:
        ctx["digest_matches"] = view["digest"] == published.digest
    ctx["can_tie_break"] = session.state in (Session.State.CLOSED, Session.State.REVEALED)
    ctx["provisional"] = session.state in (Session.State.DRAFT, Session.State.OPEN)
    return ctx


def _render_results(request, session: Session, *, status: int = 200):
    return render(request, "consultations/results.html", _results_context(request, session), status=status)


@never_cache
def results(request, pk: int):
    session = _office_session(request, pk)
    return _render_results(request, session)


def _service_post(request, pk: int, call, success: str):
    session = _office_session(request, pk)
    try:
        call(session)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return _render_results(request, _session(pk), status=400)
    messages.success(request, success)
    return redirect("consultations:results", pk=pk)


@require_POST
def results_reveal(request, pk: int):
    return _service_post(
        request,
        pk,
        lambda s: services_results.session_reveal(actor=request.user, session=s),
        _("The results are revealed: the public ranking now shows them."),
    )


@require_POST
def results_publish(request, pk: int):
    return _service_post(
        request,
        pk,
        lambda s: services_results.session_publish(actor=request.user, session=s),
        _("The results are published with their digest and receipt codes."),
    )


@require_POST
def results_tie_break(request, pk: int):
    order = []
    for index in range(1, 100):
        value = request.POST.get(f"place_{index}")
        if value is None:
            break
        order.append(as_id(value) or -1)
    reason = request.POST.get("reason", "")
    return _service_post(
        request,
        pk,
        lambda s: services_results.tie_break_record(
            actor=request.user, session=s, order=order, reason=reason
        ),
        _("The tie-break is recorded beside the result."),
    )


# ---- exports ---------------------------------------------------------------------------------------------


def results_xlsx(request, pk: int):
    """The office's workbook: the summary, and 评分明细 (every counted sheet, the sheet-file format)."""
    session = _office_session(request, pk)
    try:
        _, context = session_tally(session)
    except ScoringError as error:
        return HttpResponse(f"{error.text_zh} / {error.text_en}", status=409, content_type="text/plain")
    stamp = timezone.localtime().strftime("%Y%m%d")
    return xlsx_response(exports.results_xlsx(context), f"评审结果-{session.pk}-{stamp}.xlsx")


def results_report_pdf(request, pk: int):
    """The printable report: office at any time, everybody once revealed (it holds no individual score)."""
    session = _session(pk)
    if not session.results_public and not can_manage_federation(request.user, session.federation_id):
        raise Http404
    try:
        data, published = selectors.result_to_show(session)
    except ScoringError as error:
        return HttpResponse(f"{error.text_zh} / {error.text_en}", status=409, content_type="text/plain")
    response = HttpResponse(exports.report_pdf(session, data, published), content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(f'评审结果报告-{session.pk}.pdf')}"
    return response


# ---- the public ranking ----------------------------------------------------------------------------------


def ranking_data(session: Session) -> tuple[dict | None, PublishedResult | None]:
    """What the public sees: the published payload once published, the live result once revealed, else
    nothing."""
    if not session.results_public:
        return None, None
    try:
        return selectors.result_to_show(session)
    except ScoringError:
        return None, None


def _public_chart(data: dict) -> dict:
    return {
        "names": [p["title"] for p in data["projects"]],
        "scores": [p["score"] for p in data["projects"]],
        "selected": [p["selected"] for p in data["projects"]],
        "minimum": data["minimum_score"],
        "max": engine.decimal_text(sum(Fraction(c["max"]) for c in data["criteria"])),
        "labels": {"score": _("Score"), "minimum": _("Minimum score")},
    }


@never_cache
def ranking(request, pk: int):
    session = _session(pk)
    data, published = ranking_data(session)
    return render(
        request,
        "consultations/ranking.html",
        {
            "session": session,
            "data": data,
            "chart": _public_chart(data) if data else None,
            "published": published,
            "is_office": can_manage_federation(request.user, session.federation_id),
        },
    )


@never_cache
def ranking_partial(request, pk: int):
    session = _session(pk)
    data, published = ranking_data(session)
    return render(
        request,
        "consultations/ranking_partial.html",
        {"session": session, "data": data, "published": published},
    )


@never_cache
def notice(request, pk: int):
    """The 公示 notice of a published result: selected projects, amounts, the ranking, the objection window,
    the digest. No personal data: the panel appears as counts per group."""
    session = _session(pk)
    published = selectors.published_result(session)
    if published is None:
        raise Http404
    groups = (
        Evaluator.objects.filter(session=session).values("group").annotate(n=Count("id")).order_by("group")
    )
    data = published.payload
    return render(
        request,
        "consultations/notice.html",
        {
            "session": session,
            "published": published,
            "data": data,
            "selected": [p for p in data["projects"] if p["selected"]],
            "groups": list(groups),
            "panel_size": sum(g["n"] for g in groups),
            **notice_context(session),  # the 公示 window and objections (dajia.notices)
        },
    )


# ---- paper sheets ----------------------------------------------------------------------------------------


class PaperSheetForm(Form):
    evaluator = forms.ModelChoiceField(queryset=Evaluator.objects.none(), label=gettext_lazy("Evaluator"))
    entry = forms.ModelChoiceField(queryset=SessionProject.objects.none(), label=gettext_lazy("Project"))
    submission_id = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, session: Session, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        self.criteria = list(session.criteria.order_by("position", "id"))
        self.fields["evaluator"].queryset = Evaluator.objects.filter(session=session).order_by(
            "group", "name"
        )
        self.fields["evaluator"].label_from_instance = lambda e: (
            f"{e.name}（{e.group}）" if e.group else e.name
        )
        self.fields["entry"].queryset = SessionProject.objects.filter(session=session).select_related(
            "project"
        )
        self.fields["entry"].label_from_instance = lambda e: f"{e.position}. {e.project.title}"
        for criterion in self.criteria:
            top = f"{criterion.max_points.normalize():f}"
            self.fields[f"c{criterion.pk}"] = forms.CharField(
                label=f"{criterion.name}（0–{top}）",
                required=False,
                max_length=10,
                help_text=_("Leave blank if not scored; at most one decimal."),
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            )

    def clean(self):
        cleaned = super().clean()
        # The scores are read once, by services_sheets.sheet_submit; its refusals land on their fields.
        evaluator, entry = cleaned.get("evaluator"), cleaned.get("entry")
        if evaluator and entry and Conflict.objects.filter(evaluator=evaluator, entry=entry).exists():
            self.add_error(
                None,
                _("%(name)s declared a conflict of interest for this project and cannot score it.")
                % {"name": evaluator.name},
            )
        return cleaned

    def scores(self) -> dict[int, str]:
        return {c.pk: self.cleaned_data.get(f"c{c.pk}") for c in self.criteria}


def paper_entry(request, pk: int):
    session = _office_session(request, pk)
    form = PaperSheetForm(
        request.POST or None, session=session, initial={"submission_id": f"paper-{uuid.uuid4().hex}"}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                result = services_sheets.paper_sheet_enter(
                    actor=request.user,
                    session=session,
                    evaluator=form.cleaned_data["evaluator"],
                    entry=form.cleaned_data["entry"],
                    scores=form.scores(),
                    submission_id=form.cleaned_data["submission_id"],
                )
            except ValidationError as error:
                _apply_sheet_errors(form, error)
            else:
                state = _("complete") if result.sheet.complete else _("incomplete (a criterion is blank)")
                messages.success(
                    request,
                    _("Paper sheet of %(name)s for %(title)s saved (%(state)s), receipt %(receipt)s.")
                    % {
                        "name": result.sheet.evaluator.name,
                        "title": result.sheet.entry.project.title,
                        "state": state,
                        "receipt": result.receipt,
                    },
                )
                return redirect("consultations:paper_entry", pk=pk)
        status = 400
    return render(
        request,
        "consultations/paper_entry.html",
        {"session": session, "form": form, "open_for_entry": _open_for_entry(session)},
        status=status,
    )


def _open_for_entry(session: Session) -> bool:
    return session.state in (Session.State.OPEN, Session.State.CLOSED)


def _apply_sheet_errors(form: PaperSheetForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for key, msgs in error.message_dict.items():
            field = f"c{key}" if f"c{key}" in form.fields else (key if key in form.fields else None)
            form.add_error(field, msgs)
    else:
        form.add_error(None, error.messages)


# ---- imports ---------------------------------------------------------------------------------------------


class ImportForm(Form):
    file = forms.FileField(
        label=gettext_lazy("Sheet file (.csv in UTF-8, or .xlsx)"),
        help_text=gettext_lazy(
            "Header: 评委,分组,项目 (or evaluator,group,project), then one column per criterion written "
            "name(max). One row per sheet; a blank score means not scored."
        ),
    )
    replace = forms.BooleanField(label=gettext_lazy("Replace existing sheets that differ"), required=False)


def _example_file(session: Session) -> str:
    """A two-line example of the sheet file for this session (header and one made-up row)."""
    criteria = list(session.criteria.order_by("position", "id"))
    evaluator = Evaluator.objects.filter(session=session).order_by("group", "id").first()
    entry = SessionProject.objects.filter(session=session).select_related("project").first()
    header = ["评委", "分组", "项目", *(f"{c.name}({engine.decimal_text(c.max_points)})" for c in criteria)]
    row = [
        evaluator.name if evaluator else "张三",
        evaluator.group if evaluator else "",
        entry.project.title if entry else "…",
        *(engine.decimal_text(engine.round_half_up(Fraction(c.max_points) * 4 / 5, 1)) for c in criteria),
    ]
    return ",".join(header) + "\n" + ",".join(row)


def sheets_import(request, pk: int):
    session = _office_session(request, pk)
    form = ImportForm()
    ctx: dict = {
        "session": session,
        "form": form,
        "open_for_entry": _open_for_entry(session),
        "example": _example_file(session),
        "caps": imports.caps(),
    }
    if request.method != "POST":
        return render(request, "consultations/import.html", ctx)

    if "confirm" in request.POST:
        sha = request.POST.get("sha256", "")
        stored = imports.preview_load(request, session, sha)
        replace = request.POST.get("replace") == "1"
        if stored is None:
            messages.error(request, _("The checked file is no longer available; please choose it again."))
            return render(request, "consultations/import.html", ctx, status=400)
        data, filename = stored
        try:
            report = services_results.sheets_import(
                actor=request.user, session=session, data=data, filename=filename, replace=replace
            )
        except ValidationError as error:
            ctx["errors"] = error.messages
            return render(request, "consultations/import.html", ctx, status=400)
        imports.preview_clear(request)
        messages.success(
            request,
            _("Imported %(file)s: %(new)s new, %(changed)s changed, %(same)s unchanged sheets.")
            % {"file": filename, "new": report.new, "changed": report.changed, "same": report.unchanged},
        )
        return redirect("consultations:results", pk=pk)

    form = ImportForm(request.POST, request.FILES)
    ctx["form"] = form
    if not form.is_valid():
        return render(request, "consultations/import.html", ctx, status=400)
    upload = form.cleaned_data["file"]
    try:
        data = imports.checked_upload(upload)
    except SpreadsheetRefused as error:
        ctx["errors"] = [str(error)]
        return render(request, "consultations/import.html", ctx, status=400)
    replace = form.cleaned_data["replace"]
    try:
        report = services_results.sheets_import(
            actor=request.user,
            session=session,
            data=data,
            filename=upload.name,
            replace=replace,
            commit=False,
        )
    except ValidationError as error:
        ctx["errors"] = error.messages
        return render(request, "consultations/import.html", ctx, status=400)
    imports.preview_store(request, session, data, upload.name)
    ctx.update({"report": report, "replace": replace})
    return render(request, "consultations/import.html", ctx)
