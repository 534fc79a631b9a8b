"""Tell each reviewer of the return visits that are due (cron, daily): ``manage.py checkups_visits_due``."""

from django.core.management.base import BaseCommand

from dajia.checkups.services_visits import visits_remind


class Command(BaseCommand):
    help = "提醒专家到期的法治体检回访 / Tell reviewers of the health checks' return visits that are due"

    def handle(self, *args, **options):
        count = visits_remind()
        self.stdout.write(f"return visits due: {count}")
