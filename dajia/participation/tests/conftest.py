"""Fixtures for the participation tests: an open session with three projects, a published one, the SMS outbox,
and ``verify`` — a viewer's phone asking for a code, reading it from the test sender and entering it."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext, pgettext

from dajia.core import sms
from dajia.core.validators import normalise_mobile

# Windows so long that no test runs across a boundary; limits high enough for the flows being tested.
RELAXED = {
    "code_ip": (1000, 10**9),
    "code_mobile": (1000, 10**9),
    "code_mobile_burst": (1000, 10**9),
    "verify_ip": (1000, 10**9),
    "vote_ip": (1000, 10**9),
    "vote_viewer": (1000, 10**9),
    "comment_viewer": (1000, 10**9),
    "comment_ip": (1000, 10**9),
    "objection_ip": (1000, 10**9),
}
JSON = {"HTTP_ACCEPT": "application/json"}
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def _sms_and_limits(settings):
    settings.DAJIA_SMS_BACKEND = "dajia.core.sms.LocmemSender"
    settings.DAJIA_PARTICIPATION_LIMITS = dict(RELAXED)
    settings.REDIS_URL = ""
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def zh(msgid: str, context: str | None = None, **values) -> str:
    """A message as a Chinese user reads it (whichever catalogue translates it: the project's or this app's)."""
    with translation.override("zh-hans"):
        text = pgettext(context, msgid) if context else gettext(msgid)
    assert CJK.search(text), f"not translated into Chinese: {msgid!r}"
    return text % values if values else text


def last_code(mobile: str) -> str:
    number = normalise_mobile(mobile)
    for message in reversed(sms.outbox):
        if message.mobile == number:
            return re.search(r"\d{6}", message.text).group(0)
    raise AssertionError(f"no code sent to {mobile}")


def verify(client: Client, session, mobile: str, *, purpose: str = "viewer"):
    """Ask for a code and enter it; returns the verify response (JSON)."""
    sent = client.post(f"/participation/s/{session.pk}/code", {"mobile": mobile, "purpose": purpose}, **JSON)
    assert sent.status_code == 200, sent.content.decode()
    return client.post(
        f"/participation/s/{session.pk}/verify", {"mobile": mobile, "code": last_code(mobile)}, **JSON
    )


def support(client: Client, session, entry, action: str = "add"):
    entry_id = entry.pk if hasattr(entry, "pk") else entry
    return client.post(
        f"/participation/s/{session.pk}/support", {"entry": entry_id, "action": action}, **JSON
    )


@pytest.fixture
def live_session(office_user, federation, provider, other_provider, make_project):
    """An open session (the chair has opened it) with three invited projects and three evaluators."""
    from dajia.consultations.tests.test_services_support import make_session

    session = make_session(
        actor=office_user,
        federation=federation,
        providers=[provider, other_provider],
        make_project=make_project,
        n_projects=3,
    )
    session.entries_list = list(session.entries.order_by("position"))
    return session


@pytest.fixture
def published(federation, make_project, office_user):
    """A published session built by the results side (reveal → publish), its panel named and with numbers."""
    from dajia.consultations import services_results
    from dajia.consultations.tests.test_results_support import (
        GROUPED_PANEL,
        PROJECTS,
        WEIGHTS,
        build_session,
        grouped_sheets,
    )

    session = build_session(
        federation,
        make_project,
        projects=PROJECTS,
        evaluators=GROUPED_PANEL,
        sheets=grouped_sheets(),
        group_weights=WEIGHTS,
        budget="70000",
    )
    for index, evaluator in enumerate(session.panel.values()):
        evaluator.mobile = f"1380000{index:04d}"
        evaluator.save(update_fields=["mobile"])
    services_results.session_reveal(actor=office_user, session=session)
    services_results.session_publish(actor=office_user, session=session)
    session.refresh_from_db()
    return session
