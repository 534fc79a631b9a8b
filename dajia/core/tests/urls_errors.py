"""The site's URLs and error handlers (dajia/urls.py) plus views that fail, for dajia/core/tests/test_errors.py."""

from django.core.exceptions import SuspiciousOperation
from django.urls import path

from dajia.urls import handler400, handler403, handler404, handler500
from dajia.urls import urlpatterns as site_patterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def fails(request):
    raise RuntimeError("a bug in a view")


def suspicious(request):
    raise SuspiciousOperation("a malformed request")


urlpatterns = [path("test-fails/", fails), path("test-suspicious/", suspicious), *site_patterns]
