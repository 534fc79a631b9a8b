"""Data for ``make bench`` (never for a real database): fast bulk inserts.

``manage.py bench_generate --live --evaluators 2000 --entries 20 --viewers 60000 --fixture F.json``
    one open consultation session with every scoring window open, its evaluators (secret links ``bench-e-<n>``),
    verified viewers each with a browser session (cookie ``sessionid=bv<n, 30 digits>``) — everything the
    ingestion, live-read and fan-out benchmarks send requests for. Writes what the harness needs to ``F.json``.
``manage.py bench_generate --projects 10000 --orders 1000000 --needs 100000``
    the menu with that many published projects, that many orders in every state for the office's delivery
    overview (login ``bench-office`` / ``bench-pass-2020``), and that many needs on the wall, each supported by
    up to five of 60 workers.

On SQLite the rows go in with ``executemany`` in large transactions; on PostgreSQL with ``COPY``.
"""

from __future__ import annotations

import datetime
import json
import random
import time
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

OFFICE_USERNAME = "bench-office"
OFFICE_PASSWORD = "bench-pass-2020"  # noqa: S105 - a benchmark login on a throw-away database
CSRF_SECRET = "benchcsrfbenchcsrfbenchcsrfbench"  # noqa: S105 - 32 characters: the viewers' csrftoken cookie and header


def viewer_session_key(n: int) -> str:
    return f"bv{n:030d}"


def evaluator_token(n: int) -> str:
    return f"bench-e-{n}"


def _insert(table: str, columns: list[str], rows, *, chunk: int = 50_000) -> int:
    """Bulk insert plain tuples; COPY on PostgreSQL, executemany in chunks on SQLite."""
    count = 0
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    name = connection.ops.quote_name(table)
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.connection.cursor().copy(f"COPY {name} ({quoted}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {name} ({quoted}) VALUES ({marks})"  # noqa: S608 - our own table and column names
    batch: list = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) >= chunk:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _dt(value: datetime.datetime):
    return connection.ops.adapt_datetimefield_value(value)


