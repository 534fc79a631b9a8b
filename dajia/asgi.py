import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dajia.settings")
application = get_asgi_application()

# Live streams (SSE) bypass Django's middleware chain: no thread per open stream, about 15 KB each.
# Every other request, and every error case of the live URLs, is Django's.
from dajia.live.asgi import with_live_streams  # noqa: E402 - after the settings are configured

application = with_live_streams(application)

# The hot requests of a live session (phones' sheets and supports, the big screen's figures) bypass Django too,
# sharing its validation; they write in groups, each answered after its commit (dajia/consultations/fastpath.py).
from dajia.consultations.fastpath import with_fast_paths  # noqa: E402

application = with_fast_paths(application)
