"""``dajia.asgi:application`` with the SSE fast path, as dajia/asgi.py will have it once wired."""

from dajia.asgi import application as django_application
from dajia.live.asgi import with_live_streams

application = with_live_streams(django_application)
