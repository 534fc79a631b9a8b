"""The finished look, checked the way the union office will see it: every page each demo role reaches fits a
390 px phone (nothing sideways but inside .table-wrap), and on a 1440 px desktop the office's list tables wrap no
tag or name mid-word. The crawl follows same-origin links from each role's home and navigation, bounded."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command

from dajia.conftest import browser_login, screenshot
from dajia.demo.foundation import DEMO_PASSWORD, LOGINS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_PAGES = 60  # per role (breadth first: enough to reach every section the navigation offers)
PER_SHAPE = (
    2  # pages of one shape (/orders/<n>/) per role: the second catches a longer title, more are the same
)
# Not pages a person reads on a phone here: logging out, downloads, the event stream, Django's own admin.
SKIP = re.compile(
    r"/logout|/export|\.(xlsx|pdf|csv|svg|png|jpg|zip)$|/qr|/download|/live/|/events|^/admin/|^/static/|^/media/|/print"
)

OVERFLOW_JS = """() => {
  const w = window.innerWidth;
  const out = [];
  if (document.documentElement.scrollWidth > w) {
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.right > w + 1 && !el.closest('.table-wrap') && getComputedStyle(el).position !== 'fixed') {
        out.push(el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : '')
                 + ' → ' + Math.round(r.right) + 'px: ' + (el.textContent || '').trim().slice(0, 40));
      }
      if (out.length >= 4) break;
    }
    if (!out.length) out.push('scrollWidth ' + document.documentElement.scrollWidth);
  }
  return out;
}"""

# Tags, headers, dates and the names (the first column's link) of every table: each must sit on one line. A range over the
# element's text gives one client rect per line it occupies, whatever the element's display.
WRAPPED_JS = """() => {
  const out = [];
  for (const el of document.querySelectorAll('table .tag, table td:first-child > a, table td.name, table td.when, table th')) {
    if (!el.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(el);
    const tops = new Set(Array.from(range.getClientRects(), r => Math.round(r.top)));
    if (tops.size > 1) out.push(el.tagName.toLowerCase() + (el.className ? '.' + el.className : '') + ': ' + el.textContent.trim().slice(0, 30));
  }
  return out.slice(0, 6);
}"""

LINKS_JS = "() => Array.from(document.querySelectorAll('a[href]'), a => a.getAttribute('href'))"


def _shape(path: str) -> str:
    return re.sub(r"/[0-9a-f]{6,}|/\d+", "/N", path)


def _crawl(page, base: str, visit) -> list[str]:
    """Breadth first from the home page; ``visit(path)`` is called on each page once it has loaded."""
    seen, shapes, visited = set(), {}, []
    queue = deque(["/"])
    while queue and len(visited) < MAX_PAGES:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        shape = _shape(urlsplit(path).path)
        if shapes.get(shape, 0) >= PER_SHAPE:
            continue
        shapes[shape] = shapes.get(shape, 0) + 1
        response = page.goto(base + path)
        if response is None or response.status >= 400 or not page.url.startswith(base):
            continue
        visited.append(path)
        visit(path)
        for href in page.evaluate(LINKS_JS):
            href = urldefrag(href)[0]
            if href.startswith(base):
                href = href[len(base) :]
            if (
                href.startswith("/")
                and not href.startswith("//")
                and not SKIP.search(href)
                and href not in seen
            ):
                queue.append(href)
    return visited


@pytest.fixture
def demo(db):
    call_command("load_demo")


def _login(browser, base, username, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    browser_login(page, base, username, DEMO_PASSWORD)
    return context, page


def test_every_page_of_each_demo_role_fits_a_390px_phone_and_office_tables_wrap_no_name_at_1440px(
    browser, live_server, demo
):
    base = live_server.url
    problems: dict[str, list[str]] = {}
    reached: set[str] = set()
    for username, _role in LOGINS:
        context, page = _login(browser, base, username, {"width": 390, "height": 844})
        try:

            def visit(path, username=username, page=page):
                bad = page.evaluate(OVERFLOW_JS)
                if bad:
                    problems[f"{username} {path}"] = bad
                    screenshot(
                        page, f"overflow-390-{username}-{_shape(path).strip('/').replace('/', '-') or 'home'}"
                    )

            visited = _crawl(page, base, visit)
            reached.update(_shape(urlsplit(p).path) for p in visited)
            assert len(visited) >= 3, (username, visited)
        finally:
            context.close()
    # On a 1440 px desktop the office's lists (every table page its navigation reaches) wrap no tag or name.
    context, page = _login(browser, base, "office", {"width": 1440, "height": 900})
    wrapped: dict[str, list[str]] = {}
    tables = 0
    try:
        nav = [
            h
            for h in page.evaluate(
                "() => Array.from(document.querySelectorAll('#site-nav a[href]'), a => a.getAttribute('href'))"
            )
            if h.startswith("/") and not SKIP.search(h)
        ]
        for path in dict.fromkeys(nav):
            page.goto(base + path)
            if page.locator("table").count():
                tables += 1
                bad = page.evaluate(WRAPPED_JS)
                if bad:
                    wrapped[path] = bad
                    screenshot(page, f"wrapped-1440-{path.strip('/').replace('/', '-')}")
        page.goto(base + "/orders/")
        screenshot(page, "office-orders-1440")
    finally:
        context.close()
    assert tables >= 5
    assert wrapped == {}, "\n".join(f"{path}: {bad}" for path, bad in wrapped.items())
    # The pages issue 13 names were among those checked.
    assert {"/agreements/N/", "/sessions/N/", "/participation/s/N/"} <= reached, sorted(reached)
    assert problems == {}, "\n".join(f"{page}: {bad}" for page, bad in problems.items())
