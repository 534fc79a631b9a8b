"""The site's URLs, and its own error pages (dajia/core/errors.py).

MEDIA_ROOT is never served from here: its public folders are served in front of Django (dajia/core/media.py,
under runserver too, through dajia/wsgi.py) and the private delivery evidence only by the view that checks
permissions.
"""

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
    path("workbench/", include("dajia.workbench.urls")),
    path("inbox/", include("dajia.notifications.urls")),
    path("desk/", include("dajia.desk.urls")),
    path("checkups/", include("dajia.checkups.urls")),
    path("lectures/", include("dajia.lectures.urls")),
    path("finance/", include("dajia.finance.urls")),
    path("ledger/", include("dajia.ledger.urls")),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler400 = "dajia.core.errors.bad_request"
handler403 = "dajia.core.errors.permission_denied"
handler404 = "dajia.core.errors.page_not_found"
handler500 = "dajia.core.errors.server_error"
