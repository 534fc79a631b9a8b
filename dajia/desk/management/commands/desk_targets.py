"""Flag the desk's open cases past a service target and tell their team leads (run every few minutes)."""

from django.core.management.base import BaseCommand

from dajia.desk.services import cases_check_targets


class Command(BaseCommand):
    help = "标记超出服务时限的案件 / flag desk cases past a service target"

    def handle(self, *args, **options):
        flagged = cases_check_targets()
        self.stdout.write(f"{len(flagged)}")
