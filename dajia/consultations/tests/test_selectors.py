"""The result to show (``selectors.result_to_show``) and the digest a publication carries."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dajia.consultations import selectors, services_results
from dajia.consultations.models import PublishedResult, Score, Session
from dajia.consultations.results import ScoringError, result_data, session_tally
from dajia.consultations.tests.test_results_support import make_grouped_session
from dajia.scoring import engine

pytestmark = pytest.mark.django_db


@pytest.fixture
def grouped_session(federation, make_project):
    return make_grouped_session(federation, make_project)


def _publish(session, office_user) -> PublishedResult:
    services_results.session_reveal(actor=office_user, session=session)
    return services_results.session_publish(actor=office_user, session=session)


def test_before_publication_the_live_tally_is_shown(grouped_session):
    data, published = selectors.result_to_show(grouped_session)
    assert published is None
    assert data == result_data(session_tally(grouped_session)[1])


def test_once_published_the_frozen_payload_is_shown_not_a_new_tally(grouped_session, office_user):
    stored = _publish(grouped_session, office_user)
    # A score changed behind the publication's back (e.g. a restore gone wrong) must not change what is shown.
    Score.objects.filter(sheet__entry__session=grouped_session).update(value=Decimal("1"))
    data, published = selectors.result_to_show(Session.objects.get(pk=grouped_session.pk))
    assert published == stored
    assert data == stored.payload
    assert data != result_data(session_tally(grouped_session)[1])


def test_an_unpublished_session_that_cannot_be_tallied_says_why(grouped_session):
    Session.objects.filter(pk=grouped_session.pk).update(group_weights={"政协委员": "0.4"})
    with pytest.raises(ScoringError) as caught:
        selectors.result_to_show(Session.objects.get(pk=grouped_session.pk))
    assert caught.value.code
    assert selectors.published_result(grouped_session) is None


def test_the_published_digest_is_the_engines(grouped_session, office_user, monkeypatch):
    calls = []
    real = engine.digest

    def spy(criteria, sheets):
        calls.append(criteria)
        return real(criteria, sheets)

    monkeypatch.setattr(engine, "digest", spy)
    published = _publish(grouped_session, office_user)
    _, context = session_tally(grouped_session)
    assert calls, "session_publish must ask the engine for the digest"
    assert published.digest == real(context.engine_criteria, context.tally.counted)
    assert published.payload["digest"] == published.digest
