from django.conf import settings


class SecurityHeadersMiddleware:
    """A Content-Security-Policy without inline scripts: every script is a static file."""

    def __init__(self, get_response):
        self.get_response = get_response
        frame_ancestors = getattr(settings, "DAJIA_FRAME_ANCESTORS", "'none'")
        self.csp = (
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data: blob:; media-src 'self' blob: https:; connect-src 'self'; "
            f"frame-src 'self' https:; frame-ancestors {frame_ancestors}; base-uri 'self'; form-action 'self'"
        )

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
        return response
