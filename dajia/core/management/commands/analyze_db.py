from django.core.management.base import BaseCommand

from dajia.core.dbstats import analyze


class Command(BaseCommand):
    help = "更新查询规划所需的统计信息（每日）/ Refresh the statistics the query planner chooses indexes by (daily)"

    def handle(self, *args, **options):
        if analyze():
            self.stdout.write("数据库统计已更新 / database statistics refreshed")
        else:
            self.stdout.write("PostgreSQL 由 autovacuum 维护统计 / PostgreSQL's autovacuum keeps them")
