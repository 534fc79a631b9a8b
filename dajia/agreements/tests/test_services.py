import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dajia.agreements import services, services_quotas
from dajia.agreements.models import Agreement, AgreementQuota, Signature
from dajia.agreements.tests.fixtures import sign_both
from dajia.agreements.text import rmb_upper, sha256
from dajia.core.models import AuditLog

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_messages")]


def test_one_agreement_per_selected_project_with_the_published_amount(published_session, office_user):
    drafted = services.agreements_generate(actor=office_user, session=published_session)
    assert sorted(a.project.title for a in drafted) == ["企业消防安全与应急疏散演练", "职工心理减压工作坊"]
    stress = next(a for a in drafted if a.project.title == "职工心理减压工作坊")
    assert stress.amount == Decimal("28000.00")
    assert stress.sessions == 10 and stress.capacity == 30 and stress.state == "draft"
    assert stress.ends_on == stress.starts_on.replace(year=stress.starts_on.year + 1) - datetime.timedelta(
        days=1
    )
    version = stress.versions.get()
    assert version.number == 1 and version.sha256 == sha256(version.text)
    for word in (
        "下城区总工会",
        "下城区心桥心理咨询服务中心",
        "职工心理减压工作坊",
        "28,000.00",
        "贰万捌仟元整",
        "10 场",
    ):
        assert word in version.text, word
    # Generating again drafts nothing new.
    assert services.agreements_generate(actor=office_user, session=published_session) == []
    assert AuditLog.objects.filter(action="agreements.agreement.generate").count() == 2


def test_only_the_sessions_office_generates(published_session, other_office_user, provider_user):
    for actor in (other_office_user, provider_user):
        with pytest.raises(PermissionDenied):
            services.agreements_generate(actor=actor, session=published_session)


def test_an_unpublished_session_gives_no_agreement(published_session, office_user):
    published_session.state = "revealed"
    published_session.save()
    with pytest.raises(ValidationError, match="published"):
        services.agreements_generate(actor=office_user, session=published_session)


def _drafted(published_session, office_user, title="职工心理减压工作坊"):
    services.agreements_generate(actor=office_user, session=published_session)
    return Agreement.objects.get(project__title=title)


def test_both_sides_sign_and_the_hash_of_what_they_saw_is_recorded(
    published_session, office_user, provider_user
):
    agreement = _drafted(published_session, office_user)
    version = agreement.versions.get()
    services.agreement_sign(actor=office_user, agreement=agreement, party="federation", sha256=version.sha256)
    agreement.refresh_from_db()
    assert agreement.state == "draft"
    services.agreement_sign(actor=provider_user, agreement=agreement, party="provider", sha256=version.sha256)
    agreement.refresh_from_db()
    assert agreement.state == "signed" and agreement.signed_at is not None
    sigs = {s.party: s for s in Signature.objects.filter(version=version)}
    assert sigs["federation"].signed_by == office_user and sigs["provider"].signed_by == provider_user
    assert sigs["provider"].sha256 == version.sha256 == sha256(version.text)
    assert (
        AuditLog.objects.filter(action="agreements.agreement.sign", object_id=str(agreement.pk)).count() == 2
    )


def test_a_stale_text_is_never_signed(published_session, office_user):
    agreement = _drafted(published_session, office_user)
    with pytest.raises(ValidationError, match="changed"):
        services.agreement_sign(actor=office_user, agreement=agreement, party="federation", sha256="0" * 64)


def test_not_yours_signing(
    published_session, office_user, other_office_user, other_provider_user, chair_user
):
    agreement = _drafted(published_session, office_user)
    sha = agreement.versions.get().sha256
    with pytest.raises(PermissionDenied):
        services.agreement_sign(actor=other_office_user, agreement=agreement, party="federation", sha256=sha)
    with pytest.raises(PermissionDenied):  # another provider's member
        services.agreement_sign(actor=other_provider_user, agreement=agreement, party="provider", sha256=sha)
    with pytest.raises(PermissionDenied):  # office staff cannot sign for the provider
        services.agreement_sign(actor=office_user, agreement=agreement, party="provider", sha256=sha)
    with pytest.raises(PermissionDenied):
        services.agreement_sign(actor=chair_user, agreement=agreement, party="federation", sha256=sha)


