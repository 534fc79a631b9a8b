"""Background job, run it from cron (e.g. every hour): activate agreements whose 公示 window has closed."""

from django.core.management.base import BaseCommand

from dajia.agreements.services import agreement_activate_due


class Command(BaseCommand):
    help = "生效公示期满且无成立异议的已签协议 / Activate signed agreements whose objection window has closed"

    def handle(self, *args, **options):
        result = agreement_activate_due()
        for agreement in result["activated"]:
            self.stdout.write(f"生效 activated: {agreement.number}")
        for agreement in result["voided"]:
            self.stdout.write(f"作废 voided (objection upheld): {agreement.number}")
        self.stdout.write(
            self.style.SUCCESS(f"activated {len(result['activated'])}, voided {len(result['voided'])}")
        )
