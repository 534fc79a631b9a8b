"""The panel side: office set-up, the evaluators' phones, the chair's console and the big screen."""

from django.urls import path

from dajia.consultations import views_chair, views_evaluator, views_screen, views_setup

urlpatterns = [
    # Office set-up
    path("", views_setup.session_list, name="session_list"),
    path("new/", views_setup.session_create, name="session_create"),
    path("<int:pk>/", views_setup.session_setup, name="setup"),
    path("<int:pk>/edit/", views_setup.session_edit, name="session_edit"),
    path("<int:pk>/rubric/", views_setup.rubric, name="rubric"),
    path("<int:pk>/entries/", views_setup.entries, name="entries"),
    path("<int:pk>/entries/<int:entry_id>/remove/", views_setup.entry_remove, name="entry_remove"),
    path("<int:pk>/entries/<int:entry_id>/move/", views_setup.entry_move, name="entry_move"),
    path("<int:pk>/entries/<int:entry_id>/update/", views_setup.entry_update, name="entry_update"),
    path("<int:pk>/evaluators/", views_setup.evaluators, name="evaluators"),
    path(
        "<int:pk>/evaluators/<int:evaluator_id>/remove/",
        views_setup.evaluator_remove,
        name="evaluator_remove",
    ),
    path(
        "<int:pk>/evaluators/<int:evaluator_id>/relink/",
        views_setup.evaluator_relink,
        name="evaluator_relink",
    ),
    path("<int:pk>/evaluators/<int:evaluator_id>/qr.svg", views_setup.evaluator_qr, name="evaluator_qr"),
    path("<int:pk>/sign-in-sheet/", views_setup.signin_sheet, name="signin_sheet"),
    path("<int:pk>/open/", views_setup.session_open, name="session_open"),
    # Chair's console
    path("<int:pk>/chair/", views_chair.chair, name="chair"),
    path("<int:pk>/chair/progress", views_chair.chair_progress, name="chair_progress"),
    path("<int:pk>/entries/<int:entry_id>/stage/", views_chair.entry_stage, name="entry_stage"),
    path("<int:pk>/entries/<int:entry_id>/window-open/", views_chair.window_open, name="window_open"),
    path("<int:pk>/entries/<int:entry_id>/window-close/", views_chair.window_close, name="window_close"),
    path("<int:pk>/close/", views_chair.session_close, name="session_close"),
    # Big screen (public)
    path("<int:pk>/screen/", views_screen.screen, name="screen"),
    path("<int:pk>/screen/progress", views_screen.screen_progress, name="screen_progress"),
    # Evaluator's phone (the token authenticates)
    path("e/<str:token>/", views_evaluator.evaluator_page, name="evaluator_page"),
    path("e/<str:token>/state", views_evaluator.evaluator_state, name="evaluator_state"),
    path("e/<str:token>/entries/<int:entry_id>/sheet", views_evaluator.sheet_submit, name="evaluator_sheet"),
    path(
        "e/<str:token>/entries/<int:entry_id>/conflict",
        views_evaluator.conflict_declare,
        name="evaluator_conflict",
    ),
]
