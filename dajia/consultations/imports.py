"""Importing paper score sheets from a sheet file: reading, matching rows to the panel and the invited
projects, and the preview kept between "check" and "import".

The file is read by the engine's ``sheetfile`` module (the format of PRODUCT.md, the same reader as
``dajia tally``); this module only maps names to database rows and says, line by line, what is wrong. The write
itself is ``services_results.sheets_import``, all or nothing.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dajia.consultations.models import Conflict, Evaluator, Session, SessionProject, Sheet
from dajia.consultations.results import ScoringError, entry_names, panel_names
from dajia.core.spreadsheets import Caps, check_upload, import_caps, read_upload
from dajia.scoring import engine
from dajia.scoring.grammar import cell_text

MAX_IMPORT_ERRORS = 50
PREVIEW_KEY = "dajia_sheet_import"


def caps() -> Caps:
    return import_caps("sheets")


def checked_upload(upload) -> bytes:
    """The uploaded sheet file's bytes once it is within the caps (``DAJIA_IMPORT_CAPS["sheets"]``): checked
    before the engine's parser is called, so a crafted file that would take minutes to parse (a small zip
    inflating to hundreds of MB, a sheet declaring a million rows) is refused at once. Raises
    ``SpreadsheetRefused``."""
    limits = caps()
    data = read_upload(upload, limits)
    check_upload(data, upload.name, limits)
    return data


def scoring_error_text(error: ScoringError) -> str:
    return f"{error.text_zh} / {error.text_en}"


@dataclass(frozen=True)
class ImportRow:
    line: int | None
    evaluator: str
    project: str
    complete: bool
    status: str  # "new", "changed", "unchanged"


@dataclass
class ImportReport:
    filename: str
    sha256: str
    rows: list[ImportRow] = field(default_factory=list)
    committed: bool = False

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def new(self) -> int:
        return self.count("new")

    @property
    def changed(self) -> int:
        return self.count("changed")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")


class ImportRejected(ValidationError):
    """The file was refused; ``messages`` hold one line each ("第 3 行：… / line 3: …")."""


class DryRun(Exception):
    """Raised to roll back a preview, carrying its report."""

    def __init__(self, report: ImportReport):
        super().__init__()
        self.report = report


def line_message(line: int | None, zh_en: str) -> str:
    return f"第 {line} 行 / line {line}: {zh_en}" if line is not None else zh_en


def score_value_text(value) -> str | None:
    return None if value is None else engine.decimal_text(value)


def plan_import(session: Session, sheet_file) -> tuple[list[tuple], list[str]]:
    """Match the file's rows to the panel and the invited projects; return (planned rows, error messages).

    The header must name exactly this session's criteria with the same maxima (in any order). A row's
    evaluator is matched by name and its project by title (``title(provider)`` when two invited projects share
    a title); a blank group means the evaluator's registered group, any other group must be it. Every row is
    checked and every problem reported with its line (up to 50), then the engine's rules across rows (one sheet
    per evaluator and project) are applied.
    """
    errors: list[str] = []
    criteria = list(session.criteria.order_by("position", "id"))
    expected = {cell_text(c.name): c for c in criteria}
    found = {c.name: c.max for c in sheet_file.criteria}
    for name, criterion in expected.items():
        if name not in found:
            errors.append(
                line_message(
                    1,
                    _("the column %(c)s of the rubric is missing")
                    % {"c": f"{name}({engine.decimal_text(criterion.max_points)})"},
                )
            )
        elif found[name] != Fraction(criterion.max_points):
            errors.append(
                line_message(
                    1,
                    _("the maximum of %(c)s is %(max)s on this session's rubric, not %(found)s")
                    % {
                        "c": name,
                        "max": engine.decimal_text(criterion.max_points),
                        "found": engine.decimal_text(found[name]),
                    },
                )
            )
    for name in found:
        if name not in expected:
            errors.append(
                line_message(1, _("%(c)s is not a criterion of this session's rubric") % {"c": name})
            )
    if errors:
        return [], errors
    entries = list(
        SessionProject.objects.filter(session=session)
        .select_related("project__provider")
        .order_by("position")
    )
    names = entry_names(entries)
    projects = {names[e.pk]: e for e in entries}
    titles: dict[str, list[SessionProject]] = {}
    for entry in entries:
        titles.setdefault(cell_text(entry.project.title), []).append(entry)
    panel_list = list(Evaluator.objects.filter(session=session))
    evaluators = {name: e for e, name in zip(panel_list, panel_names(panel_list).values(), strict=True)}
    conflicts = set(Conflict.objects.filter(entry__session=session).values_list("evaluator_id", "entry_id"))
    planned = []
    for sheet in sheet_file.sheets:
        line = sheet.line
        evaluator = evaluators.get(sheet.evaluator)
        entry = projects.get(sheet.project)
        problems = []
        if evaluator is None:
            problems.append(
                _("no evaluator named %(name)s in this session (check the spelling against the panel list)")
                % {"name": sheet.evaluator}
            )
        if entry is None:
            if len(titles.get(sheet.project, [])) > 1:
                problems.append(
                    _("two invited projects are called %(t)s: write the project as %(example)s")
                    % {"t": sheet.project, "example": names[titles[sheet.project][0].pk]}
                )
            else:
                problems.append(_("no invited project called %(t)s in this session") % {"t": sheet.project})
        if evaluator is not None and sheet.group and sheet.group != cell_text(evaluator.group):
            problems.append(
                _("evaluator %(name)s is in the group %(g)s, not %(found)s")
                % {"name": sheet.evaluator, "g": evaluator.group or "—", "found": sheet.group}
            )
        if evaluator is not None and entry is not None and (evaluator.pk, entry.pk) in conflicts:
            problems.append(
                _("%(name)s declared a conflict of interest for %(t)s and cannot score it")
                % {"name": sheet.evaluator, "t": sheet.project}
            )
        for problem in problems:
            errors.append(line_message(line, problem))
        if not problems:
            scores = {c.pk: score_value_text(sheet.scores.get(cell_text(c.name))) for c in criteria}
            planned.append((sheet, evaluator, entry, scores))
        if len(errors) >= MAX_IMPORT_ERRORS:
            break
    if errors:
        return [], errors
    # The engine's own rules across rows (one sheet per evaluator and project, one group per evaluator), with a
    # blank group read as the evaluator's registered group.
    try:
        engine.tally(
            sheet_file.criteria,
            [
                engine.Sheet(s.evaluator, s.group or cell_text(e.group), s.project, s.scores, s.line)
                for s, e, _, _ in planned
            ],
            method="mean",
        )
    except ScoringError as error:
        return [], [scoring_error_text(error)]
    return planned, errors


def same_scores(sheet: Sheet, scores: dict[int, str | None]) -> bool:
    stored = {s.criterion_id: s.value for s in sheet.scores.all()}
    for cid, text in scores.items():
        value = stored.get(cid)
        if (value is None) != (text is None) or (value is not None and value != Decimal(text)):
            return False
    return True


# ---- the preview: the uploaded file is kept in the user's session until it is imported or replaced ----------


def preview_store(request, session: Session, data: bytes, filename: str) -> str:
    sha = hashlib.sha256(data).hexdigest()
    request.session[PREVIEW_KEY] = {
        "session": session.pk,
        "filename": filename,
        "sha256": sha,
        "data": base64.b64encode(data).decode("ascii"),
    }
    return sha


def preview_load(request, session: Session, sha: str) -> tuple[bytes, str] | None:
    stored = request.session.get(PREVIEW_KEY)
    if not stored or stored.get("session") != session.pk or stored.get("sha256") != sha:
        return None
    return base64.b64decode(stored["data"]), stored["filename"]


def preview_clear(request) -> None:
    request.session.pop(PREVIEW_KEY, None)
