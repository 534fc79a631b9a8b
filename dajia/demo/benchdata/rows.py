"""The benchmark data's shared parts: bulk INSERTs (COPY on PostgreSQL), the bench federation with its office
login, categories, providers and the projects sessions invite, and the logins the harness sends requests as."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, transaction
from django.utils import timezone

OFFICE_USERNAME = "bench-office"
OFFICE_PASSWORD = "bench-pass-2020"  # noqa: S105 - a benchmark login on a throw-away database
CSRF_SECRET = "benchcsrfbenchcsrfbenchcsrfbench"  # noqa: S105 - 32 characters: the viewers' csrftoken cookie and header


def viewer_session_key(n: int) -> str:
    return f"bv{n:030d}"


def evaluator_token(n: int) -> str:
    return f"bench-e-{n}"


def insert_rows(table: str, columns: list[str], rows, *, chunk: int = 50_000) -> int:
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


def dt(value: datetime.datetime):
    return connection.ops.adapt_datetimefield_value(value)


def world(n_projects: int) -> dict:
    from dajia.accounts.models import RoleAssignment, User
    from dajia.demo.codes import uscc
    from dajia.menu.defaults import install_default_categories
    from dajia.menu.models import Category, ServiceProject
    from dajia.menu.services import title_search_keys
    from dajia.orgs.models import Federation, Provider

    with transaction.atomic():
        federation, _ = Federation.objects.get_or_create(name="基准区总工会", defaults={"region": "基准区"})
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
        projects = list(ServiceProject.objects.filter(provider__in=providers, title__startswith="基准项目"))
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


def open_session(
    world: dict,
    *,
    title: str,
    budget: Decimal,
    criteria: list[dict],
    entries: list[tuple],
    evaluators: list[dict],
    group_weights: dict[str, str] | None = None,
    support_limit: int | None = None,
):
    """A consultation session set up and opened through the setup, roster and console services, as the office
    would: its criteria, its entries (``(project, amount)``), its panel (``Evaluator`` fields) and every scoring
    window open. Returns the session and its entries in roster order."""
    from dajia.consultations import services_console, services_roster, services_setup
    from dajia.consultations.models import Evaluator, SessionProject

    office = world["office"]
    with transaction.atomic():
        session = services_setup.session_create(
            actor=office,
            federation=world["federation"],
            title=title,
            starts_at=timezone.now(),
            budget=budget,
            group_weights=group_weights,
        )
        services_setup.criterion_set(actor=office, session=session, criteria=criteria)
        for project, amount in entries:
            services_roster.entry_add(actor=office, session=session, project=project, amount=amount)
        if support_limit is not None:
            session.support_limit = support_limit
            session.save(update_fields=["support_limit"])
        Evaluator.objects.bulk_create([Evaluator(session=session, **e) for e in evaluators], batch_size=2000)
        services_setup.session_open(actor=office, session=session)
        opened = list(SessionProject.objects.filter(session=session).order_by("position"))
        for entry in opened:
            services_console.window_open(actor=office, entry=entry)
    return session, opened


def office_session(office) -> str:
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
