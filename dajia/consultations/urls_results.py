from django.urls import path

from dajia.consultations import views_results as views

# Included from dajia/consultations/urls.py (app_name "consultations", mounted at /sessions/).
urlpatterns = [
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/results/reveal", views.results_reveal, name="results_reveal"),
    path("<int:pk>/results/publish", views.results_publish, name="results_publish"),
    path("<int:pk>/results/tie-break", views.results_tie_break, name="results_tie_break"),
    path("<int:pk>/results.xlsx", views.results_xlsx, name="results_xlsx"),
    path("<int:pk>/report.pdf", views.results_report_pdf, name="results_report_pdf"),
    path("<int:pk>/ranking/", views.ranking, name="ranking"),
    path("<int:pk>/ranking/partial", views.ranking_partial, name="ranking_partial"),
    path("<int:pk>/notice/", views.notice, name="results_notice"),
    path("<int:pk>/paper/", views.paper_entry, name="paper_entry"),
    path("<int:pk>/import/", views.sheets_import, name="sheets_import"),
]
