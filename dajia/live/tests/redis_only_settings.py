"""Settings for a test server that can receive events only through Redis: its table polls are a hour apart."""

import os

from dajia.settings import *  # noqa: F403

DAJIA_LIVE_POLL_SECONDS = 3600.0
DAJIA_LIVE_SWEEP_SECONDS = 3600.0
DAJIA_LIVE_REDIS_PREFIX = os.environ["DAJIA_LIVE_TEST_REDIS_PREFIX"]
