from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "dajia.orders"
    label = "orders"
    verbose_name = _("Orders and delivery")

    def ready(self):
        from dajia.agreements.signals import agreement_closed
        from dajia.orders.services import cancel_on_agreement_closed

        agreement_closed.connect(cancel_on_agreement_closed, dispatch_uid="orders.cancel_on_agreement_closed")
