"""Admin views for support staff. Sessions are run from the office pages (which go through the services and
the audit log); here everything that decides a result is read-only."""

from django.contrib import admin

from dajia.consultations.models import (
    Conflict,
    Criterion,
    Evaluator,
    PublishedResult,
    Score,
    Session,
    SessionProject,
    Sheet,
    StoredTally,
)
from dajia.core.admin import ReadOnlyAdmin


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CriterionInline(ReadOnlyInline):
    model = Criterion
    fields = ["position", "name", "max_points"]


class EntryInline(ReadOnlyInline):
    model = SessionProject
    fields = ["position", "project", "amount", "window", "tie_break_order", "tie_break_reason"]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["title", "federation", "starts_at", "state", "method", "budget"]
    list_filter = ["state", "federation"]
    search_fields = ["title", "venue"]
    list_select_related = ["federation"]
    readonly_fields = [
        "state",
        "method",
        "trim_min",
        "group_weights",
        "on_stage",
        "opened_at",
        "closed_at",
        "revealed_at",
        "published_at",
        "created_by",
        "created_at",
    ]
    inlines = [CriterionInline, EntryInline]


@admin.register(Evaluator)
class EvaluatorAdmin(admin.ModelAdmin):
    list_display = ["name", "group", "session", "last_seen_at"]
    list_filter = ["group"]
    search_fields = ["name", "session__title"]
    list_select_related = ["session"]
    readonly_fields = ["session", "group", "person", "last_seen_at"]


class ScoreInline(ReadOnlyInline):
    model = Score
    fields = ["criterion", "value"]


@admin.register(Sheet)
class SheetAdmin(ReadOnlyAdmin):
    list_display = ["receipt", "evaluator", "entry", "complete", "source", "amendments", "updated_at"]
    list_filter = ["complete", "source"]
    search_fields = ["receipt", "evaluator__name"]
    list_select_related = ["evaluator", "entry", "entry__project"]
    inlines = [ScoreInline]


@admin.register(Conflict)
class ConflictAdmin(admin.ModelAdmin):
    list_display = ["evaluator", "entry", "reason", "declared_at"]
    list_select_related = ["evaluator", "entry", "entry__project"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PublishedResult)
class PublishedResultAdmin(ReadOnlyAdmin):
    list_display = ["session", "digest", "published_at", "published_by"]
    list_select_related = ["session", "published_by"]


@admin.register(StoredTally)
class StoredTallyAdmin(ReadOnlyAdmin):
    """Derived from the sheets (consultations.results_view): shown, never edited; the page recomputes it."""

    list_display = ["session", "fingerprint", "computed_at"]
    list_select_related = ["session"]
    exclude = ["data"]  # the page's view of the tally, tens of kilobytes of JSON


@admin.register(Criterion)
class CriterionAdmin(ReadOnlyAdmin):
    list_display = ["name", "max_points", "position", "session"]
    list_select_related = ["session"]
    search_fields = ["name", "session__title"]


@admin.register(SessionProject)
class SessionProjectAdmin(ReadOnlyAdmin):
    list_display = ["position", "project", "session", "amount", "window", "tie_break_order"]
    list_select_related = ["session", "project"]
    list_filter = ["window"]
    search_fields = ["project__title", "session__title"]


@admin.register(Score)
class ScoreAdmin(ReadOnlyAdmin):
    list_display = ["sheet", "criterion", "value"]
    list_select_related = ["sheet", "criterion"]
    search_fields = ["sheet__receipt"]
