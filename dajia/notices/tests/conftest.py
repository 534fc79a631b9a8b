"""The 公示 tests use the participation fixtures (published session, SMS outbox, relaxed limits) and the
agreements fixtures (a published session with agreements to sign)."""

from dajia.agreements.tests.fixtures import projects, published_session  # noqa: F401
from dajia.participation.tests.conftest import _sms_and_limits, live_session, published  # noqa: F401
