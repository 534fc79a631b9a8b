"""Load the demo drawn from the seed, once. Each app may add to it through a ``demo.py`` with
``build(ctx)``, run after the foundation in INSTALLED_APPS order."""

from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from dajia.demo import foundation
from dajia.orgs.models import Federation


class Command(BaseCommand):
    help = "加载演示数据 / Load the demo data drawn from the seed (skipped when already loaded)"

    def handle(self, *args, **options):
        if Federation.objects.filter(name="下城区总工会").exists():
            self.stdout.write("演示数据已存在，跳过 / demo data already loaded")
            return
        with transaction.atomic():
            ctx = foundation.build()
            for config in apps.get_app_configs():
                if not config.name.startswith("dajia.") or config.name == "dajia.demo":
                    continue
                try:
                    module = import_module(f"{config.name}.demo")
                except ModuleNotFoundError as e:
                    if e.name != f"{config.name}.demo":
                        raise
                    continue
                module.build(ctx)
        self.stdout.write(self.style.SUCCESS("演示数据已加载 / demo data loaded"))
