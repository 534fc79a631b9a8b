from django.core.management.base import BaseCommand

from dajia.participation.services_retention import participation_prune


class Command(BaseCommand):
    help = (
        "删除过期的验证码、访问地址和计数 / Remove expired codes, client addresses and rate counters (PIPL)"
    )

    def handle(self, *args, **options):
        done = participation_prune()
        self.stdout.write(" ".join(f"{k}={v}" for k, v in done.items()))
