"""The union member roll, imported from an xlsx sheet (name, mobile, union), all or nothing.

Only what the check needs is kept: a keyed hash of the number (to answer "is this number on the roll?"), the
masked number and masked name (so the office can see what was imported) and the union. The file itself is not
stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dajia.accounts.permissions import require_office
from dajia.core import audit
from dajia.core.inputs import normalise
from dajia.core.spreadsheets import SpreadsheetRefused, import_caps, xlsx_rows
from dajia.core.validators import mask_mobile, mask_name, mobile_error, normalise_mobile
from dajia.orgs.models import Federation, Union
from dajia.participation import identity
from dajia.participation.models import RollMember

MAX_ERRORS = 30
HEADERS = {
    "name": {"姓名", "name", "名字"},
    "mobile": {"手机", "手机号", "手机号码", "mobile", "phone", "联系电话"},
    "union": {"工会", "所在工会", "union", "基层工会"},
}


@dataclass
class RollReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unions: dict[str, int] = field(default_factory=dict)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalise(value, cell=True)


def roll_rows(data: bytes) -> list[list[str]]:
    """The cells of the roll's first worksheet, read before any transaction is taken (a parse holding SQLite's
    write lock would make everyone else's writes fail). A file beyond ``DAJIA_IMPORT_CAPS["roll"]`` is refused
    before it is parsed, and every reader error is a ``ValidationError`` naming the line."""
    try:
        return [[_cell(v) for v in values] for _line, values in xlsx_rows(data, import_caps("roll"))]
    except SpreadsheetRefused as error:
        raise ValidationError(str(error)) from None


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, text in enumerate(header):
        key = text.casefold().replace(" ", "")
        for name, labels in HEADERS.items():
            if key in {label.casefold() for label in labels} and name not in found:
                found[name] = index
    missing = [name for name in HEADERS if name not in found]
    if missing:
        raise ValidationError(
            _(
                "The first row must name the columns 姓名, 手机号 and 工会 (name, mobile, union); missing: %(m)s."
            )
            % {"m": ", ".join(missing)}
        )
    return found


@transaction.atomic
def roll_import(*, actor, federation: Federation, rows: list[list[str]], replace: bool = False) -> RollReport:
    """Import the roll of ``federation``'s unions (and those below it) from :func:`roll_rows`. Every error is
    reported with its line; nothing is saved unless the whole file is valid. ``replace`` first removes the
    federation's current roll."""
    require_office(actor, federation.pk)
    if not rows:
        raise ValidationError(_("The file is empty."))
    cols = _columns(rows[0])
    unions = {
        normalise(u.name, cell=True): u
        for u in Union.objects.filter(federation_id__in=federation.descendant_ids())
    }
    errors: list[str] = []
    planned: dict[str, tuple[str, str, Union]] = {}
    for line, row in enumerate(rows[1:], start=2):
        cells = row + [""] * (max(cols.values()) + 1 - len(row))
        name, mobile, union_name = (cells[cols["name"]], cells[cols["mobile"]], cells[cols["union"]])
        if not (name or mobile or union_name):
            continue
        problems = []
        if not name:
            problems.append(_("the name is missing"))
        error = mobile_error(mobile)
        if error:
            problems.append(error)
        union = unions.get(union_name)
        if union is None:
            problems.append(_("no union named “%(u)s” in this federation") % {"u": union_name})
        if problems:
            errors.append(_("Line %(n)d: %(p)s") % {"n": line, "p": "；".join(str(p) for p in problems)})
            if len(errors) >= MAX_ERRORS:
                break
            continue
        number = normalise_mobile(mobile)
        planned[number] = (name, number, union)
    if errors:
        raise ValidationError(errors)
    if not planned:
        raise ValidationError(_("The file holds no member (only a header)."))
    report = RollReport()
    if replace:
        report.removed, _unused = RollMember.objects.filter(federation=federation).delete()
    existing = {
        m.mobile_hash: m for m in RollMember.objects.filter(federation=federation).only("pk", "mobile_hash")
    }
    now = timezone.now()
    new, changed = [], []
    for name, number, union in planned.values():
        hashed = identity.roll_hash(number)
        row = existing.get(hashed)
        values = {"union": union, "mobile_masked": mask_mobile(number), "name_masked": mask_name(name)}
        if row is None:
            new.append(RollMember(federation=federation, mobile_hash=hashed, imported_at=now, **values))
        else:
            for key, value in values.items():
                setattr(row, key, value)
            row.imported_at = now
            changed.append(row)
        report.unions[union.name] = report.unions.get(union.name, 0) + 1
    RollMember.objects.bulk_create(new, batch_size=1000)
    RollMember.objects.bulk_update(
        changed, ["union", "mobile_masked", "name_masked", "imported_at"], batch_size=1000
    )
    report.added, report.updated = len(new), len(changed)
    audit.log(
        actor=actor,
        action="participation.roll.import",
        obj=federation,
        after={
            "added": report.added,
            "updated": report.updated,
            "removed": report.removed,
            "replace": replace,
        },
        federation_id=federation.pk,
    )
    return report
