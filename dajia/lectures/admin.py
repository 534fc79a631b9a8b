"""The office keeps the topic menu here as well as on its page; lectures and their sign-ins are written only by
the services (they count in the outcome ledger), so the admin only reads them."""

from django.contrib import admin

from dajia.core.admin import ReadOnlyAdmin
from dajia.lectures.models import Lecture, LectureSignIn, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["title", "specialty", "minutes", "active", "federation"]
    list_filter = ["specialty", "active"]


@admin.register(Lecture)
class LectureAdmin(ReadOnlyAdmin):
    list_display = ["topic", "park", "status", "starts_at", "speaker", "capacity", "delivered_at"]
    list_filter = ["status"]


@admin.register(LectureSignIn)
class LectureSignInAdmin(ReadOnlyAdmin):
    list_display = ["lecture", "seat", "signed_at"]
