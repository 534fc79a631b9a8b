"""Fault tests: real server processes (gunicorn, uvicorn) killed, cut off from PostgreSQL or from Redis while a
session is running, and the promise kept: a write acknowledged with a 2xx is never lost, the server recovers
without a restart, live pages keep updating.

Not a Django app: a package of tests (``test_*.py``) and the harness they share (``harness.py``). They run with
the rest of the suite (``make test``) and alone with ``make faults``, on SQLite and on PostgreSQL (``.ci/run``).
"""
