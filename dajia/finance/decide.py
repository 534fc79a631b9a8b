"""The rule of a financing need's outcome, pure (no database): what each outcome must and must not carry.

A pending need has no decision yet; a granted loan has its amount, product and date; "no loan" has its date and no
amount. A credit line (授信) may come with either decision; loans outstanding are reported with the date the bank
reported them. Dates are not in the future, and a decision comes on or after the day the need was raised.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

PENDING, GRANTED, REFUSED = "pending", "granted", "refused"


def outcome_errors(
    *,
    status: str,
    raised_on: datetime.date,
    decided_on: datetime.date | None,
    loan_amount: Decimal | None,
    credit_line: Decimal | None,
    product: str,
    outstanding: Decimal | None,
    outstanding_on: datetime.date | None,
    today: datetime.date,
) -> dict[str, str]:
    """Field → message for every rule the outcome breaks (empty when it is sound)."""
    errors: dict[str, str] = {}
    if raised_on > today:
        errors["raised_on"] = _("The need cannot be raised in the future.")
    if status not in (PENDING, GRANTED, REFUSED):
        errors["status"] = _("Choose the outcome.")
        return errors
    if status == PENDING:
        if decided_on is not None or loan_amount or credit_line is not None:
            errors["status"] = _("A pending need has no decision, loan or credit line yet.")
    else:
        if decided_on is None:
            errors["decided_on"] = _("Give the date of the bank's decision.")
        elif decided_on > today:
            errors["decided_on"] = _("The decision cannot be in the future.")
        elif decided_on < raised_on:
            errors["decided_on"] = _("The decision comes on or after the day the need was raised.")
    if status == GRANTED:
        if not loan_amount or loan_amount <= 0:
            errors["loan_amount"] = _("Give the amount of the loan granted.")
        if not (product or "").strip():
            errors["product"] = _("Name the loan product.")
    if status == REFUSED and loan_amount:
        errors["loan_amount"] = _("No loan was granted: leave the amount empty.")
    if (outstanding is None) != (outstanding_on is None):
        errors["outstanding_on"] = _(
            "Give the loans outstanding together with the date the bank reported them."
        )
    elif outstanding_on is not None and outstanding_on > today:
        errors["outstanding_on"] = _("The report date cannot be in the future.")
    return errors
