from django.urls import path

from dajia.needs import views, views_surveys

app_name = "needs"
urlpatterns = [
    path("", views.need_list_view, name="list"),
    path("new/", views.need_new, name="new"),
    path("check/", views.need_check, name="check"),
    path("mine/", views.my_needs, name="mine"),
    path("<int:pk>/", views.need_detail, name="detail"),
    path("<int:pk>/support/", views.need_support, name="support"),
    path("<int:pk>/unsupport/", views.need_unsupport, name="unsupport"),
    path("<int:pk>/category/", views.need_categorise, name="categorise"),
    path("<int:pk>/status/", views.need_status, name="status"),
    path("<int:pk>/merge/", views.need_merge, name="merge"),
    path("office/", views.office_queue, name="office"),
    path("office/export.xlsx", views.office_export, name="office_export"),
    path("import/", views.needs_import, name="import"),
    path("rules/", views.suggestion_rules, name="rules"),
    path("ranking/", views.ranking, name="ranking"),
    path("ranking/export.xlsx", views.ranking_export, name="ranking_export"),
    path("coverage/<int:session_id>/", views.coverage, name="coverage"),
    path("surveys/", views_surveys.survey_list, name="survey_list"),
    path("surveys/new/", views_surveys.survey_create, name="survey_create"),
    path("surveys/<int:pk>/", views_surveys.survey_detail, name="survey_detail"),
    path("surveys/<int:pk>/questions/", views_surveys.question_add, name="question_add"),
    path(
        "surveys/<int:pk>/questions/<int:question_id>/remove/",
        views_surveys.question_remove,
        name="question_remove",
    ),
    path("surveys/<int:pk>/send/", views_surveys.survey_send, name="survey_send"),
    path("surveys/<int:pk>/state/<str:action>/", views_surveys.survey_state, name="survey_state"),
    path("surveys/<int:pk>/results/", views_surveys.survey_results, name="survey_results"),
    path("surveys/<int:pk>/export.xlsx", views_surveys.survey_export, name="survey_export"),
    path("surveys/links/<int:invite_id>/", views_surveys.invite_page, name="invite"),
    path("surveys/links/<int:invite_id>/paper/", views_surveys.invite_paper, name="invite_paper"),
    path("s/<str:token>/", views_surveys.answer, name="answer"),
    path("s/<str:token>/thanks/", views_surveys.answer_thanks, name="answer_thanks"),
]
