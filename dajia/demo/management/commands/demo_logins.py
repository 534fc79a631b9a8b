"""``manage.py demo_logins``: the banner ``make run`` prints once everything is ready — where to open the site
(on this computer and, for a trial with phones, on the venue's network), the demo accounts, and where the SMS
codes of the demo go (nothing is sent: the office's SMS outbox page shows them)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from dajia.core.siteurl import is_loopback_url, local_url, site_base_url
from dajia.demo.foundation import DEMO_PASSWORD, LOGINS


class Command(BaseCommand):
    help = "打印演示账号 / Print the demo logins"

    def add_arguments(self, parser):
        parser.add_argument(
            "--address", default=None, help="默认 DAJIA_SITE_URL / default: the site's address"
        )

    def handle(self, *args, address, **options):
        address = address or site_base_url()
        out = self.stdout
        out.write("")
        out.write("=" * 72)
        out.write(f"大家 Dajia 已就绪 / is ready: {address}")
        if not is_loopback_url(address):
            out.write(f"  本机 / on this computer: {local_url()}")
        if is_loopback_url(address):
            out.write(
                "  手机无法打开本机地址；现场试用请用 make run HOST=0.0.0.0 / phones cannot open this address; "
                "for a trial with phones use make run HOST=0.0.0.0"
            )
        out.write(f"演示账号（密码均为 / every password: {DEMO_PASSWORD}）:")
        for username, role in LOGINS:
            out.write(f"  {username:<12} {role}")
        if settings.DAJIA_LOCAL_TRIAL:
            out.write(
                "短信不会发出：观众的验证码在办公室账号的“短信发件箱”页面 / no SMS is sent: viewers' codes are on the "
                f"office's SMS outbox page, {address}/participation/outbox/"
            )
        out.write("=" * 72)
        out.write("")
