"""The JSON API (django-ninja). Its OpenAPI schema is served at /api/openapi.json, docs at /api/docs."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

api = NinjaAPI(
    title="大家 Dajia API",
    version="1",
    description="工会购买服务协商平台接口 / Dajia trade-union service purchasing API",
    urls_namespace="api",
)


@api.exception_handler(ValidationError)
def django_validation_error(request, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        detail = {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
    else:
        detail = {"__all__": [str(m) for m in exc.messages]}
    message = "；".join(m for msgs in detail.values() for m in msgs)
    return api.create_response(request, {"detail": message, "errors": detail}, status=400)


@api.exception_handler(NinjaValidationError)
def ninja_validation_error(request, exc: NinjaValidationError):
    return api.create_response(
        request, {"detail": "请求数据格式有误 / Invalid request data", "errors": exc.errors}, status=422
    )


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return api.create_response(request, {"detail": "无权操作 / Not allowed"}, status=403)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "未找到 / Not found"}, status=404)


@api.exception_handler(AuthenticationError)
def unauthorized(request, exc):
    return api.create_response(
        request, {"detail": "请先登录或提供令牌 / Authentication required"}, status=401
    )


def _register_routers() -> None:
    from dajia.menu.api import router as menu_router

    api.add_router("/menu", menu_router)
    try:
        from dajia.consultations.api import router as consultations_router
    except ImportError:
        return
    api.add_router("/sessions", consultations_router)


_register_routers()
