"""The WSGI application (gunicorn under ``dajia serve``; ``runserver``): Django, with public media in front."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dajia.settings")
application = get_wsgi_application()

# Project photos are public and uploaded while the server runs: served here, before Django (dajia/core/media.py).
from dajia.core.media import with_public_media  # noqa: E402 - after the settings are configured

application = with_public_media(application)