class Command(BaseCommand):
    help = "生成基准测试数据 / generate benchmark data (make bench)"

    def add_arguments(self, parser):
        parser.add_argument("--live", action="store_true", help="an open session with evaluators and viewers")
        parser.add_argument("--evaluators", type=int, default=2000)
        parser.add_argument("--entries", type=int, default=20)
        parser.add_argument("--viewers", type=int, default=60000)
        parser.add_argument("--support-limit", type=int, default=3)
        parser.add_argument("--projects", type=int, default=0, help="published projects on the menu")
        parser.add_argument("--orders", type=int, default=0, help="orders for the delivery overview")
        parser.add_argument("--needs", type=int, default=0, help="needs on the public wall, with supports")
        parser.add_argument("--fixture", default="", help="write what the harness needs here (JSON)")
        parser.add_argument("--seed", type=int, default=2020)

    def handle(self, *args, **opts):
        from django.conf import settings

        if "bench" not in str(settings.DATABASES["default"]["NAME"]):
            raise CommandError("bench_generate only writes to a database whose name contains 'bench'")
        rng = random.Random(opts["seed"])
        started = time.perf_counter()
        fixture: dict = {}
        world = self._world(max(opts["entries"], 20))
        fixture["office"] = {
            "username": OFFICE_USERNAME,
            "password": OFFICE_PASSWORD,
            "cookie": f"sessionid={self._office_session(world['office'])}",
        }
        # The category the pages' benchmark filters by (the menu's and the needs wall's).
        fixture["category"] = next(
            (c.pk for c in world["categories"] if c.code == "safety"), world["categories"][0].pk
        )
        if opts["live"]:
            fixture["live"] = self._live(world, opts, rng)
        if opts["projects"]:
            fixture["projects"] = self._projects(world, opts["projects"], rng)
        if opts["orders"]:
            fixture["orders"] = self._orders(world, opts["orders"], rng)
        if opts["needs"]:
            fixture["needs"] = self._needs(world, opts["needs"], rng)
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        else:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        fixture["seconds"] = round(time.perf_counter() - started, 1)
        text = json.dumps(fixture, ensure_ascii=False)
        if opts["fixture"]:
            with open(opts["fixture"], "w", encoding="utf-8") as fh:
                fh.write(text)
        self.stdout.write(text)

    # -- the federation, its office, a category, providers and the projects sessions invite

    def _world(self, n_projects: int) -> dict:
        from dajia.accounts.models import RoleAssignment, User
        from dajia.demo.codes import uscc
        from dajia.menu.defaults import install_default_categories
        from dajia.menu.models import Category, ServiceProject
        from dajia.menu.services import title_search_keys
        from dajia.orgs.models import Federation, Provider

        with transaction.atomic():
            federation, _ = Federation.objects.get_or_create(
                name="基准区总工会", defaults={"region": "基准区"}
            )
            office = User.objects.filter(username=OFFICE_USERNAME).first()
            if office is None:
                office = User.objects.create(
                    username=OFFICE_USERNAME,
                    password=make_password(OFFICE_PASSWORD),
                    last_name="基",
                    first_name="准",
                )
                RoleAssignment.objects.create(user=office, role="office", federation=federation)
            install_default_categories(Category)
            categories = list(Category.objects.order_by("position", "id"))
            providers = list(Provider.objects.filter(federation=federation).order_by("id")[:20])
            for i in range(len(providers), 20):
                providers.append(
                    Provider.objects.create(
                        name=f"基准社会组织{i + 1:03d}",
                        uscc=uscc("52", "330199", 5000 + i),
                        federation=federation,
                        contact_name="联系人",
                        contact_mobile="13800000000",
                        status="approved",
                    )
                )
            projects = list(
                ServiceProject.objects.filter(provider__in=providers, title__startswith="基准项目")
            )
            for i in range(len(projects), n_projects):
                title = f"基准项目{i + 1:04d}"
                initials, full = title_search_keys(title)
                projects.append(
                    ServiceProject.objects.create(
                        provider=providers[i % len(providers)],
                        category=categories[i % len(categories)],
                        title=title,
                        description=f"{title}：为职工提供的服务。",
                        audience="企业职工",
                        price=Decimal("2000.00"),
                        capacity=40,
                        sessions_per_year=12,
                        status="approved",
                        title_initials=initials,
                        title_pinyin=full,
                    )
                )
        return {
            "federation": federation,
            "office": office,
            "providers": providers,
            "projects": projects,
            "categories": categories,
        }

    @staticmethod
    def _office_session(office) -> str:
        """A signed-in browser session of the office login (what the login page would create)."""
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

        store = SessionStore()
        store.update(
            {
                SESSION_KEY: str(office.pk),
                BACKEND_SESSION_KEY: "dajia.accounts.backends.UsernameOrMobileBackend",
                HASH_SESSION_KEY: office.get_session_auth_hash(),
            }
        )
        store.set_expiry(2 * 24 * 3600)
        store.create()
        return store.session_key

    # -- an open session, its panel and its online audience

    def _live(self, world: dict, opts: dict, rng: random.Random) -> dict:
        from dajia.consultations import services_console, services_roster, services_setup
        from dajia.consultations.models import Evaluator, SessionProject

        office, federation = world["office"], world["federation"]
        n_entries, n_evaluators, n_viewers = opts["entries"], opts["evaluators"], opts["viewers"]
        with transaction.atomic():
            session = services_setup.session_create(
                actor=office,
                federation=federation,
                title="基准协商会",
                starts_at=timezone.now(),
                budget=Decimal("1000000"),
            )
            services_setup.criterion_set(
                actor=office, session=session, criteria=services_setup.DEFAULT_CRITERIA
            )
            for project in world["projects"][:n_entries]:
                services_roster.entry_add(actor=office, session=session, project=project, amount="20000")
            session.support_limit = opts["support_limit"]
            session.save(update_fields=["support_limit"])
            Evaluator.objects.bulk_create(
                [
                    Evaluator(
                        session=session,
                        name=f"评委{n:05d}",
                        group="",
                        token=evaluator_token(n),
                    )
                    for n in range(n_evaluators)
                ],
                batch_size=2000,
            )
            services_setup.session_open(actor=office, session=session)
            entries = list(SessionProject.objects.filter(session=session).order_by("position"))
            for entry in entries:
                services_console.window_open(actor=office, entry=entry)
            criteria = [{"id": c.pk, "max": int(c.max_points)} for c in session.criteria.all()]
        now = timezone.now()
        first = 0
        if n_viewers:
            first = self._viewers(session, entries, n_viewers, now)
        return {
            "session": session.pk,
            "entries": [e.pk for e in entries],
            "criteria": criteria,
            "evaluators": n_evaluators,
            "evaluator_token": evaluator_token(0).removesuffix("0"),
            "viewers": n_viewers,
            "first_viewer": first,
            "viewer_cookie": "sessionid=bv",
            "csrf": CSRF_SECRET,
            "support_limit": opts["support_limit"],
        }

    def _viewers(self, session, entries, n_viewers: int, now) -> int:
        from dajia.participation.models import LiveSettings, SupportCount, Viewer

        with transaction.atomic():
            first = (Viewer.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
            _insert(
                Viewer._meta.db_table,
                [
                    "id",
                    "session_id",
                    "mobile_hash",
                    "mobile_masked",
                    "verified_at",
                    "last_verified_at",
                    "devices",
                ],
                (
                    (first + n, session.pk, f"bench-{session.pk}-{n}", "138****0000", _dt(now), _dt(now), 1)
                    for n in range(n_viewers)
                ),
            )
            LiveSettings.objects.update_or_create(session=session, defaults={"viewers": n_viewers})
            SupportCount.objects.bulk_create(
                [SupportCount(entry=e, session=session, supports=0) for e in entries], ignore_conflicts=True
            )
            expire = _dt(now + datetime.timedelta(days=2))
            store = SessionStore()
            _insert(
                "django_session",
                ["session_key", "session_data", "expire_date"],
                (
                    (
                        viewer_session_key(n),
                        store.encode({"participation_viewers": {str(session.pk): first + n}}),
                        expire,
                    )
                    for n in range(n_viewers)
                ),
            )
        return first

    # -- the menu

    def _projects(self, world: dict, n: int, rng: random.Random) -> dict:
        from dajia.menu.models import ServiceProject

        existing = ServiceProject.objects.count()
        want = max(0, n - existing)
        now = _dt(timezone.now())
        providers, categories = world["providers"], world["categories"]
        words = [
            "心理",
            "安全",
            "法律",
            "健康",
            "技能",
            "文化",
            "亲子",
            "关爱",
            "讲座",
            "培训",
            "服务",
            "课堂",
        ]
        with transaction.atomic():
            _insert(
                ServiceProject._meta.db_table,
                [
                    "provider_id",
                    "category_id",
                    "title",
                    "description",
                    "format",
                    "audience",
                    "duration_minutes",
                    "price",
                    "capacity",
                    "sessions_per_year",
                    "areas_served",
                    "status",
                    "return_reason",
                    "title_initials",
                    "title_pinyin",
                    "category_position",
                    "created_at",
                    "updated_at",
                ],
                (
                    (
                        providers[i % len(providers)].pk,
                        categories[i % len(categories)].pk,
                        f"{rng.choice(words)}{rng.choice(words)}项目{existing + i:05d}",
                        "为职工提供的服务，线上线下结合，内容具体、可落地。" * 2,
                        rng.choice(["offline", "online", "hybrid"]),
                        "企业职工",
                        90,
                        str(Decimal(rng.randrange(500, 9000))),
                        40,
                        12,
                        "基准区",
                        "approved",
                        "",
                        "",
                        "",
                        categories[i % len(categories)].position,
                        now,
                        now,
                    )
                    for i in range(want)
                ),
            )
        return {"projects": ServiceProject.objects.count()}

    # -- the office's delivery overview: agreements, unions and a great many orders

    def _orders(self, world: dict, n: int, rng: random.Random) -> dict:
        from dajia.agreements.models import Agreement
        from dajia.consultations.models import Session, SessionProject
        from dajia.orders.models import Order
        from dajia.orgs.models import Union

        federation, office = world["federation"], world["office"]
        projects = world["projects"][:20]
        with transaction.atomic():
            session = Session.objects.create(
                federation=federation, title="基准往年协商会", starts_at=timezone.now(), state="published"
            )
            agreements = []
            for i, project in enumerate(projects):
                entry = SessionProject.objects.create(
                    session=session, project=project, position=i + 1, amount=0
                )
                agreements.append(
                    Agreement.objects.create(
                        number=f"BENCH-{session.pk}-{i + 1:03d}",
                        federation=federation,
                        session=session,
                        entry=entry,
                        provider=project.provider,
                        project=project,
                        scope="服务",
                        sessions=1_000_000,
                        capacity=40,
                        quality="标准",
                        starts_on=datetime.date(2020, 1, 1),
                        ends_on=datetime.date(2030, 12, 31),
                        amount=Decimal("100000"),
                        payment_terms="分期",
                        liability="违约责任",
                        state="active",
                    )
                )
            unions = list(Union.objects.filter(federation=federation, name__startswith="基准工会")[:200])
            for i in range(len(unions), 200):
                unions.append(
                    Union.objects.create(name=f"基准工会{i + 1:03d}", federation=federation, members=100)
                )
        states = [
            "ordered",
            "dispatched",
            "accepted",
            "proposed",
            "declined",
            "delivered",
            "confirmed",
            "cancelled",
        ]
        # Most orders of a long-running office are history; a few hundred are in progress at any time.
        weights = [4, 3, 6, 1, 60, 6, 8800, 120]
        base = timezone.now() - datetime.timedelta(days=365 * 3)
        prefix = f"B{session.pk}-"
        chunk = 100_000
        made = 0
        while made < n:
            size = min(chunk, n - made)
            with transaction.atomic():
                made += _insert(
                    Order._meta.db_table,
                    [
                        "number",
                        "agreement_id",
                        "project_id",
                        "union_id",
                        "ordered_by_id",
                        "starts_at",
                        "ends_at",
                        "place",
                        "expected_audience",
                        "notes",
                        "cost",
                        "state",
                        "state_reason",
                        "signin_token",
                        "created_at",
                    ],
                    self._order_rows(
                        made, size, prefix, agreements, unions, office, states, weights, base, rng
                    ),
                )
        return {"orders": Order.objects.count()}

    # -- the needs wall: needs of the bench unions in every category and status, supported by a few workers

    def _needs(self, world: dict, n: int, rng: random.Random) -> dict:
        from dajia.accounts.models import User
        from dajia.needs.models import Need, Support
        from dajia.orgs.models import Union

        federation, categories = world["federation"], world["categories"]
        unions = list(Union.objects.filter(federation=federation).order_by("id")[:200]) or [
            Union.objects.create(name="基准工会001", federation=federation, members=100)
        ]
        workers = list(User.objects.filter(username__startswith="bench-worker-").order_by("id"))
        for i in range(len(workers), 60):
            workers.append(
                User.objects.create(
                    username=f"bench-worker-{i:03d}", password=make_password(None), last_name="工"
                )
            )
        start = Need.objects.count()
        texts = ["希望组织心理健康讲座", "建议开展消防安全培训", "希望提供法律咨询服务", "建议举办职工运动会"]
        statuses = ["received", "handling", "answered", "resolved", "declined"]
        base = timezone.now() - datetime.timedelta(days=365 * 3)
        minute = datetime.timedelta(minutes=1)
        with transaction.atomic():
            _insert(
                Need._meta.db_table,
                [
                    "federation_id",
                    "union_id",
                    "voice",
                    "text",
                    "anonymous",
                    "tokens",
                    "category_id",
                    "category_by",
                    "status",
                    "hidden",
                    "source",
                    "support_count",  # counted below, after the supports
                    "created_at",
                    "updated_at",
                ],
                (
                    (
                        federation.pk,
                        unions[i % len(unions)].pk,
                        "union",
                        f"{rng.choice(texts)}（第{start + i}条）",
                        False,
                        "",
                        categories[i % len(categories)].pk,
                        "office",
                        rng.choice(statuses),
                        i % 50 == 0,  # a few hidden by the office
                        "web",
                        0,
                        _dt(base + minute * i),
                        _dt(base + minute * i),
                    )
                    for i in range(n)
                ),
            )
            ids = list(Need.objects.order_by("id").values_list("id", flat=True)[start:])
            now = _dt(timezone.now())
            _insert(
                Support._meta.db_table,
                ["need_id", "user_id", "created_at"],
                (
                    (need, worker.pk, now)
                    for need in ids
                    for worker in rng.sample(workers, rng.choice([0, 0, 1, 1, 2, 3, 5]))
                ),
            )
            Need.objects.filter(pk__gte=ids[0]).recount_supports()
        return {"needs": Need.objects.count(), "supports": Support.objects.count()}

    @staticmethod
    def _order_rows(start, size, prefix, agreements, unions, office, states, weights, base, rng):
        minute = datetime.timedelta(minutes=1)
        two_hours = datetime.timedelta(hours=2)
        cum = []
        total = 0
        for w in weights:
            total += w
            cum.append(total)
        for i in range(start, start + size):
            agreement = agreements[i % len(agreements)]
            r = rng.randrange(total)
            state = states[next(k for k, c in enumerate(cum) if r < c)]
            starts = base + minute * (i * 3 % 2_000_000)
            yield (
                f"{prefix}{i:08d}",
                agreement.pk,
                agreement.project_id,
                unions[i % len(unions)].pk,
                office.pk,
                _dt(starts),
                _dt(starts + two_hours),
                "职工之家",
                30,
                "",
                "1000.00",
                state,
                "",
                f"bt{i:010d}{rng.randrange(10**8):08d}",
                _dt(starts),
            )
