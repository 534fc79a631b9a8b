"""The hook between agreements and the 公示 objections (built by another module).

:func:`upheld_objection_project_ids` answers "against which invited projects of this session was an objection
upheld?" from ``dajia.participation.models.Objection`` when that app is installed (fields relied on: ``session``
FK, ``entry`` FK to SessionProject, ``status`` with the value ``"upheld"``), else it answers "none".
"""

from __future__ import annotations

from django.apps import apps


def objection_model():
    if not apps.is_installed("dajia.participation"):
        return None
    try:
        return apps.get_model("participation", "Objection")
    except LookupError:
        return None


def upheld_objection_project_ids(session) -> set[int]:
    """Ids of the session's SessionProject rows (entries) with an upheld objection."""
    model = objection_model()
    if model is None:
        return set()
    return set(
        model.objects.filter(session=session, status="upheld")
        .exclude(entry__isnull=True)
        .values_list("entry_id", flat=True)
    )
