"""The job that closes due 公示 windows: an agreement takes effect only when no objection against its project is
pending or upheld; a pending one keeps it signed until the office answers (upheld → void, rejected → active);
a window of 0 working days is refused."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from dajia.agreements.services import agreements_generate
from dajia.agreements.tests.fixtures import sign_both
from dajia.core.models import AuditLog
from dajia.notices import services
from dajia.notices.models import Objection
from dajia.participation.tests.conftest import zh

pytestmark = pytest.mark.django_db


def _signed(session, office_user, provider_user):
    drafted = agreements_generate(actor=office_user, session=session)
    stress = next(a for a in drafted if a.project.title == "职工心理减压工作坊")
    return sign_both(stress, office_user, provider_user)


def _objection(session, agreement, *, status="pending", response=""):
    return Objection.objects.create(
        session=session,
        entry=agreement.entry,
        name="欧阳娜娜",
        mobile="13912340000",
        mobile_verified=True,
        reasons="该项目报价明显高于同类项目，请说明理由。",
        status=status,
        response=response,
        filed_at=session.published_at + datetime.timedelta(days=1),
    )


def _state(agreement) -> str:
    agreement.refresh_from_db()
    return agreement.state


def test_a_pending_objection_keeps_the_agreement_signed_until_upheld(
    published_session, office_user, provider_user
):
    agreement = _signed(published_session, office_user, provider_user)
    objection = _objection(published_session, agreement)
    result = services.notices_close_due()
    assert result["waiting"] == [agreement] and result["activated"] == []
    assert _state(agreement) == "signed"
    services.notices_close_due()  # run again: still waiting
    assert _state(agreement) == "signed"
    services.objection_respond(
        actor=office_user, objection=objection, upheld=True, response="经查，该机构资质材料不实，异议成立。"
    )
    assert _state(agreement) == "void"
    assert services.notices_close_due() == {"activated": [], "voided": [], "waiting": []}
    assert _state(agreement) == "void"


def test_a_pending_objection_rejected_lets_the_agreement_take_effect(
    published_session, office_user, provider_user
):
    agreement = _signed(published_session, office_user, provider_user)
    objection = _objection(published_session, agreement)
    services.notices_close_due()
    assert _state(agreement) == "signed"
    services.objection_respond(
        actor=office_user, objection=objection, upheld=False, response="报价符合预算标准，异议不成立。"
    )
    assert _state(agreement) == "active"  # the answer settles it at once, the window having closed
    assert services.notices_close_due()["activated"] == []
    assert AuditLog.objects.filter(
        action="agreements.agreement.activate", object_id=str(agreement.pk)
    ).exists()


def test_an_objection_upheld_before_the_agreement_was_signed_voids_it_at_closing(
    published_session, office_user, provider_user
):
    stress = published_session.entries_by_key["stress"]
    Objection.objects.create(
        session=published_session,
        entry=stress,
        name="欧阳娜娜",
        mobile="13912340000",
        reasons="该项目报价明显高于同类项目，请说明理由。",
        status="upheld",
        response="经查，异议成立。",
        filed_at=published_session.published_at,
    )
    agreement = _signed(published_session, office_user, provider_user)
    result = services.notices_close_due()
    assert result["voided"] == [agreement]
    assert _state(agreement) == "void" and agreement.state_reason


def test_every_pending_objection_against_the_project_must_be_answered(
    published_session, office_user, provider_user
):
    agreement = _signed(published_session, office_user, provider_user)
    first = _objection(published_session, agreement)
    second = _objection(published_session, agreement)
    services.objection_respond(
        actor=office_user, objection=first, upheld=False, response="经核实，异议不成立。"
    )
    assert _state(agreement) == "signed"  # another objection against the project still awaits its answer
    services.objection_respond(
        actor=office_user, objection=second, upheld=False, response="经核实，异议不成立。"
    )
    assert _state(agreement) == "active"


def test_an_objection_against_another_project_does_not_hold_this_one(
    published_session, office_user, provider_user
):
    agreement = _signed(published_session, office_user, provider_user)
    Objection.objects.create(
        session=published_session,
        entry=published_session.entries_by_key["loser"],
        name="欧阳娜娜",
        mobile="13912340000",
        reasons="该项目报价明显高于同类项目，请说明理由。",
        filed_at=published_session.published_at,
    )
    assert services.notices_close_due()["activated"] == [agreement]


def test_nothing_takes_effect_before_the_window_closes(published_session, office_user, provider_user):
    published_session.published_at = timezone.now()
    published_session.save(update_fields=["published_at"])
    agreement = _signed(published_session, office_user, provider_user)
    assert services.notices_close_due() == {"activated": [], "voided": [], "waiting": []}
    assert _state(agreement) == "signed"


def test_a_draft_never_takes_effect(published_session, office_user):
    drafted = agreements_generate(actor=office_user, session=published_session)
    services.notices_close_due(now=timezone.now() + datetime.timedelta(days=60))
    assert {_state(a) for a in drafted} == {"draft"}


def test_the_cron_command_closes_due_windows(published_session, office_user, provider_user, capsys):
    agreement = _signed(published_session, office_user, provider_user)
    call_command("close_notices")
    assert _state(agreement) == "active"
    out = capsys.readouterr().out
    assert agreement.number in out and "activated 1, voided 0, waiting 0" in out


def test_a_window_of_zero_working_days_is_refused(published_session):
    published_session.objection_days = 0
    with pytest.raises(ValidationError) as raised:
        published_session.full_clean()
    assert raised.value.message_dict["objection_days"] == [
        zh("The public notice lasts at least one working day (usually 5 to 7).")
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        published_session.save(update_fields=["objection_days"])
    published_session.refresh_from_db()
    assert published_session.objection_days == 5
