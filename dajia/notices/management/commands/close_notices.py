"""Background job, run it from cron (e.g. every hour): settle the agreements of 公示 windows that have closed."""

from django.core.management.base import BaseCommand

from dajia.notices.services import notices_close_due


class Command(BaseCommand):
    help = (
        "公示期满：无待答复或成立异议的已签协议生效，异议成立的作废 / Close due public-notice windows: activate "
        "signed agreements with no objection pending or upheld, void those with one upheld"
    )

    def handle(self, *args, **options):
        result = notices_close_due()
        for agreement in result["activated"]:
            self.stdout.write(f"生效 activated: {agreement.number}")
        for agreement in result["voided"]:
            self.stdout.write(f"作废 voided (objection upheld): {agreement.number}")
        for agreement in result["waiting"]:
            self.stdout.write(f"待答复 waiting (objection pending): {agreement.number}")
        self.stdout.write(
            self.style.SUCCESS(
                f"activated {len(result['activated'])}, voided {len(result['voided'])}, "
                f"waiting {len(result['waiting'])}"
            )
        )
