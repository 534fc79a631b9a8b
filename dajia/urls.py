from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from dajia.api.urls import api

admin.site.site_header = "大家 Dajia 后台管理"
admin.site.site_title = "大家 Dajia"
admin.site.index_title = "数据管理 / Data administration"

urlpatterns = [
    path("", include("dajia.core.urls")),
    path("accounts/", include("dajia.accounts.urls")),
    path("orgs/", include("dajia.orgs.urls")),
    path("menu/", include("dajia.menu.urls")),
    path("needs/", include("dajia.needs.urls")),
    path("sessions/", include("dajia.consultations.urls")),
    path("participation/", include("dajia.participation.urls")),
    path("notices/", include("dajia.notices.urls")),
    path("agreements/", include("dajia.agreements.urls")),
    path("orders/", include("dajia.orders.urls")),
    path("live/", include("dajia.live.urls")),
    path("desk/", include("dajia.desk.urls")),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
