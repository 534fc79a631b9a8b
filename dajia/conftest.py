"""Shared personas and tools for the whole suite.

Personas follow the seed: 下城区总工会's office, a grassroots union chair, a provider; each has a counterpart
elsewhere ("other_*") so every object-level permission gets its "not yours" test.
"""

from __future__ import annotations

import os
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from dajia.demo.codes import uscc

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM = os.environ.get("DAJIA_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Remove a stale SQLite test database *with its -wal and -shm files* before Django creates a new one.

    Django deletes only the main file; a left-over WAL from a killed run (or a reused process id) then
    belongs to a different database and SQLite answers every query with "disk I/O error"."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        name = db.get("TEST", {}).get("NAME")
        if name and not str(name).startswith(":memory:") and "mode=memory" not in str(name):
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{name}{suffix}").unlink(missing_ok=True)


@pytest.fixture(scope="session", autouse=True)
def _no_connection_left_behind(django_db_setup, django_db_blocker):
    """Threads that served tests (live servers, the edge's writer, the live hub) may still hold a database
    connection when the run ends, and PostgreSQL refuses to drop a test database that has one: those sessions
    are ended first (this fixture is torn down just before the test database is).

    The sessions are ended from a connection to the maintenance database, never from one to the test database
    (whose own backend could be among those ended), and the fixture waits until they are gone:
    pg_terminate_backend only signals a backend, which may still be listed for a moment after it returns."""
    yield
    import time

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        return
    test_database = connection.settings_dict["NAME"]
    connections.close_all()
    with django_db_blocker.unblock(), connection._nodb_cursor() as cursor:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [test_database],
            )
            if cursor.fetchone()[0] == 0:
                break
            time.sleep(0.1)


@pytest.fixture(autouse=True)
def _site_language_after_each_test():
    """A request leaves its language active on the thread (LocaleMiddleware activates it and nothing undoes
    it), so after a test that asked in English the next one's messages were English — an order-dependent
    failure (test_i18n's language switch, then test_inputs' Chinese messages). Each test ends in the site's."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _edge_writer_lets_go_of_its_connection():
    """The ASGI edge's writer thread (dajia/live/edge.py) keeps its database connection between batches; a test
    database cannot be dropped on PostgreSQL while another thread holds one, so each test that started the writer
    closes its connection afterwards (a no-op when no writer runs)."""
    yield
    from dajia.core import batches
    from dajia.live import edge

    edge.writer.run_in_writer(batches.close_connection)


@pytest.fixture
def english_messages():
    """Service messages read in English, their msgids (the pages are tested in Chinese, the site's language;
    test_i18n checks that the Chinese catalogue has every msgid). A module asks for it with
    ``pytestmark = pytest.mark.usefixtures("english_messages")``."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Each test gets its own public media and its own private evidence folder (delivery photos)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DAJIA_PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def federation(db):
    from dajia.orgs.models import Federation

    # get_or_create: a worker persona made first has already put its union in 下城区 (see make_user).
    return Federation.objects.get_or_create(name="下城区总工会", defaults={"region": "杭州市下城区"})[0]


@pytest.fixture
def other_federation(db):
    from dajia.orgs.models import Federation

    return Federation.objects.create(name="武义县总工会", region="金华市武义县")


def make_user(username: str, *, role: str | None = None, password: str = "pass-word-123", **scope):
    from dajia.accounts.models import RoleAssignment, User

    user = User.objects.create_user(
        username=username, password=password, last_name=username[:1], first_name=username[1:]
    )
    if role == "worker" and "union" not in scope:
        scope["union"] = _workers_union()  # every worker is a member of a union (a database constraint)
    if role:
        RoleAssignment.objects.create(user=user, role=role, **scope)
    return user


def _workers_union():
    """The 下城区 union a worker persona belongs to when the test does not name one."""
    from dajia.orgs.models import Federation, Union

    federation = Federation.objects.get_or_create(name="下城区总工会", defaults={"region": "杭州市下城区"})[0]
    return Union.objects.get_or_create(name="杭州长庆纺织有限公司工会", federation=federation)[0]


