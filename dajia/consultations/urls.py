from django.urls import include, path

app_name = "consultations"
# Two url modules so the panel side (setup, phones, chair console, big screen) and the results side
# (results, exports, paper sheets, publication) can grow separately.
urlpatterns = [
    path("", include("dajia.consultations.urls_panel")),
    path("", include("dajia.consultations.urls_results")),
]
