import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dajia.settings")
application = get_asgi_application()

# Live streams (SSE) bypass Django's middleware chain: no thread per open stream, about 15 KB each.
# Every other request, and every error case of the live URLs, is Django's.
from dajia.live.asgi import with_live_streams  # noqa: E402 - after the settings are configured

application = with_live_streams(application)

# The hot requests of a live session (the viewers' supports, the phones' sheets, the big screen's figures)
# bypass Django's request cycle at the edge, which queues them for the batch services: group commit, each
# answered after its commit with the view's own answer (dajia/live/edge.py).
from dajia.live.edge import with_fast_paths  # noqa: E402

application = with_fast_paths(application)
