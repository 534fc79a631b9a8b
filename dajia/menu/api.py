from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from dajia.accounts.permissions import provider_ids
from dajia.api.auth import session_or_token
from dajia.menu import services
from dajia.menu.models import ServiceProject
from dajia.menu.selectors import MenuFilter, menu_projects
from dajia.orgs.models import Provider

router = Router(tags=["menu"])


class CategoryOut(Schema):
    id: int
    code: str
    name_zh: str
    name_en: str


class ProjectOut(Schema):
    id: int
    title: str
    description: str
    category: CategoryOut
    provider_id: int
    provider_name: str = Field(..., alias="provider.name")
    format: str
    audience: str
    duration_minutes: int
    price: Decimal
    capacity: int
    sessions_per_year: int
    areas_served: str
    status: str


class MenuQuery(Schema):
    q: str = ""
    category: int | None = None
    format: str = ""
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    provider: int | None = None


class ProjectIn(Schema):
    category: int
    title: str = Field(..., max_length=100)
    description: str
    format: str = "offline"
    audience: str = Field(..., max_length=200)
    duration_minutes: int = 90
    # A string so that the service gives its own clear message for 12.345 or -1.
    price: str
    capacity: int
    sessions_per_year: int
    areas_served: str = ""


class ProjectPatch(Schema):
    category: int | None = None
    title: str | None = Field(None, max_length=100)
    description: str | None = None
    format: str | None = None
    audience: str | None = Field(None, max_length=200)
    duration_minutes: int | None = None
    price: str | None = None
    capacity: int | None = None
    sessions_per_year: int | None = None
    areas_served: str | None = None


@router.get("/projects", response=list[ProjectOut], summary="菜单项目列表 / Menu projects")
@paginate(LimitOffsetPagination)
def list_projects(request, filters: Query[MenuQuery]):
    f = MenuFilter.from_params({k: ("" if v is None else str(v)) for k, v in filters.dict().items()})
    return menu_projects(f)


@router.get("/projects/{project_id}", response=ProjectOut, summary="菜单项目详情 / Menu project detail")
def get_project(request, project_id: int):
    return get_object_or_404(ServiceProject.objects.published().for_list(), pk=project_id)


@router.get("/mine", response=list[ProjectOut], auth=session_or_token, summary="我的项目 / My projects")
def my_projects(request):
    return ServiceProject.objects.filter(provider_id__in=provider_ids(request.auth)).for_list()


@router.post(
    "/mine", response={201: ProjectOut}, auth=session_or_token, summary="新建项目 / Create a project"
)
def create_project(request, payload: ProjectIn):
    ids = provider_ids(request.auth)
    if not ids:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    provider = Provider.objects.get(pk=min(ids))
    project = services.project_create(actor=request.auth, provider=provider, **payload.dict())
    return Status(201, ServiceProject.objects.for_list().get(pk=project.pk))


@router.patch(
    "/mine/{project_id}", response=ProjectOut, auth=session_or_token, summary="修改项目 / Update a project"
)
def update_project(request, project_id: int, payload: ProjectPatch):
    # Another provider's project is reported as missing, not as forbidden: its existence is not theirs to know.
    project = get_object_or_404(ServiceProject, pk=project_id, provider_id__in=provider_ids(request.auth))
    changes = {k: v for k, v in payload.dict().items() if v is not None}
    services.project_update(actor=request.auth, project=project, **changes)
    return ServiceProject.objects.for_list().get(pk=project.pk)


@router.post(
    "/mine/{project_id}/submit",
    response=ProjectOut,
    auth=session_or_token,
    summary="提交审核 / Submit for review",
)
def submit_project(request, project_id: int):
    project = get_object_or_404(ServiceProject, pk=project_id, provider_id__in=provider_ids(request.auth))
    services.project_submit(actor=request.auth, project=project)
    return ServiceProject.objects.for_list().get(pk=project.pk)
