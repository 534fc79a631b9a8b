from django.core.management.base import BaseCommand

from dajia.demo.foundation import DEMO_PASSWORD, LOGINS


class Command(BaseCommand):
    help = "打印演示账号 / Print the demo logins"

    def add_arguments(self, parser):
        parser.add_argument("--address", default="http://127.0.0.1:8000")

    def handle(self, *args, address, **options):
        out = self.stdout
        out.write("")
        out.write("=" * 72)
        out.write(f"大家 Dajia 已就绪 / is ready: {address}")
        out.write(f"演示账号（密码均为 / every password: {DEMO_PASSWORD}）:")
        for username, role in LOGINS:
            out.write(f"  {username:<12} {role}")
        out.write("=" * 72)
        out.write("")
