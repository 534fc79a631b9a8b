"""Needs API (mounted at /api/needs): list and read public needs, suggest a category and find similar needs,
raise and support needs, and the demand ranking."""

import datetime

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from dajia.accounts.permissions import in_scope, scope_federation_ids
from dajia.api.auth import session_or_token
from dajia.core.ratelimit import RateLimited
from dajia.needs import selectors, services
from dajia.needs.learning import web_suggester
from dajia.needs.models import Need
from dajia.orgs.models import Federation, Park, Union

router = Router(tags=["needs"])


class NeedOut(Schema):
    id: int
    text: str
    status: str
    category_code: str | None = Field(None, alias="category.code")
    category_name: str | None = Field(None, alias="category.name_zh")
    federation_id: int
    union_id: int | None
    union_name: str | None = Field(None, alias="union.name")
    park_id: int | None
    supporters: int = Field(0, alias="support_count")
    created_at: datetime.datetime
    merged_into_id: int | None = None


class NeedQuery(Schema):
    q: str = ""
    category: int | None = None
    status: str = ""
    union: int | None = None
    federation: int | None = None
    sort: str = "support"


class NeedIn(Schema):
    text: str = Field(..., max_length=600)
    union: int | None = None
    park: int | None = None
    voice: str = "worker"
    anonymous: bool = False
    category: int | None = None


class SuggestIn(Schema):
    text: str = Field(..., max_length=600)
    union: int | None = None
    park: int | None = None


class CategoryGuess(Schema):
    code: str
    name: str
    score: float
    matched: list[str]


class SimilarOut(Schema):
    id: int
    text: str
    score: float
    supporters: int
    status: str


class SuggestOut(Schema):
    category: CategoryGuess | None
    candidates: list[CategoryGuess]
    similar: list[SimilarOut]


class SupportOut(Schema):
    need_id: int
    supporters: int
    supported: bool


class RankingRow(Schema):
    rank: int
    category_code: str
    category_name: str
    needs: int
    supports: int
    survey_points: float
    demand: float


class Detail(Schema):
    detail: str


def _guess(s) -> dict:
    return {"code": s.code, "name": s.name, "score": s.score, "matched": list(s.matched)}


@router.get("/needs", response=list[NeedOut], summary="公开的需求 / Public needs")
@paginate(LimitOffsetPagination)
def list_needs(request, filters: Query[NeedQuery]):
    f = selectors.NeedFilter.from_params(
        {k: ("" if v is None else str(v)) for k, v in filters.dict().items()}
    )
    # Signed in, the list is that person's federation's, as on the web page.
    return selectors.need_list(f, base=in_scope(Need.objects.public(), request.user))


@router.get("/needs/{need_id}", response=NeedOut, summary="需求详情 / One need")
def get_need(request, need_id: int):
    return get_object_or_404(Need.objects.public().select_related("category", "union"), pk=need_id)


@router.post(
    "/suggest", response=SuggestOut, summary="推荐类别并查找相似需求 / Suggest a category, find similar needs"
)
def suggest(request, payload: SuggestIn):
    text = payload.text.strip()
    ranked = web_suggester().rank(text)
    best = web_suggester().suggest(text)
    scope = scope_federation_ids(request.user)  # no union or park named: the person's own federations
    if payload.union:
        scope = set(Union.objects.filter(pk=payload.union).values_list("federation_id", flat=True))
    elif payload.park:
        scope = set(Park.objects.filter(pk=payload.park).values_list("federation_id", flat=True))
    similar = selectors.similar_needs(text, federation_ids=scope) if len(text) >= services.MIN_LENGTH else []
    return {
        "category": _guess(best) if best else None,
        "candidates": [_guess(s) for s in ranked[:3]],
        "similar": [
            {
                "id": s.need.pk,
                "text": s.need.text,
                "score": s.score,
                "supporters": s.need.support_count,
                "status": s.need.status,
            }
            for s in similar
        ],
    }


@router.post(
    "/needs",
    response={201: NeedOut, 429: Detail},
    auth=session_or_token,
    summary="提出需求 / Raise a need",
)
def create_need(request, payload: NeedIn):
    # Only the unions and parks the need form offers this person (another federation's are not found).
    union = (
        get_object_or_404(in_scope(Union.objects, request.auth), pk=payload.union) if payload.union else None
    )
    park = get_object_or_404(in_scope(Park.objects, request.auth), pk=payload.park) if payload.park else None
    try:
        need = services.need_create(
            actor=request.auth,
            text=payload.text,
            union=union,
            park=park,
            voice=payload.voice,
            anonymous=payload.anonymous,
            category=payload.category,
        )
    except RateLimited as e:
        return Status(429, {"detail": " ".join(e.messages)})
    out = Need.objects.select_related("category", "union").get(pk=need.pk)
    return Status(201, out)


def _support_out(need: Need, user) -> dict:
    need = Need.objects.get(pk=need.pk)
    return {
        "need_id": need.pk,
        "supporters": need.support_count,
        "supported": need.supports.filter(user=user).exists(),
    }


@router.post(
    "/needs/{need_id}/support",
    response={200: SupportOut, 429: Detail},
    auth=session_or_token,
    summary="附议 / Support a need",
)
def support_need(request, need_id: int):
    need = get_object_or_404(Need.objects.public(), pk=need_id)
    try:
        support = services.need_support(actor=request.auth, need=need)
    except RateLimited as e:
        return Status(429, {"detail": " ".join(e.messages)})
    return _support_out(support.need, request.auth)


@router.delete(
    "/needs/{need_id}/support", response=SupportOut, auth=session_or_token, summary="撤回附议 / Withdraw"
)
def unsupport_need(request, need_id: int):
    need = get_object_or_404(Need, pk=need_id)
    services.need_unsupport(actor=request.auth, need=need)
    return _support_out(need, request.auth)


@router.get("/ranking", response=list[RankingRow], summary="需求热度排行 / Demand ranking")
def ranking(request, federation: int, union: int | None = None):
    fed = get_object_or_404(Federation, pk=federation)
    ids = fed.descendant_ids()
    if union is not None and not Union.objects.filter(pk=union, federation_id__in=ids).exists():
        raise PermissionDenied
    return [
        {
            "rank": r.rank,
            "category_code": r.category.code,
            "category_name": r.category.name_zh,
            "needs": r.needs,
            "supports": r.supports,
            "survey_points": round(float(r.survey), 2),
            "demand": round(float(r.score), 2),
        }
        for r in selectors.demand_ranking(ids, union_id=union)
    ]
