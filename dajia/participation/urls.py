"""Mounted at /participation/ (app_name "participation")."""

from django.urls import path
from django.views.generic import RedirectView

from dajia.participation import views, views_office, views_outbox

app_name = "participation"
urlpatterns = [
    path("", views.index, name="index"),
    # The public live page and what a viewer does on it
    path("s/<int:pk>/", views.live, name="live"),
    path("s/<int:pk>/agenda", views.agenda_partial, name="agenda"),
    path("s/<int:pk>/qr.svg", views.live_qr, name="live_qr"),
    path("s/<int:pk>/code", views.code_request, name="code_request"),
    path("s/<int:pk>/verify", views.verify, name="verify"),
    path("s/<int:pk>/me", views.me, name="me"),
    path("s/<int:pk>/leave", views.leave, name="leave"),
    path("s/<int:pk>/forget", views.forget, name="forget"),
    path("s/<int:pk>/support", views.support, name="support"),
    path("s/<int:pk>/comments", views.comments, name="comments"),
    # The 公示 objection pages moved to dajia.notices (/notices/); old links, e.g. on printed notices, still work.
    path("s/<int:pk>/objection/", RedirectView.as_view(pattern_name="notices:objection", permanent=True)),
    path("s/<int:pk>/objections/", RedirectView.as_view(pattern_name="notices:objections", permanent=True)),
    # The office
    path("office/", views_office.office, name="office"),
    path("s/<int:pk>/office/", views_office.console, name="console"),
    path("s/<int:pk>/office/settings", views_office.settings_update, name="settings_update"),
    path("s/<int:pk>/office/floor", views_office.floor_record, name="floor_record"),
    path("s/<int:pk>/moderate/", views_office.moderate, name="moderate"),
    path("comments/<int:comment_id>/moderate", views_office.comment_moderate, name="comment_moderate"),
    path("comments/<int:comment_id>/answer", views_office.comment_answer, name="comment_answer"),
    path("s/<int:pk>/abuse/", views_office.abuse, name="abuse"),
    path("words/", views_office.words, name="words"),
    path("words/<int:word_id>/remove", views_office.word_remove, name="word_remove"),
    path("roll/", views_office.roll, name="roll"),
    # A local trial only: the codes the development SMS sender wrote instead of sending
    path("outbox/", views_outbox.sms_outbox, name="sms_outbox"),
]