def test_signing_twice_for_one_party_is_refused(published_session, office_user):
    agreement = _drafted(published_session, office_user)
    sha = agreement.versions.get().sha256
    services.agreement_sign(actor=office_user, agreement=agreement, party="federation", sha256=sha)
    with pytest.raises(ValidationError, match="already signed"):
        services.agreement_sign(actor=office_user, agreement=agreement, party="federation", sha256=sha)


def test_only_a_signed_agreement_takes_effect(published_session, office_user, provider_user):
    draft = _drafted(published_session, office_user)
    with pytest.raises(ValidationError, match="Only a signed agreement"):
        services.agreement_activate(agreement=draft, window_closed=datetime.date(2020, 6, 12))
    draft.refresh_from_db()
    assert draft.state == "draft"
    signed = sign_both(draft, office_user, provider_user)
    services.agreement_activate(agreement=signed, window_closed=datetime.date(2020, 6, 12))
    signed.refresh_from_db()
    assert signed.state == "active"
    entry = AuditLog.objects.get(action="agreements.agreement.activate", object_id=str(signed.pk))
    assert entry.after["objection_window_closed"] == "2020-06-12"


def test_voiding_tells_the_orders_by_signal_only(published_session, office_user, provider_user):
    from dajia.agreements.signals import agreement_closed

    heard = []

    def listener(sender, *, agreement, actor, reason, **kwargs):
        heard.append((agreement.pk, actor, reason))
        return 2

    agreement = sign_both(_drafted(published_session, office_user), office_user, provider_user)
    agreement_closed.connect(listener)
    try:
        services.agreement_void(actor=office_user, agreement=agreement, reason="异议成立")
    finally:
        agreement_closed.disconnect(listener)
    assert heard == [(agreement.pk, office_user, "异议成立")]
    entry = AuditLog.objects.get(action="agreements.agreement.void", object_id=str(agreement.pk))
    assert entry.after["orders_cancelled"] == 2  # the orders app's own receiver found no open order: 0 + 2


def test_void_needs_the_office_and_a_reason(published_session, office_user, other_office_user):
    agreement = _drafted(published_session, office_user)
    with pytest.raises(PermissionDenied):
        services.agreement_void(actor=other_office_user, agreement=agreement, reason="异议成立")
    with pytest.raises(ValidationError):
        services.agreement_void(actor=office_user, agreement=agreement, reason="  ")
    services.agreement_void(actor=office_user, agreement=agreement, reason="公示期内异议成立")
    agreement.refresh_from_db()
    assert agreement.state == "void"
    assert AuditLog.objects.filter(action="agreements.agreement.void").exists()


def test_an_amendment_is_a_new_version_and_needs_new_signatures(
    published_session, office_user, provider_user
):
    agreement = sign_both(_drafted(published_session, office_user), office_user, provider_user)
    version = services.agreement_amend(
        actor=office_user, agreement=agreement, reason="增加两场", sessions="12", amount="33600"
    )
    agreement.refresh_from_db()
    assert version.number == 2 and "12 场" in version.text and "33,600.00" in version.text
    assert agreement.state == "draft" and agreement.sessions == 12
    assert agreement.versions.get(number=1).signatures.count() == 2
    assert version.signatures.count() == 0


def test_an_amendment_of_an_agreement_in_force_applies_once_signed(agreements, office_user, provider_user):
    agreement = agreements["stress"]
    version = services.agreement_amend(actor=office_user, agreement=agreement, reason="增加两场", sessions=12)
    agreement.refresh_from_db()
    assert agreement.state == "active" and agreement.sessions == 10
    sign_both(agreement, office_user, provider_user)
    agreement.refresh_from_db()
    assert agreement.state == "active" and agreement.sessions == 12
    assert version.signatures.count() == 2


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"ends_on": "2099-01-01"}, "ends_on"),
        ({"copies": "2"}, "copies"),
        ({"amount": "12.345"}, "amount"),
        ({"amount": "一万"}, "amount"),
        ({"sessions": "0"}, "sessions"),
        ({"scope": ""}, "scope"),
    ],
)
def test_bad_terms_are_refused_with_the_field(published_session, office_user, terms, field):
    agreement = _drafted(published_session, office_user)
    with pytest.raises(ValidationError) as error:
        services.agreement_amend(actor=office_user, agreement=agreement, reason="修改", **terms)
    assert field in error.value.message_dict


