"""Flag the desk's open cases past a service target and tell their team leads, and mask worker parties' data
whose retention period has ended (run every few minutes)."""

from django.core.management.base import BaseCommand

from dajia.desk.services import cases_check_targets, parties_expire


class Command(BaseCommand):
    help = "标记超时案件、到期脱敏 / flag desk cases past a target, mask expired personal data"

    def handle(self, *args, **options):
        flagged = cases_check_targets()
        masked = parties_expire()
        self.stdout.write(f"overdue {len(flagged)}, masked {masked}")
