"""The health check's small rules, pure so they are tested without a database: whether a review row is
complete, how urgent a failed item's follow-up case is, what the case says, and when the return visit falls."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from dajia.checkups.models import FAILED, Risk, SelfAnswer

# A red alert is grave and urgent: its follow-up is an urgent desk case; a low risk is not urgent.
URGENCY = {Risk.RED: "urgent", Risk.HIGH: "normal", Risk.MEDIUM: "normal", Risk.LOW: "low"}


def self_answer_error(answer: str) -> str | None:
    if answer not in SelfAnswer.values:
        return _("Answer every item of the self-check.")
    return None


def review_error(risk: str, recommendation: str) -> str | None:
    """Why this review row cannot be saved, or None: a result is chosen, and a risk carries a recommendation."""
    if risk not in Risk.values:
        return _("Choose a result for every item: passes, or a risk level.")
    if risk in FAILED and not recommendation.strip():
        return _("A risk needs a recommendation.")
    return None


def follow_up_urgency(risk: str) -> str:
    return URGENCY[Risk(risk)]


def follow_up_description(*, number: str, area: str, question: str, recommendation: str) -> str:
    """The follow-up case's text: which check and item, the area, and what the review recommends."""
    return f"法治体检 {number} 整改【{area}】{question}\n建议：{recommendation}"


def visit_due(reported: datetime.date, *, calendar, working_days: int) -> datetime.date:
    """The return visit: ``working_days`` working days after the report (the office may move it)."""
    return calendar.add_working_days(reported, working_days)