def test_the_term_is_at_most_one_year():
    assert services.max_term_end(datetime.date(2020, 6, 1)) == datetime.date(2021, 5, 31)
    assert services.max_term_end(datetime.date(2020, 2, 29)) == datetime.date(2021, 2, 27)


def test_the_template_refuses_unknown_placeholders(federation, office_user, other_office_user):
    with pytest.raises(ValidationError, match="甲方名称"):
        services.agreement_template_save(
            actor=office_user, federation=federation, body="{甲方名称} 与 {乙方}"
        )
    with pytest.raises(PermissionDenied):
        services.agreement_template_save(actor=other_office_user, federation=federation, body="{甲方}")
    template = services.agreement_template_save(
        actor=office_user,
        federation=federation,
        body="协议\n{甲方}与{乙方}就{项目}共{服务场次}场，金额{金额}元。",
    )
    assert template.pk and AuditLog.objects.filter(action="agreements.template.save").exists()


def test_the_edited_template_writes_new_agreements(published_session, federation, office_user):
    services.agreement_template_save(
        actor=office_user,
        federation=federation,
        body="购买服务协议\n{甲方}向{乙方}购买{项目}，{场次}，计{金额}元。",
    )
    agreement = _drafted(published_session, office_user)
    text = agreement.versions.get().text
    assert text == (
        "购买服务协议\n下城区总工会向下城区心桥心理咨询服务中心购买职工心理减压工作坊，"
        "2020年下城区工会购买服务协商会，计28,000.00元。\n"
    )


def test_quotas_cannot_exceed_the_agreements_sessions(stress_agreement, office_user, union, other_union):
    with pytest.raises(ValidationError, match="more than"):
        services_quotas.quotas_set(
            actor=office_user,
            agreement=stress_agreement,
            allocation="allocated",
            quotas={union.pk: 6, other_union.pk: 5},
        )
    services_quotas.quotas_set(
        actor=office_user,
        agreement=stress_agreement,
        allocation="allocated",
        quotas={union.pk: 6, other_union.pk: 4},
    )
    assert dict(AgreementQuota.objects.values_list("union_id", "sessions")) == {
        union.pk: 6,
        other_union.pk: 4,
    }
    with pytest.raises(ValidationError, match="whole number"):
        services_quotas.quotas_set(
            actor=office_user, agreement=stress_agreement, allocation="allocated", quotas={union.pk: "六"}
        )


def test_not_yours_quotas(stress_agreement, other_office_user, union):
    with pytest.raises(PermissionDenied):
        services_quotas.quotas_set(
            actor=other_office_user, agreement=stress_agreement, allocation="allocated", quotas={union.pk: 1}
        )


def test_a_union_of_another_federation_gets_no_quota(stress_agreement, office_user, other_federation):
    from dajia.orgs.models import Union

    stranger = Union.objects.create(name="武义恒达五金制品有限公司工会", federation=other_federation)
    with pytest.raises(PermissionDenied):
        services_quotas.quotas_set(
            actor=office_user, agreement=stress_agreement, allocation="allocated", quotas={stranger.pk: 1}
        )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("28000.00", "贰万捌仟元整"),
        ("24000.10", "贰万肆仟元壹角整"),
        ("100005.05", "壹拾万零伍元零伍分"),
        ("0", "零元整"),
        ("1010.00", "壹仟零壹拾元整"),
        ("0.5", "伍角整"),
        ("120000000", "壹亿贰仟万元整"),
    ],
)
def test_amount_in_chinese_capitals(value, text):
    assert rmb_upper(Decimal(value)) == text


def test_agreements_write_code_imports_neither_orders_nor_notices():
    """notices → agreements → orders, never back: the orders learn of a closed agreement by a signal."""
    import ast
    from pathlib import Path

    root = Path(services.__file__).parent
    for name in ("services.py", "models.py", "signals.py", "selectors.py"):
        tree = ast.parse((root / name).read_text(encoding="utf-8"))
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module} | {
            a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
        }
        assert not {m for m in imported if m.startswith(("dajia.orders", "dajia.notices"))}, name
