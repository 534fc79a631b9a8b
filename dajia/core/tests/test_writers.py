"""Each write rule has one implementation (issue 12): outside the services, the audit module, the demo builders
and the benchmark's data generator, nothing writes Sheet, Score, Support, SupportCount or AuditLog rows — no
ORM write on their managers, no instance built to be saved, no hand-written SQL on their tables — and the ASGI
edge imports neither a model nor ``django.db`` (the import-linter contract in .importlinter checks the models
too; this test also covers what it cannot name)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

DAJIA = Path(__file__).resolve().parents[2]

GUARDED = {
    "dajia.consultations.models.Sheet",
    "dajia.consultations.models.Score",
    "dajia.participation.models.Support",
    "dajia.participation.models.SupportCount",
    "dajia.core.models.AuditLog",
}
TABLES = re.compile(
    r"\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\W?(consultations_sheet|consultations_score|participation_support"
    r"|participation_supportcount|core_auditlog)\b",
    re.IGNORECASE,
)
WRITES = {"create", "bulk_create", "update", "bulk_update", "update_or_create", "get_or_create", "delete"}

# Where these rows may be written: the services (one implementation per rule), the audit log's own module, the
# demo builders and the benchmark's data generator.
ALLOWED = {
    "consultations/services_sheets.py",
    "participation/services.py",
    "participation/services_supports.py",
    "participation/services_retention.py",
    "core/audit.py",
}
ALLOWED_PATTERNS = (re.compile(r"^[a-z_]+/demo\.py$"), re.compile(r"^demo/"))


def _sources():
    for path in sorted(DAJIA.rglob("*.py")):
        rel = path.relative_to(DAJIA).as_posix()
        if "/tests/" in f"/{rel}" or "/migrations/" in f"/{rel}":
            continue
        yield rel, path.read_text(encoding="utf-8")


def _imported_names(tree: ast.Module, module: str) -> dict[str, str]:
    """Local name → the dotted name it was imported as."""
    package = module.rsplit(".", 1)[0]
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join([*parts[: len(parts) - node.level + 1], base])
            for alias in node.names:
                names[alias.asname or alias.name] = f"{base}.{alias.name}"
    return names


def _writes(rel: str, text: str) -> list[str]:
    module = "dajia." + rel.removesuffix(".py").replace("/", ".")
    tree = ast.parse(text)
    names = _imported_names(tree, module)
    found = []
    for node in ast.walk(tree):
        # Model.objects.<write>(…), also through a queryset: Model.objects.filter(…).update(…)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WRITES:
            target = node.func.value
            while isinstance(target, ast.Call | ast.Attribute):
                target = target.func if isinstance(target, ast.Call) else target.value
            if isinstance(target, ast.Name) and names.get(target.id) in GUARDED:
                found.append(f"{rel}:{node.lineno} {target.id}….{node.func.attr}()")
        # Model(…): an instance built to be saved
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and names.get(node.func.id) in GUARDED
        ):
            found.append(f"{rel}:{node.lineno} {node.func.id}(…)")
    for match in TABLES.finditer(text):
        found.append(f"{rel}:{text.count(chr(10), 0, match.start()) + 1} SQL {match.group(0)}")
    return found


def test_only_the_services_write_sheets_scores_supports_counters_and_audit():
    offenders = []
    for rel, text in _sources():
        if rel in ALLOWED or any(p.match(rel) for p in ALLOWED_PATTERNS):
            continue
        offenders += _writes(rel, text)
    assert offenders == []


def test_the_check_finds_a_write_it_must_refuse():
    """The scan itself works: a hand-written insert and an ORM write outside the services are found."""
    text = (
        "from dajia.participation.models import Support\n"
        "def f(cursor):\n"
        "    Support.objects.filter(pk=1).update(ip=None)\n"
        "    cursor.execute('INSERT INTO core_auditlog (action) VALUES (1)')\n"
    )
    assert [w.split(" ", 1)[1] for w in _writes("live/elsewhere.py", text)] == [
        "Support….update()",
        "SQL INSERT INTO core_auditlog",
    ]
    # The other app's model of the same name is not one of these.
    assert _writes("needs/x.py", "from dajia.needs.models import Support\nSupport.objects.create()\n") == []


def test_the_edge_imports_no_model_and_no_database_code():
    tree = ast.parse((DAJIA / "live" / "edge.py").read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
    assert not {m for m in imported if m.startswith("django.db") or m.endswith(".models") or m == "dajia"}
    assert "django.conf" in imported  # the scan read the imports
