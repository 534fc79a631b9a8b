"""One verified person, one voice: at most K supports per number, whatever the device; unverified requests
refused; supports change until the session closes; the counters follow every change."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from dajia.consultations import services_console
from dajia.participation import identity, services_supports
from dajia.participation.models import LiveSettings, Support, SupportCount, Viewer
from dajia.participation.selectors import audience_index
from dajia.participation.tests.conftest import JSON, support, verify, zh

AT_MOST = "You can support at most %(k)d projects. Withdraw one of them to support another."

pytestmark = pytest.mark.django_db

MOBILE = "13912345678"


def _counts(session) -> dict[int, int]:
    return {row.entry_id: row.supports for row in audience_index(session).rows}


def test_a_verified_viewer_supports_at_most_k_projects(client, live_session):
    live_session.support_limit = 2
    live_session.save(update_fields=["support_limit"])
    first, second, third = live_session.entries_list
    response = verify(client, live_session, MOBILE)
    assert response.status_code == 200 and response.json()["verified"] is True
    assert response.json()["mobile"] == "139****5678"
    assert support(client, live_session, first).json()["remaining"] == 1
    assert support(client, live_session, second).json()["remaining"] == 0
    refused = support(client, live_session, third)
    assert refused.status_code == 400
    assert refused.json()["message"] == zh(AT_MOST, k=2)
    assert Support.objects.filter(viewer__session=live_session).count() == 2
    # Supporting the same project again changes nothing (a retry is harmless).
    again = support(client, live_session, first)
    assert again.status_code == 200 and sorted(again.json()["supported"]) == sorted([first.pk, second.pk])
    assert _counts(live_session) == {first.pk: 1, second.pk: 1, third.pk: 0}
    # Changing one's mind while the session is open: withdraw one, support another.
    assert support(client, live_session, first, "remove").status_code == 200
    assert support(client, live_session, third).status_code == 200
    assert _counts(live_session) == {first.pk: 0, second.pk: 1, third.pk: 1}


def test_a_second_device_with_the_same_number_shares_the_same_k(live_session):
    live_session.support_limit = 2
    live_session.save(update_fields=["support_limit"])
    first, second, third = live_session.entries_list
    phone, tablet = Client(), Client()
    assert verify(phone, live_session, MOBILE).status_code == 200
    assert support(phone, live_session, first).status_code == 200
    other = verify(tablet, live_session, "+86 139-1234-5678")  # the same number, written differently
    assert other.status_code == 200
    assert other.json()["supported"] == [first.pk] and other.json()["remaining"] == 1
    assert support(tablet, live_session, second).status_code == 200
    refused = support(tablet, live_session, third)
    assert refused.status_code == 400 and refused.json()["message"] == zh(AT_MOST, k=2)
    refused = support(phone, live_session, third)
    assert refused.status_code == 400
    assert Viewer.objects.filter(session=live_session).count() == 1
    assert Viewer.objects.get(session=live_session).devices == 2
    assert LiveSettings.objects.get(session=live_session).viewers == 1
    assert audience_index(live_session).total_supports == 2


def test_an_unverified_request_is_refused_with_a_clear_message(client, live_session):
    response = support(client, live_session, live_session.entries_list[0])
    assert response.status_code == 403
    assert response.json()["message"] == zh(
        "Please verify with your mobile number before supporting a project."
    )
    assert not Support.objects.exists()
    # Without script: the page again, with the message, and a 403.
    page = client.post(
        f"/participation/s/{live_session.pk}/support", {"entry": live_session.entries_list[0].pk}
    )
    assert page.status_code == 403
    assert zh("Please verify with your mobile number before supporting a project.") in page.content.decode()


def test_another_sessions_project_or_nonsense_is_a_400_not_a_500(client, live_session, other_federation):
    verify(client, live_session, MOBILE)
    for entry in ("999999", "abc", ""):
        response = client.post(f"/participation/s/{live_session.pk}/support", {"entry": entry}, **JSON)
        assert response.status_code == 400
        assert response.json()["message"] == zh("This project is not part of this session.")
    response = client.post(
        f"/participation/s/{live_session.pk}/support",
        {"entry": live_session.entries_list[0].pk, "action": "explode"},
        **JSON,
    )
    assert response.status_code == 400


def test_supports_close_with_the_session(client, office_user, live_session):
    verify(client, live_session, MOBILE)
    entry = live_session.entries_list[0]
    assert support(client, live_session, entry).status_code == 200
    for e in live_session.entries.all():
        services_console.window_close(actor=office_user, entry=e)
    services_console.session_close(actor=office_user, session=live_session)
    for action in ("remove", "add"):
        response = support(client, live_session, entry, action)
        assert response.status_code == 400
        assert response.json()["message"] == zh("The session has closed: supports can no longer be changed.")
    assert _counts(live_session)[entry.pk] == 1


def test_the_identity_is_a_keyed_hash_never_the_number(client, live_session):
    verify(client, live_session, MOBILE)
    viewer = Viewer.objects.get(session=live_session)
    assert viewer.mobile_hash == identity.viewer_hash(live_session.pk, MOBILE)
    assert MOBILE not in viewer.mobile_hash and viewer.mobile_masked == "139****5678"
    # Another session hashes the same number differently: viewers cannot be joined across sessions.
    assert identity.viewer_hash(live_session.pk + 1, MOBILE) != viewer.mobile_hash
    assert MOBILE not in str(dict(client.session))


def test_erasing_my_data_withdraws_supports_while_open(client, live_session):
    verify(client, live_session, MOBILE)
    entry = live_session.entries_list[0]
    support(client, live_session, entry)
    response = client.post(f"/participation/s/{live_session.pk}/forget")
    assert response.status_code == 302
    viewer = Viewer.objects.get(session=live_session)
    assert viewer.erased_at and viewer.mobile_masked == "—" and viewer.mobile_hash.startswith("erased:")
    assert _counts(live_session)[entry.pk] == 0 and not Support.objects.exists()
    # The same number verifies afresh as a new person with a fresh K (the old supports are gone).
    assert verify(client, live_session, MOBILE).json()["supported"] == []


@pytest.mark.django_db(transaction=True)
def test_two_devices_pressing_at_once_never_exceed_k(live_session):
    """Real threads, each with its own connection: the viewer's row lock (PostgreSQL) or the write lock taken
    at BEGIN (SQLite) keeps K and the counters exact."""
    live_session.support_limit = 1
    live_session.save(update_fields=["support_limit"])
    client = Client()
    verify(client, live_session, MOBILE)
    viewer = Viewer.objects.get(session=live_session)
    errors: list[str] = []
    barrier = threading.Barrier(3)

    def press(entry):
        try:
            barrier.wait()
            services_supports.support_add(viewer=viewer, entry=entry)
        except Exception as error:
            errors.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(e,)) for e in live_session.entries_list]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert Support.objects.filter(viewer=viewer).count() == 1
    assert sum(SupportCount.objects.filter(session=live_session).values_list("supports", flat=True)) == 1
    assert errors.count("ValidationError") == 2
