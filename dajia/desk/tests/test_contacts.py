"""Enterprise contacts register by code and park; the park office (or the union office) confirms."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dajia.accounts.models import RoleAssignment
from dajia.conftest import make_user
from dajia.desk.models import ContactRequest

pytestmark = pytest.mark.django_db


def test_register_then_park_office_confirms(
    client, enterprise, park, park_office_user, other_park_office_user
):
    person = make_user("boss")
    client.force_login(person)
    bad = client.post(reverse("desk:register"), {"park": park.pk, "uscc": "91330723000000000X"})
    assert bad.status_code == 400
    assert (
        client.post(reverse("desk:register"), {"park": park.pk, "uscc": enterprise.uscc}).status_code == 302
    )
    pending = ContactRequest.objects.get()
    assert client.get(reverse("desk:home")).status_code == 403  # not yet a contact
    client.force_login(other_park_office_user)  # not yours
    assert (
        client.post(reverse("desk:contact_confirm", args=[pending.pk]), {"confirm": "1"}).status_code == 404
    )
    client.force_login(park_office_user)
    assert "boss"[1:] in client.get(reverse("desk:contacts")).content.decode()
    assert (
        client.post(reverse("desk:contact_confirm", args=[pending.pk]), {"confirm": "1"}).status_code == 302
    )
    assert RoleAssignment.objects.filter(user=person, role="enterprise", enterprise=enterprise).exists()
    client.force_login(person)
    assert client.get(reverse("desk:home")).status_code == 200


def test_contacts_page_refused_to_an_enterprise_contact(client, contact_user):
    client.force_login(contact_user)
    assert client.get(reverse("desk:contacts")).status_code == 403