@pytest.fixture
def office_user(federation):
    return make_user("office", role="office", federation=federation)


@pytest.fixture
def other_office_user(other_federation):
    return make_user("wuyi_office", role="office", federation=other_federation)


def make_provider(federation, name: str, serial: int, *, status: str = "approved"):
    from dajia.orgs.models import Provider

    return Provider.objects.create(
        name=name,
        uscc=uscc("52", "330103", serial),
        federation=federation,
        contact_name="联系人",
        contact_mobile="13800000000",
        status=status,
    )


@pytest.fixture
def provider(federation):
    return make_provider(federation, "下城区心桥心理咨询服务中心", 1001)


@pytest.fixture
def other_provider(federation):
    return make_provider(federation, "下城区安心安全技能培训中心", 1002)


@pytest.fixture
def provider_user(provider):
    return make_user("provider", role="provider", provider=provider)


@pytest.fixture
def other_provider_user(other_provider):
    return make_user("otherprovider", role="provider", provider=other_provider)


@pytest.fixture
def union(federation):
    from dajia.orgs.models import Union

    return Union.objects.create(name="杭州潮鸣食品有限公司工会", federation=federation, members=120)


@pytest.fixture
def other_union(federation):
    from dajia.orgs.models import Union

    return Union.objects.create(name="杭州天水物业管理有限公司工会", federation=federation, members=80)


@pytest.fixture
def chair_user(union):
    return make_user("chair", role="chair", union=union)


@pytest.fixture
def category(db):
    from dajia.menu.defaults import install_default_categories
    from dajia.menu.models import Category

    install_default_categories(Category)  # transactional tests flush the migration's rows
    return Category.objects.get(code="mental")


@pytest.fixture
def make_project(category):
    from dajia.menu.models import ServiceProject
    from dajia.menu.services import title_search_keys

    def make(
        provider, title="职工心理减压工作坊", *, status="approved", price="2800.00", description=None, **kw
    ):
        initials, full = title_search_keys(title)
        return ServiceProject.objects.create(
            provider=provider,
            category=kw.pop("category", category),
            title=title,
            description=description or f"{title}：通过团体辅导帮助职工调节情绪。",
            audience="企业职工",
            price=Decimal(price),
            capacity=kw.pop("capacity", 30),
            sessions_per_year=kw.pop("sessions_per_year", 10),
            status=status,
            title_initials=initials,
            title_pinyin=full,
            **kw,
        )

    return make


@pytest.fixture
def draft_session(office_user, federation, provider, other_provider, make_project):
    """A draft consultation session of ``federation``: two providers' projects, three evaluators, two weighted
    groups (the shared setting of the consultations tests and the "not yours" walk)."""
    from dajia.consultations.tests.test_services_support import make_session

    return make_session(
        actor=office_user,
        federation=federation,
        providers=[provider, other_provider],
        make_project=make_project,
        open_session=False,
        weights={"政协委员": "0.4", "基层工会主席": "0.6"},
    )


def run_coroutine(coro, timeout: float = 30.0):
    """Run a coroutine on a fresh event loop in a thread of its own: once a browser test has run, Playwright's
    sync API keeps a loop running in the main thread and ``asyncio.run`` refuses to start there. Tests that use
    it need ``django_db(transaction=True)`` so the other thread's connection sees their rows."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    async def bounded():
        async with asyncio.timeout(timeout):
            return await coro

    def job():
        try:
            return asyncio.run(bounded())
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(job).result()


def _price_out_scans(cursor, tables: tuple[str, ...], *, sorts: bool = False) -> None:
    """On PostgreSQL: analyse ``tables`` and price sequential scans (and sorts) out for this transaction, so a
    plan check on a test's few rows shows what a large table would be read with."""
    for table in tables:
        cursor.execute(f'ANALYZE "{table}"')
    cursor.execute("SET LOCAL enable_seqscan = off")
    if sorts:
        cursor.execute("SET LOCAL enable_sort = off")


