"""The JSON API (django-ninja). Its OpenAPI schema is served at /api/openapi.json, docs at /api/docs."""

from __future__ import annotations

from importlib import import_module

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


# Each domain app may offer an ``api.py`` with a ``router``; it is mounted under its prefix here.
API_ROUTERS = {
    "menu": "dajia.menu.api",
    "sessions": "dajia.consultations.api",
    "participation": "dajia.participation.api",
    "needs": "dajia.needs.api",
    "agreements": "dajia.agreements.api",
    "orders": "dajia.orders.api",
    "ledger": "dajia.ledger.api",
}


def _register_routers() -> None:
    for prefix, module_name in API_ROUTERS.items():
        try:
            module = import_module(module_name)
        except ModuleNotFoundError as e:
            if e.name is None or not module_name.startswith(e.name):
                raise
            continue
        api.add_router(f"/{prefix}", module.router)


_register_routers()
