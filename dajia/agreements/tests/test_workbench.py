"""Agreements on the workbench (texts waiting for one's own signature, nobody else's) and their notifications:
a text to sign tells both parties (not the one who drafted it), a voided agreement tells the provider and its
cancelled orders tell the chairs."""

from dajia.agreements import services, workbench
from dajia.agreements.tests.fixtures import sign_both
from dajia.notifications.models import Message


def _numbers(groups):
    return {g.key: sorted(i.title.split()[0] for i in g.items) for g in groups}


def _events(user, prefix="agreement_"):
    return list(
        Message.objects.filter(recipient=user, event__startswith=prefix)
        .order_by("id")
        .values_list("key", flat=True)
    )


def test_drafted_agreements_wait_for_each_partys_signature(
    published_session, office_user, other_office_user, provider_user, other_provider_user
):
    drafted = {
        a.provider_id: a for a in services.agreements_generate(actor=office_user, session=published_session)
    }
    mine = drafted[provider_user.roles.get().provider_id]
    theirs = drafted[other_provider_user.roles.get().provider_id]
    assert _numbers(workbench.office(office_user))["agreements_to_sign"] == sorted(
        [mine.number, theirs.number]
    )
    assert _numbers(workbench.office(other_office_user))["agreements_to_sign"] == []
    assert _numbers(workbench.provider(provider_user))["agreements_to_sign"] == [mine.number]
    # Signed by the provider: it leaves the provider's list and stays on the office's.
    version = mine.versions.get()
    services.agreement_sign(actor=provider_user, agreement=mine, party="provider", sha256=version.sha256)
    assert _numbers(workbench.provider(provider_user))["agreements_to_sign"] == []
    assert mine.number in _numbers(workbench.office(office_user))["agreements_to_sign"]
    sign_both(theirs, office_user, other_provider_user)
    assert theirs.number not in _numbers(workbench.office(office_user))["agreements_to_sign"]


def test_an_amendment_waits_for_signatures_again(stress_agreement, office_user, provider_user):
    assert _numbers(workbench.provider(provider_user))["agreements_to_sign"] == []
    services.agreement_amend(actor=office_user, agreement=stress_agreement, reason="增加场次", sessions=11)
    assert _numbers(workbench.provider(provider_user))["agreements_to_sign"] == [stress_agreement.number]
    assert f"agreement_to_sign:{stress_agreement.pk}:v2:provider" in _events(provider_user)


def test_generating_tells_the_provider_and_the_other_office_staff_not_the_drafter(
    published_session, office_user, provider_user, other_provider_user, federation
):
    from dajia.conftest import make_user

    colleague = make_user("colleague", role="office", federation=federation)
    drafted = services.agreements_generate(actor=office_user, session=published_session)
    mine = next(a for a in drafted if a.provider_id == provider_user.roles.get().provider_id)
    assert _events(provider_user) == [f"agreement_to_sign:{mine.pk}:v1:provider"]
    assert len(_events(other_provider_user)) == 1
    assert len(_events(colleague)) == 2
    assert _events(office_user) == []


def test_voiding_tells_the_provider_and_the_chairs_of_the_cancelled_orders(
    stress_agreement, place_order, chair_user, union, office_user, provider_user, other_provider_user
):
    order = place_order(chair_user, union, stress_agreement, days=5)
    services.agreement_void(actor=office_user, agreement=stress_agreement, reason="异议成立，协议作废")
    assert _events(provider_user)[-1] == f"agreement_voided:{stress_agreement.pk}"
    assert "agreement_voided" not in "".join(_events(other_provider_user))
    assert _events(chair_user, prefix="order_") == [f"order_cancelled:{order.pk}"]
    text = Message.objects.get(recipient=provider_user, event="agreement_voided").text
    assert "已作废" in text and "1 个未完成的订单已取消" in text