def assert_read_in_index_order(qs, index: str, *, tables: tuple[str, ...] = ()) -> str:
    """Assert that the database reads ``qs`` through ``index`` in the order asked for — no table scan, no sort
    (a page whose rows come this way costs the same with ten rows or a million). On PostgreSQL ``tables`` are
    analysed first, and sequential scans and sorts are priced out for the check: a test holds a few rows, for
    which a sort is the cheaper plan, but a sort that remains with ``enable_sort`` off is one no index could
    spare — what a million rows would pay. On SQLite the plan names the index and has no temporary B-tree.
    Returns the plan, for the message."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            _price_out_scans(cursor, tables, sorts=True)
        plan = qs.explain()
        assert index in plan and "Sort" not in plan and "Seq Scan" not in plan, plan
    else:
        plan = qs.explain()
        assert f"INDEX {index}" in plan and "TEMP B-TREE" not in plan, plan
    return plan


def assert_read_from_index_alone(run, index: str, *, tables: tuple[str, ...] = ()) -> str:
    """Assert that the last statement ``run()`` sends (a count, an aggregate) is answered from ``index`` alone,
    never visiting the rows: on SQLite, whose planner has no statistics, the covering index named; on
    PostgreSQL (``tables`` analysed, sequential scans priced out) an index and no sequential scan — which index
    is the planner's choice by the statistics (a test's few rows may make another index cheapest).
    Returns the plan, for the message."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        run()
    sql = queries.captured_queries[-1]["sql"]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _price_out_scans(cursor, tables)
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Index" in plan and "Seq Scan" not in plan, plan
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
            assert f"COVERING INDEX {index}" in plan, plan
    return plan


def assert_counted_in_index(qs, index: str, *, tables: tuple[str, ...] = ()) -> str:
    """:func:`assert_read_from_index_alone` for the pager's ``COUNT(*)`` of ``qs``, as Django sends it."""
    return assert_read_from_index_alone(qs.count, index, tables=tables)


# ---- browser tests -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(
            f"浏览器测试跳过：未找到 Chromium（{CHROMIUM}）；请运行 apt-get install -y chromium fonts-noto-cjk "
            f"/ browser tests skipped: Chromium not found at {CHROMIUM}"
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the live server's ORM calls happen in the
    # server thread, but fixtures creating data here must be allowed too.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture(autouse=True)
def _browser_contexts_closed(request):
    """Every browser context a test left open is closed before the test's database goes. A browser test that
    fails before closing the contexts it opened would leave their pages polling the live server, whose
    errors then land in later tests (seen: the server thread printing a traceback while a later test ran
    ``ast.parse``, which raised SystemError on CPython 3.11)."""
    if "browser" not in request.fixturenames:
        yield
        return
    if "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")  # set up first, so torn down after the contexts close
    browser = request.getfixturevalue("browser")
    yield
    for context in list(browser.contexts):
        context.close()


def phone_context(browser):
    """A new phone (iPhone-like 390×844, Chinese locale) with its own cookies: ``(context, page)``; the caller
    closes the context. For a test with two people on two phones; one phone is the ``phone`` fixture."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        bypass_csp=True,
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


@pytest.fixture
def phone(browser):
    """A phone-sized page (iPhone-like 390×844), Chinese locale."""
    context, page = phone_context(browser)
    yield page
    context.close()


def phone_page_ok(page, name: str) -> None:
    """The page as a phone shows it passes: screenshot kept, no serious or critical axe-core violation, nothing
    wider than the 390 px screen."""
    screenshot(page, name)
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def browser_login(page, base: str, username: str, password: str = "pass-word-123") -> None:
    """Log in through the real login form, as a person would, and wait until it has gone."""
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名或手机号").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page) -> list[dict]:
    """Run the vendored axe-core on the page; return serious and critical WCAG 2.1 A/AA violations."""
    axe = Path(__file__).resolve().parent / "core" / "static" / "vendor" / "axe-core" / "axe.min.js"
    page.add_script_tag(path=str(axe))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa']}})"
    )
    # Keep what a reader needs to fix it: the rule and the offending elements.
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["html"][:160] for n in v["nodes"][:5]]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
