"""The back office of the service menu; a category proposal is only read here (its service decides it)."""

from django.contrib import admin

from dajia.core.admin import ReadOnlyAdmin
from dajia.menu.models import Category, CategoryProposal, ProjectPhoto, ServiceProject


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name_zh", "name_en", "code", "position", "active"]
    list_filter = ["active"]
    search_fields = ["name_zh", "name_en", "code"]


class PhotoInline(admin.TabularInline):
    model = ProjectPhoto
    extra = 0


@admin.register(ServiceProject)
class ServiceProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "provider", "category", "format", "price", "status"]
    list_filter = ["status", "category", "format"]
    search_fields = ["title", "description", "provider__name", "title_initials"]
    list_select_related = ["provider", "category"]
    inlines = [PhotoInline]


@admin.register(ProjectPhoto)
class ProjectPhotoAdmin(admin.ModelAdmin):
    list_display = ["project", "caption"]
    search_fields = ["project__title", "caption"]
    list_select_related = ["project"]


@admin.register(CategoryProposal)
class CategoryProposalAdmin(ReadOnlyAdmin):
    """Decided by the top federation's office on the categories page (an audited service), only read here."""

    list_display = ["name_zh", "federation", "status", "created_at", "decided_at"]
    list_filter = ["status", "federation"]
    search_fields = ["name_zh", "name_en", "reason"]
    list_select_related = ["federation"]
