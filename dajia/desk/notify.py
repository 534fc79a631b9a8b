"""What the desk tells whom, in one place: the enterprise at each status change, the team lead when a case waits
for want of anyone on duty or passes a service target. Every call goes through the one notify service
(``dajia.notifications``: inbox messages plus a once-only SMS outbox, keyed so nothing is told twice)."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from dajia.accounts.models import Role
from dajia.desk.models import Case, Party


def _send(**kwargs) -> None:
    from dajia.notifications.services import notify

    notify(**kwargs)


def _raising_side(case: Case) -> tuple[Q | None, list[str]]:
    """Accounts and bare numbers of the side that raised the case (never the counterparty)."""
    audience = Q(pk=case.raised_by_id) if case.raised_by_id else None
    mobiles = [case.contact_mobile] if case.contact_mobile else []
    if case.kind == Case.Kind.ENTERPRISE and case.enterprise_id:
        contacts = Q(roles__role=Role.ENTERPRISE, roles__enterprise_id=case.enterprise_id)
        audience = contacts if audience is None else audience | contacts
    else:
        mobiles += [
            p.mobile
            for p in case.parties.all()
            if p.side == Party.Side.CLIENT and p.kind == Party.Kind.WORKER
        ]
    return audience, mobiles


STATUS_TEXT = {
    Case.Status.NEW: _("Your problem %(case)s was received by the expert desk."),
    Case.Status.ASSIGNED: _("Your problem %(case)s has been assigned to an expert volunteer."),
    Case.Status.IN_PROGRESS: _("An expert volunteer is working on your problem %(case)s."),
    Case.Status.RESOLVED: _("Your problem %(case)s was resolved (%(closure)s). Please rate the service."),
    Case.Status.REFERRED: _("Your problem %(case)s was referred (%(closure)s). Please rate the service."),
    Case.Status.CLOSED: _("Your problem %(case)s was closed (%(closure)s)."),
}


def status_changed(case: Case) -> None:
    audience, mobiles = _raising_side(case)
    # Lazy labels, so the text is rendered in the site's language whoever's request changed the status.
    closure = Case.Closure(case.closure).label if case.closure else ""
    if case.closure == Case.Closure.REFERRED:
        closure = format_lazy("{}：{}", closure, case.closure_note)
    _send(
        event="desk.case.status",
        key=f"desk-case-{case.pk}-{case.status}",
        text=STATUS_TEXT[case.status],
        params={"case": case.number, "closure": closure},
        url=reverse("desk:case_detail", args=[case.pk]),
        audience=audience,
        mobiles=mobiles,
        exclude_user_id=None,
    )


def _lead(case: Case) -> Q | None:
    team = getattr(case.park, "team", None)
    return Q(pk=team.lead.user_id) if team is not None and team.lead_id else None


def volunteer_suggested(case: Case) -> None:
    """The on-duty volunteer routing chose hears of the case at once."""
    _send(
        event="desk.case.suggested",
        key=f"desk-case-{case.pk}-suggested-{case.suggested_id}",
        text=_("A new case %(case)s at %(park)s waits for you to take it."),
        params={"case": case.number, "park": case.park.name},
        url=reverse("desk:case_detail", args=[case.pk]),
        audience=Q(volunteer__pk=case.suggested_id),
    )


def lead_waiting(case: Case) -> None:
    audience = _lead(case) or Q(roles__role=Role.OFFICE, roles__federation_id=case.federation_id)
    _send(
        event="desk.case.waiting",
        key=f"desk-case-{case.pk}-waiting",
        text=_("Case %(case)s at %(park)s waits: no volunteer of its specialty is on duty."),
        params={"case": case.number, "park": case.park.name},
        url=reverse("desk:case_detail", args=[case.pk]),
        audience=audience,
    )


def lead_overdue(case: Case, target: str) -> None:
    audience = _lead(case) or Q(roles__role=Role.OFFICE, roles__federation_id=case.federation_id)
    text = {
        "response": _("Case %(case)s at %(park)s is past its first-response target."),
        "resolution": _("Case %(case)s at %(park)s is past its resolution target."),
    }[target]
    _send(
        event=f"desk.case.overdue.{target}",
        key=f"desk-case-{case.pk}-overdue-{target}",
        text=text,
        params={"case": case.number, "park": case.park.name},
        url=reverse("desk:case_detail", args=[case.pk]),
        audience=audience,
    )
