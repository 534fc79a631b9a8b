from django.contrib import admin

from dajia.core.admin import ReadOnlyAdmin
from dajia.needs.models import Answer, Need, NeedUpdate, Question, Response, Support, Survey, SurveyInvite


class NeedUpdateInline(admin.TabularInline):
    model = NeedUpdate
    extra = 0
    fields = ["status", "message", "public", "actor", "created_at"]
    readonly_fields = ["created_at"]
    raw_id_fields = ["actor"]


@admin.register(Need)
class NeedAdmin(admin.ModelAdmin):
    list_display = ["id", "text", "category", "status", "union", "park", "federation", "source", "created_at"]
    list_filter = ["status", "category", "source", "category_by", "federation"]
    search_fields = ["text", "union__name", "park__name", "author__username"]
    list_select_related = ["category", "union", "park", "federation"]
    raw_id_fields = ["author", "union", "park", "merged_into"]
    readonly_fields = ["tokens", "suggested_category", "created_at", "updated_at"]
    inlines = [NeedUpdateInline]


@admin.register(Support)
class SupportAdmin(ReadOnlyAdmin):
    list_display = ["need", "user", "created_at"]
    search_fields = ["need__text", "user__username"]
    list_select_related = ["need", "user"]
    raw_id_fields = ["need", "user"]


@admin.register(NeedUpdate)
class NeedUpdateAdmin(admin.ModelAdmin):
    list_display = ["need", "status", "public", "created_at"]
    list_filter = ["status", "public"]
    search_fields = ["need__text", "message"]
    list_select_related = ["need"]
    raw_id_fields = ["need", "actor"]


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["position", "kind", "text", "required", "options", "rank_limit"]


class InviteInline(admin.TabularInline):
    model = SurveyInvite
    extra = 0
    fields = ["union", "expected", "token"]
    readonly_fields = ["token"]
    raw_id_fields = ["union"]


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title", "federation", "state", "opened_at", "closed_at"]
    list_filter = ["state", "federation"]
    search_fields = ["title"]
    inlines = [QuestionInline, InviteInline]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["survey", "position", "kind", "text", "required"]
    list_filter = ["kind"]
    search_fields = ["text", "survey__title"]
    list_select_related = ["survey"]


@admin.register(SurveyInvite)
class SurveyInviteAdmin(admin.ModelAdmin):
    list_display = ["survey", "union", "expected", "created_at"]
    search_fields = ["survey__title", "union__name"]
    list_select_related = ["survey", "union"]
    readonly_fields = ["token"]
    raw_id_fields = ["union"]


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    fields = ["question", "value"]
    raw_id_fields = ["question"]


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = ["survey", "invite", "source", "created_at"]
    list_filter = ["source", "survey"]
    list_select_related = ["survey", "invite__union"]
    raw_id_fields = ["invite", "respondent"]
    inlines = [AnswerInline]


@admin.register(Answer)
class AnswerAdmin(ReadOnlyAdmin):
    list_display = ["response", "question", "value"]
    list_select_related = ["response", "question"]
    raw_id_fields = ["response", "question"]
