"""Writes on agreements: the template, generation from a published session, amendments, signatures, the
公示 activation, termination, completion, voiding and the sharing of sessions among unions.

States: ``draft`` → (both parties sign) → ``signed`` → (the 公示 window closes, no objection pending or upheld: ``dajia.notices``)
→ ``active`` → ``completed`` | ``terminated``; an upheld objection makes it ``void``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dajia.accounts.permissions import can_manage_federation, provider_ids, require_office
from dajia.agreements import text as agreement_text
from dajia.agreements import workbench
from dajia.agreements.models import (
    DEFAULT_TEMPLATE,
    Agreement,
    AgreementTemplate,
    AgreementVersion,
    Signature,
)
from dajia.agreements.selectors import selected_entries
from dajia.agreements.signals import agreement_closed
from dajia.consultations.models import Session
from dajia.core import audit
from dajia.core.inputs import clean_date, clean_money, clean_text, clean_whole

TERM_FIELDS = [
    "scope",
    "sessions",
    "capacity",
    "quality",
    "starts_on",
    "ends_on",
    "amount",
    "payment_terms",
    "liability",
    "copies",
]

DEFAULT_QUALITY = (
    "乙方按项目申报内容和协商会上的承诺提供服务，配备具有相应资质的专业人员；每场服务前与基层工会确认方案，"
    "服务后由参加职工扫码签到并评价，基层工会主席确认。参加职工评价平均分不低于4分（满分5分），"
    "准时开始的场次不低于90%。"
)
DEFAULT_PAYMENT = (
    "按基层工会主席确认的实际服务场次结算，总价款按场次平均分摊到分，余数计入最后一场；"
    "每季度末结算一次，甲方在收到乙方合规票据后15个工作日内支付。"
)
DEFAULT_LIABILITY = (
    "乙方未按约定的时间、内容和质量提供服务的，应免费补足服务，或由甲方相应扣减价款；经核实的投诉累计达到三次的，"
    "甲方有权解除本协议。甲方未按约定支付价款的，应承担相应违约责任。因不可抗力不能履行的，双方均不承担违约责任。"
)


def max_term_end(starts_on: datetime.date) -> datetime.date:
    """The last day allowed for a term starting on ``starts_on``: one year by default (setting)."""
    months = settings.DAJIA_AGREEMENT_MAX_TERM_MONTHS
    year = starts_on.year + (starts_on.month - 1 + months) // 12
    month = (starts_on.month - 1 + months) % 12 + 1
    day = starts_on.day
    while True:
        try:
            return datetime.date(year, month, day) - datetime.timedelta(days=1)
        except ValueError:  # 29 February in a common year
            day -= 1


def _lock(agreement: Agreement) -> Agreement:
    return (
        Agreement.objects.select_for_update()
        .select_related("provider", "project", "session")
        .get(pk=agreement.pk)
    )


def _date(value, *, field: str, label: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value)
    if not isinstance(value, datetime.date):
        try:
            value = datetime.date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValidationError(
                {field: _("%(label)s must be a date such as 2020-06-01.") % {"label": label}}
            ) from None
    return clean_date(value, field=field, label=label)


def clean_terms(terms: dict, *, booked: int = 0) -> dict:
    """Validate agreement terms; every problem is reported with its field."""
    errors: dict[str, list[str]] = {}
    out: dict = {}

    def attempt(name, fn):
        try:
            out[name] = fn()
        except ValidationError as e:
            for field, msgs in e.message_dict.items():
                errors.setdefault(field, []).extend(msgs)

    attempt(
        "scope",
        lambda: clean_text(
            terms.get("scope"), field="scope", label=_("the scope of service"), max_length=4000
        ),
    )
    attempt(
        "quality",
        lambda: clean_text(
            terms.get("quality"), field="quality", label=_("the quality standard"), max_length=4000
        ),
    )
    attempt(
        "payment_terms",
        lambda: clean_text(
            terms.get("payment_terms"),
            field="payment_terms",
            label=_("the payment schedule"),
            max_length=4000,
        ),
    )
    attempt(
        "liability",
        lambda: clean_text(
            terms.get("liability"), field="liability", label=_("the liability"), max_length=4000
        ),
    )
    attempt(
        "sessions",
        lambda: clean_whole(
            terms.get("sessions"), field="sessions", label=_("The number of sessions"), maximum=1000
        ),
    )
    attempt(
        "capacity",
        lambda: clean_whole(
            terms.get("capacity"), field="capacity", label=_("Attendees per session"), maximum=10000
        ),
    )
    attempt(
        "copies",
        lambda: clean_whole(
            terms.get("copies", 3), field="copies", label=_("The number of copies"), minimum=3, maximum=20
        ),
    )
    attempt("amount", lambda: clean_money(terms.get("amount"), field="amount", label=_("The amount")))
    attempt("starts_on", lambda: _date(terms.get("starts_on"), field="starts_on", label=_("The first day")))
    attempt("ends_on", lambda: _date(terms.get("ends_on"), field="ends_on", label=_("The last day")))
    if "starts_on" in out and "ends_on" in out:
        if out["ends_on"] < out["starts_on"]:
            errors.setdefault("ends_on", []).append(_("The last day must not be before the first day."))
        elif out["ends_on"] > max_term_end(out["starts_on"]):
            errors.setdefault("ends_on", []).append(
                _("The term may be at most one year: the last day can be %(d)s at the latest.")
                % {"d": max_term_end(out["starts_on"]).isoformat()}
            )
    if "sessions" in out and out["sessions"] < booked:
        errors.setdefault("sessions", []).append(
            _("%(n)s sessions are already ordered; the number of sessions cannot be lower.") % {"n": booked}
        )
    if errors:
        raise ValidationError(errors)
    return out


def template_for(federation) -> AgreementTemplate:
    found = AgreementTemplate.objects.filter(federation=federation).first()
    return found or AgreementTemplate(federation=federation, body=DEFAULT_TEMPLATE)


@transaction.atomic
def agreement_template_save(*, actor, federation, body: str) -> AgreementTemplate:
    require_office(actor, federation.pk)
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise ValidationError({"body": _("The agreement text cannot be empty.")})
    if len(body) > 20000:
        raise ValidationError({"body": _("The agreement text is too long (at most 20000 characters).")})
    unknown = agreement_text.unknown_placeholders(body)
    if unknown:
        raise ValidationError(
            {
                "body": _("Unknown placeholders: %(names)s. Use only those listed.")
                % {"names": "、".join(f"{{{n}}}" for n in unknown)}
            }
        )
    template = AgreementTemplate.objects.select_for_update().filter(federation=federation).first()
    before = audit.snapshot(template, ["body"]) if template else None
    if template is None:
        template = AgreementTemplate(federation=federation)
    template.body = body
    template.updated_by = actor
    template.save()
    audit.log(
        actor=actor,
        action="agreements.template.save",
        obj=template,
        before=before,
        after=audit.snapshot(template, ["body"]),
        federation_id=federation.pk,
    )
    return template


def _values(agreement: Agreement, terms: dict) -> dict[str, str]:
    amount: Decimal = terms["amount"]
    per = (amount / terms["sessions"]).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    return {
        "协议编号": agreement.number,
        "甲方": agreement.federation.name,
        "乙方": agreement.provider.name,
        "统一社会信用代码": agreement.provider.uscc,
        "项目": agreement.project.title,
        "场次": agreement.session.title,
        "服务范围": terms["scope"],
        "服务场次": str(terms["sessions"]),
        "每场人数": str(terms["capacity"]),
        "质量标准": terms["quality"],
        "起始日期": f"{terms['starts_on']:%Y年%m月%d日}",
        "终止日期": f"{terms['ends_on']:%Y年%m月%d日}",
        "金额": agreement_text.money(amount),
        "金额大写": agreement_text.rmb_upper(amount),
        "每场金额": agreement_text.money(per),
        "付款方式": terms["payment_terms"],
        "违约责任": terms["liability"],
        "份数": str(terms["copies"]),
    }


def _terms_json(terms: dict) -> dict:
    return {
        k: (str(v) if isinstance(v, Decimal) else v.isoformat() if isinstance(v, datetime.date) else v)
        for k, v in terms.items()
    }


def _new_version(agreement: Agreement, terms: dict, *, actor, reason: str = "") -> AgreementVersion:
    body = template_for(agreement.federation).body
    rendered = agreement_text.render(body, _values(agreement, terms))
    last = agreement.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = AgreementVersion.objects.create(
        agreement=agreement,
        number=last + 1,
        text=rendered,
        sha256=agreement_text.sha256(rendered),
        terms=_terms_json(terms),
        reason=reason,
        created_by=actor,
    )
    workbench.notify_to_sign(agreement, version, actor=actor)
    return version


def default_terms(entry, start: datetime.date) -> dict:
    project = entry.project
    scope = (
        f"{project.description}\n服务对象：{project.audience}；服务形式：{project.get_format_display()}；"
        f"每场约{project.duration_minutes}分钟；服务区域：{project.areas_served or entry.session.federation.region or '甲方所辖区域'}。"
    )
    return {
        "scope": scope,
        "sessions": project.sessions_per_year,
        "capacity": project.capacity,
        "quality": DEFAULT_QUALITY,
        "starts_on": start,
        "ends_on": max_term_end(start),
        "amount": entry.amount,
        "payment_terms": DEFAULT_PAYMENT,
        "liability": DEFAULT_LIABILITY,
        "copies": 3,
    }


@transaction.atomic
def agreements_generate(*, actor, session: Session) -> list[Agreement]:
    """Draft one agreement per selected project of a published session (projects that have one are skipped)."""
    session = Session.objects.select_for_update().select_related("federation").get(pk=session.pk)
    require_office(actor, session.federation_id)
    if session.state != Session.State.PUBLISHED:
        raise ValidationError(
            _("Agreements can be generated only from a session whose results are published.")
        )
    entries = selected_entries(session)
    if not entries:
        raise ValidationError(_("This session has no selected project."))
    start = timezone.localdate(session.published_at) if session.published_at else timezone.localdate()
    created = []
    for entry in entries:
        if Agreement.objects.filter(entry=entry).exists():
            continue
        terms = clean_terms(default_terms(entry, start))
        agreement = Agreement.objects.create(
            number=f"XY{start:%Y}-{session.pk:03d}-{entry.position:02d}",
            federation=session.federation,
            session=session,
            entry=entry,
            provider=entry.project.provider,
            project=entry.project,
            created_by=actor,
            **terms,
        )
        _new_version(agreement, terms, actor=actor)
        audit.log(
            actor=actor,
            action="agreements.agreement.generate",
            obj=agreement,
            after=audit.snapshot(agreement),
            federation_id=agreement.federation_id,
        )
        created.append(agreement)
    return created


def _apply_terms(agreement: Agreement, terms: dict) -> None:
    for name in TERM_FIELDS:
        setattr(agreement, name, terms[name])


@transaction.atomic
def agreement_amend(*, actor, agreement: Agreement, reason: str, **terms) -> AgreementVersion:
    """Record an amendment as a new version of the text.

    A draft or signed agreement takes the new terms at once (a signed one goes back to draft: both sides sign
    again). An agreement in force keeps its signed terms until both sides have signed the amendment.
    """
    agreement = _lock(agreement)
    require_office(actor, agreement.federation_id)
    if agreement.state not in (Agreement.State.DRAFT, Agreement.State.SIGNED, Agreement.State.ACTIVE):
        raise ValidationError(
            _("This agreement is closed (%(state)s) and can no longer be amended.")
            % {"state": agreement.get_state_display()}
        )
    reason = clean_text(reason, field="reason", label=_("the reason for the amendment"), max_length=300)
    current = {name: getattr(agreement, name) for name in TERM_FIELDS}
    current.update({k: v for k, v in terms.items() if k in TERM_FIELDS})
    cleaned = clean_terms(current, booked=agreement.sessions_booked)
    before = audit.snapshot(agreement)
    version = _new_version(agreement, cleaned, actor=actor, reason=reason)
    if agreement.state != Agreement.State.ACTIVE:
        _apply_terms(agreement, cleaned)
        agreement.state = Agreement.State.DRAFT
        agreement.signed_at = None
    agreement.save()
    audit.log(
        actor=actor,
        action="agreements.agreement.amend",
        obj=agreement,
        before=before,
        after={**audit.snapshot(agreement), "version": version.number, "reason": reason},
        federation_id=agreement.federation_id,
    )
    return version


def can_sign_as(user, agreement: Agreement) -> list[str]:
    parties = []
    if can_manage_federation(user, agreement.federation_id):
        parties.append(Signature.Party.FEDERATION)
    if agreement.provider_id in provider_ids(user):
        parties.append(Signature.Party.PROVIDER)
    return parties


@transaction.atomic
def agreement_sign(*, actor, agreement: Agreement, party: str, sha256: str) -> Signature:
    """One party confirms the current text. ``sha256`` is the digest of the text the signer was shown, so a
    text changed in the meantime is never signed unseen."""
    agreement = _lock(agreement)
    if party not in Signature.Party.values:
        raise ValidationError(_("Unknown party."))
    if party not in can_sign_as(actor, agreement):
        raise PermissionDenied(_("You cannot sign for this party."))
    if agreement.state in (Agreement.State.COMPLETED, Agreement.State.TERMINATED, Agreement.State.VOID):
        raise ValidationError(_("This agreement is closed and cannot be signed."))
    version = agreement.versions.order_by("-number").first()
    if (sha256 or "").strip().lower() != version.sha256:
        raise ValidationError(
            _("The text has changed since you opened it. Please read the current version and sign again.")
        )
    if version.signatures.filter(party=party).exists():
        raise ValidationError(_("This party has already signed this version."))
    now = timezone.now()
    signature = Signature.objects.create(
        version=version,
        party=party,
        signed_by=actor,
        signer_name=actor.get_full_name() or actor.username,
        signed_at=now,
        sha256=version.sha256,
    )
    before = audit.snapshot(agreement, ["state", "signed_at", *TERM_FIELDS])
    if version.signatures.count() == 2:
        if agreement.state == Agreement.State.DRAFT:
            agreement.state = Agreement.State.SIGNED
            agreement.signed_at = now
        elif agreement.state == Agreement.State.ACTIVE:  # an amendment of an agreement in force takes effect
            terms = clean_terms(version.terms, booked=agreement.sessions_booked)
            _apply_terms(agreement, terms)
        agreement.save()
    audit.log(
        actor=actor,
        action="agreements.agreement.sign",
        obj=agreement,
        before=before,
        after={
            **audit.snapshot(agreement, ["state", "signed_at", *TERM_FIELDS]),
            "party": party,
            "version": version.number,
            "sha256": version.sha256,
        },
        federation_id=agreement.federation_id,
    )
    return signature


@transaction.atomic
def agreement_activate(*, agreement: Agreement, window_closed: datetime.date, now=None) -> Agreement:
    """A signed agreement takes effect: its 公示 window closed on ``window_closed`` with no objection against its
    project pending or upheld. Called by the job that closes due windows (``dajia.notices.services``), which
    decides when; this only checks the state."""
    agreement = _lock(agreement)
    if agreement.state != Agreement.State.SIGNED:
        raise ValidationError(_("Only a signed agreement can take effect."))
    agreement.state = Agreement.State.ACTIVE
    agreement.activated_at = now or timezone.now()
    agreement.save(update_fields=["state", "activated_at"])
    audit.log(
        actor=None,
        actor_label=_("scheduled job"),
        action="agreements.agreement.activate",
        obj=agreement,
        before={"state": "signed"},
        after={"state": "active", "objection_window_closed": window_closed.isoformat()},
        federation_id=agreement.federation_id,
    )
    return agreement


def _close_orders(agreement: Agreement, *, actor, reason: str) -> int:
    """Tell whoever holds work under the agreement that it closed (``dajia.orders`` cancels its open orders);
    a signal, so agreements never import orders. Returns how many orders were cancelled."""
    replies = agreement_closed.send(sender=Agreement, agreement=agreement, actor=actor, reason=reason)
    return sum(count for _receiver, count in replies if isinstance(count, int))


def _void(agreement: Agreement, *, actor, reason: str, now) -> None:
    before = audit.snapshot(agreement, ["state", "state_reason"])
    cancelled = _close_orders(agreement, actor=actor, reason=reason)
    agreement.state = Agreement.State.VOID
    agreement.state_reason = reason[:300]
    agreement.closed_at = now
    agreement.save(update_fields=["state", "state_reason", "closed_at"])
    audit.log(
        actor=actor,
        actor_label="" if actor else _("scheduled job"),
        action="agreements.agreement.void",
        obj=agreement,
        before=before,
        after={**audit.snapshot(agreement, ["state", "state_reason"]), "orders_cancelled": cancelled},
        federation_id=agreement.federation_id,
    )
    workbench.notify_voided(agreement, actor=actor, cancelled=cancelled)


@transaction.atomic
def agreement_void(*, actor, agreement: Agreement, reason: str) -> Agreement:
    """Void an agreement (e.g. an objection against its project was upheld); its open orders are cancelled."""
    agreement = _lock(agreement)
    if actor is not None:
        require_office(actor, agreement.federation_id)
    if agreement.state in (Agreement.State.COMPLETED, Agreement.State.TERMINATED, Agreement.State.VOID):
        raise ValidationError(
            _("This agreement is already closed (%(state)s).") % {"state": agreement.get_state_display()}
        )
    if agreement.orders.filter(state__in=["delivered", "confirmed"]).exists():
        raise ValidationError(
            _("Sessions of this agreement have been delivered: terminate it instead of voiding it.")
        )
    reason = clean_text(reason, field="reason", label=_("the reason"), max_length=300)
    _void(agreement, actor=actor, reason=reason, now=timezone.now())
    return agreement


@transaction.atomic
def agreement_terminate(*, actor, agreement: Agreement, reason: str) -> Agreement:
    """End an agreement before its term with a reason; sessions not yet delivered are cancelled."""
    agreement = _lock(agreement)
    require_office(actor, agreement.federation_id)
    if agreement.state not in (Agreement.State.SIGNED, Agreement.State.ACTIVE):
        raise ValidationError(_("Only a signed agreement or one in force can be terminated."))
    reason = clean_text(reason, field="reason", label=_("the reason"), max_length=300)
    before = audit.snapshot(agreement, ["state", "state_reason"])
    cancelled = _close_orders(agreement, actor=actor, reason=reason)
    agreement.state = Agreement.State.TERMINATED
    agreement.state_reason = reason
    agreement.closed_at = timezone.now()
    agreement.save(update_fields=["state", "state_reason", "closed_at"])
    audit.log(
        actor=actor,
        action="agreements.agreement.terminate",
        obj=agreement,
        before=before,
        after={**audit.snapshot(agreement, ["state", "state_reason"]), "orders_cancelled": cancelled},
        federation_id=agreement.federation_id,
    )
    return agreement


@transaction.atomic
def agreement_complete(*, actor, agreement: Agreement) -> Agreement:
    """Close an agreement in force whose sessions are all settled (nothing ordered is still open)."""
    agreement = _lock(agreement)
    require_office(actor, agreement.federation_id)
    if agreement.state != Agreement.State.ACTIVE:
        raise ValidationError(_("Only an agreement in force can be completed."))
    if agreement.orders.filter(
        state__in=["ordered", "dispatched", "accepted", "proposed", "delivered"]
    ).exists():
        raise ValidationError(_("Some ordered sessions are still open: finish or cancel them first."))
    agreement.state = Agreement.State.COMPLETED
    agreement.closed_at = timezone.now()
    agreement.save(update_fields=["state", "closed_at"])
    audit.log(
        actor=actor,
        action="agreements.agreement.complete",
        obj=agreement,
        before={"state": "active"},
        after={"state": "completed"},
        federation_id=agreement.federation_id,
    )
    return agreement
