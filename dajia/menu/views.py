"""Pages of the service menu: the public list and details, the provider's workspace, the office's review queue,
and the global categories (edited by the top federation's office, proposed by the others)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dajia.accounts.forms import apply_service_errors
from dajia.accounts.permissions import (
    in_scope,
    is_office,
    is_top_office,
    object_in_scope,
    office_federation_ids,
    provider_ids,
)
from dajia.core import uploads
from dajia.core.inputs import query_page
from dajia.core.xlsx import xlsx_response
from dajia.menu import services
from dajia.menu.exports import menu_xlsx
from dajia.menu.forms import (
    CategoryForm,
    CategoryProposalForm,
    PhotoForm,
    ProjectForm,
    ProposalDecisionForm,
    ReturnForm,
)
from dajia.menu.models import Category, CategoryProposal, ServiceProject
from dajia.menu.selectors import MenuFilter, menu_projects, projects_to_review
from dajia.orgs.models import Provider

PAGE_SIZE = 24


def _menu(request, f: MenuFilter):
    """The published menu of the person's own federation (all of it for a visitor signed out)."""
    return menu_projects(
        f, base=in_scope(ServiceProject.objects.published(), request.user, "provider__federation_id")
    )


def project_list(request):
    f = MenuFilter.from_params(request.GET)
    projects = _menu(request, f)
    page = Paginator(projects, PAGE_SIZE).get_page(query_page(request.GET))
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        "page": page,
        "filter": f,
        "query": query.urlencode(),
        "categories": Category.objects.active(),
        "providers": in_scope(Provider.objects.approved(), request.user).only("id", "name"),
        "formats": ServiceProject.Format.choices,
        "total": page.paginator.count,
    }
    template = "menu/_results.html" if request.headers.get("HX-Request") else "menu/list.html"
    return render(request, template, ctx)


def project_export(request):
    f = MenuFilter.from_params(request.GET)
    stamp = timezone.localtime().strftime("%Y%m%d")
    return xlsx_response(menu_xlsx(_menu(request, f)), f"服务菜单-{stamp}.xlsx")


def _can_see_unpublished(user, project: ServiceProject) -> bool:
    return project.provider_id in provider_ids(
        user
    ) or project.provider.federation_id in office_federation_ids(user)


def project_detail(request, pk: int):
    project = get_object_or_404(ServiceProject.objects.for_list().prefetch_related("photos"), pk=pk)
    published = project.status == ServiceProject.Status.APPROVED and project.provider.status == "approved"
    if not published and not _can_see_unpublished(request.user, project):
        raise Http404
    return render(
        request,
        "menu/detail.html",
        {
            "project": project,
            "published": published,
            "can_review": project.provider.federation_id in office_federation_ids(request.user),
        },
    )


def _own_provider(request) -> Provider:
    ids = provider_ids(request.user)
    if not ids:
        raise PermissionDenied
    return Provider.objects.get(pk=min(ids))


@login_required
def workspace(request):
    provider = _own_provider(request)
    projects = provider.projects.select_related("category").order_by("-updated_at")
    return render(request, "menu/workspace.html", {"provider": provider, "projects": projects})


def _form_to_fields(form: ProjectForm) -> dict:
    data = dict(form.cleaned_data)
    return data


@login_required
def project_create(request):
    provider = _own_provider(request)
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(actor=request.user, provider=provider, **_form_to_fields(form))
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, _("Project saved as a draft."))
            return redirect("menu:project_edit", pk=project.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "menu/project_form.html", {"form": form, "provider": provider}, status=status)


def _own_project(request, pk: int) -> ServiceProject:
    ids = provider_ids(request.user)
    where = Q(provider_id__in=ids) if ids else None
    return object_in_scope(ServiceProject.objects.select_related("provider", "category"), where, pk=pk)


@login_required
def project_edit(request, pk: int):
    project = _own_project(request, pk)
    form = ProjectForm(request.POST or None, initial=ProjectForm.initial_from(project))
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(actor=request.user, project=project, **_form_to_fields(form))
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, _("Saved."))
            return redirect("menu:project_edit", pk=pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "menu/project_form.html",
        {"form": form, "project": project, "provider": project.provider, "photo_form": PhotoForm()},
        status=status,
    )


@login_required
@require_POST
def project_submit(request, pk: int):
    project = _own_project(request, pk)
    try:
        services.project_submit(actor=request.user, project=project)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect("menu:project_edit", pk=pk)
    messages.success(request, _("Submitted to the union office for review."))
    return redirect("menu:workspace")


