"""Dajia's settings as the benchmark servers run them: production settings, with the participation rate limits
"set for the test" (``vote_ip`` counts every request from 127.0.0.1 as one venue Wi-Fi address: without a
higher limit the load generator would be refused after 900 supports; the per-viewer limit stays as shipped)."""

import os

from dajia.settings import *  # noqa: F403

DAJIA_PARTICIPATION_LIMITS = {
    "vote_ip": (10**9, 600),
}

# Two runs sharing this machine's Redis must not see each other's events.
DAJIA_LIVE_REDIS_PREFIX = os.environ.get("DAJIA_BENCH_REDIS_PREFIX") or "dajia-bench:"