@login_required
@require_POST
def project_delete(request, pk: int):
    project = _own_project(request, pk)
    try:
        services.project_delete(actor=request.user, project=project)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect("menu:project_edit", pk=pk)
    messages.success(request, _("Draft deleted."))
    return redirect("menu:workspace")


@login_required
@require_POST
def photo_add(request, pk: int):
    project = _own_project(request, pk)
    form = PhotoForm(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        try:
            services.project_photo_add(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as e:
            apply_service_errors(form, e)
            status = uploads.refusal_status(e)
        else:
            messages.success(request, _("Photo added."))
            return redirect("menu:project_edit", pk=pk)
    if project.is_editable:
        messages.error(request, _("The photo was not added; see below."))
    else:  # the page shows no photo form for a project under review or approved: the reason goes on top
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return render(
        request,
        "menu/project_form.html",
        {
            "form": ProjectForm(initial=ProjectForm.initial_from(project)),
            "project": project,
            "provider": project.provider,
            "photo_form": form,
        },
        status=status,
    )


@login_required
def review_queue(request):
    if not is_office(request.user):
        raise PermissionDenied
    projects = projects_to_review(request.user).for_list()
    return render(request, "menu/review_queue.html", {"projects": projects, "return_form": ReturnForm()})


@login_required
@require_POST
def project_review(request, pk: int):
    project = get_object_or_404(ServiceProject.objects.select_related("provider"), pk=pk)
    approve = request.POST.get("decision") == "approve"
    try:
        services.project_review(
            actor=request.user, project=project, approve=approve, reason=request.POST.get("reason", "")
        )
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect("menu:review_queue")
    messages.success(
        request, (_("Approved: %(t)s") if approve else _("Returned: %(t)s")) % {"t": project.title}
    )
    return redirect("menu:review_queue")


def _categories_page(request, *, form, proposal_form, status: int):
    top = is_top_office(request.user)
    proposals = CategoryProposal.objects.select_related("federation", "proposed_by", "category", "decided_by")
    if top:
        proposals = proposals.filter(status=CategoryProposal.Status.PENDING)
    else:
        proposals = proposals.filter(federation_id__in=office_federation_ids(request.user))
    context = {
        "categories": Category.objects.all(),
        "top": top,
        "form": form,
        "proposal_form": proposal_form,
        "proposals": proposals[:100],
    }
    return render(request, "menu/categories.html", context, status=status)


@login_required
def category_list(request):
    """The categories; the top federation's office adds and edits them, the other offices propose."""
    if not is_office(request.user):
        raise PermissionDenied
    posted = request.method == "POST"
    action = request.POST.get("action", "add")
    form = CategoryForm(request.POST if posted and action == "add" else None)
    proposal_form = CategoryProposalForm(request.POST if posted and action == "propose" else None)
    if posted and action == "add" and form.is_valid():
        services.category_save(actor=request.user, **form.cleaned_data)
        messages.success(request, _("Category added."))
        return redirect("menu:category_list")
    if posted and action == "propose" and proposal_form.is_valid():
        try:
            services.category_propose(actor=request.user, **proposal_form.cleaned_data)
        except ValidationError as e:
            apply_service_errors(proposal_form, e)
        else:
            messages.success(request, _("Proposal sent to the top federation's office."))
            return redirect("menu:category_list")
    return _categories_page(request, form=form, proposal_form=proposal_form, status=400 if posted else 200)


@login_required
def category_edit(request, pk: int):
    if not is_top_office(request.user):
        raise PermissionDenied
    category = get_object_or_404(Category, pk=pk)
    form = CategoryForm(request.POST or None, instance=category)
    if request.method == "POST" and form.is_valid():
        services.category_save(actor=request.user, category=Category.objects.get(pk=pk), **form.cleaned_data)
        messages.success(request, _("Saved."))
        return redirect("menu:category_list")
    status = 400 if request.method == "POST" else 200
    return render(request, "menu/category_edit.html", {"form": form, "category": category}, status=status)


@login_required
@require_POST
def category_proposal_decide(request, pk: int):
    if not is_top_office(request.user):
        raise PermissionDenied
    proposal = get_object_or_404(CategoryProposal, pk=pk)
    form = ProposalDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to accept or decline the proposal."))
        return _categories_page(
            request, form=CategoryForm(), proposal_form=CategoryProposalForm(), status=400
        )
    try:
        services.category_proposal_decide(actor=request.user, proposal=proposal, **form.cleaned_data)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return _categories_page(
            request, form=CategoryForm(), proposal_form=CategoryProposalForm(), status=400
        )
    messages.success(
        request,
        (_("Accepted: %(name)s") if form.cleaned_data["accept"] else _("Declined: %(name)s"))
        % {"name": proposal.name_zh},
    )
    return redirect("menu:category_list")
