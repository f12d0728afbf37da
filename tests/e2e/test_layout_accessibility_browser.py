"""Issue 14's layout and accessibility checks, as one matrix run once (on SQLite: the templates
are the same on PostgreSQL, and each page costs a browser load): every page an administrator or
a trainer reaches in the demo data, in English and in French,

- at 375, 768 and 1366 px: nothing makes the page wider than the screen
  (`document.documentElement.scrollWidth <= window.innerWidth`);
- axe-core (axe-playwright-python) finds no serious or critical violation, at 1366 px and at
  375 px (where the menu is folded behind its button).

One browser (the session's), one demo seed, one crawl per user and language: the whole matrix
costs one test."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlparse

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.sqlite_only, pytest.mark.django_db(transaction=True)]

WIDTHS = (1366, 768, 375)
AXE_WIDTHS = (1366, 375)
HEIGHT = 800
LOCALES = ("en-GB", "fr-FR")
USERS = ("admin", "trainer")
# Not pages: downloads, the back-office (Django's own), leaving the session, the language switch.
SKIPPED = ("/admin/", "/accounts/logout/", "/language/", "/static/")
SKIPPED_SUFFIXES = ("xlsx", "csv", "pdf", "json")
MAX_PAGES = 40
BLOCKING = ("serious", "critical")

_WIDTH = "() => [document.documentElement.scrollWidth, window.innerWidth]"
# What sticks out, to say which element to fix (not the contents of a closed <details>: laid
# out, never shown).
_WIDEST = r"""() => {
  const width = window.innerWidth;
  const out = [];
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.right > width + 1 && !element.closest("details:not([open])")) {
      out.push(element.tagName.toLowerCase() + (element.className ? "." + element.className : "")
        + " " + Math.round(box.right));
    }
  }
  return out.slice(0, 5);
}"""


def _seed_demo() -> None:
    call_command("seed_demo", verbosity=0)
    for user in get_user_model().objects.all():
        user.set_password(PASSWORD)
        user.save()


def _links(page) -> list[str]:
    paths = []
    for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
        parsed = urlparse(href)
        path = parsed.path + (f"?{parsed.query}" if parsed.query else "")
        if (
            parsed.netloc != urlparse(page.url).netloc
            or path.startswith(SKIPPED)
            or parsed.path.rstrip("/").rsplit(".", 1)[-1] in SKIPPED_SUFFIXES
            or "format=" in parsed.query
            or "/export" in parsed.path
        ):
            continue
        paths.append(path)
    return paths


def _log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/")


def _kind(path: str) -> str:
    """One page of each kind: /companies/7/funding/ is /companies/N/funding/, and a list
    filtered by status is the same kind of page whatever the status."""
    parsed = urlparse(path)
    keys = sorted({key for key, _value in parse_qsl(parsed.query)} - {"page"})
    path = re.sub(r"/drill/[^/]+/", "/drill/X/", parsed.path)
    return re.sub(r"\d+", "N", path) + "?" + "&".join(keys)


def _axe(page) -> list[dict]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    results = page.evaluate("() => axe.run({resultTypes: ['violations']})")
    return results["violations"]


def _check_page(page, url: str, problems: list[str]) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        scroll_width, inner_width = page.evaluate(_WIDTH)
        if scroll_width > inner_width:
            problems.append(
                f"{url} at {width} px is {scroll_width} px wide: {page.evaluate(_WIDEST)}"
            )
        if width in AXE_WIDTHS:
            for violation in _axe(page):
                if violation["impact"] in BLOCKING:
                    targets = [node["target"] for node in violation["nodes"][:3]]
                    problems.append(
                        f"{url} at {width} px: axe {violation['impact']} {violation['id']}"
                        f" ({len(violation['nodes'])}): {targets}"
                    )


def _crawl(page, problems: list[str]) -> list[str]:
    start = "/"
    seen, queue, visited = {_kind(start)}, [start], list[str]()
    while queue and len(visited) < MAX_PAGES:
        url = queue.pop(0)
        page.goto(url)
        visited.append(url)
        _check_page(page, url, problems)
        for path in _links(page):
            key = _kind(path)
            if key not in seen:
                seen.add(key)
                queue.append(path)
    return visited


def test_every_page_fits_the_screen_and_passes_axe(browser, live_server):
    _seed_demo()
    problems: list[str] = []
    visited: dict[tuple[str, str], list[str]] = {}
    for username in USERS:
        for locale in LOCALES:
            context = browser.new_context(
                base_url=live_server.url,
                locale=locale,
                viewport={"width": WIDTHS[0], "height": HEIGHT},
            )
            page = context.new_page()
            page.set_default_timeout(10_000)
            errors: list[str] = []
            page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
            try:
                _log_in(page, username)
                visited[username, locale] = _crawl(page, problems)
            finally:
                context.close()
            problems.extend(f"{username} {locale}: browser error {error}" for error in errors)
    assert any(url.startswith("/bpf/") for url in visited["admin", "fr-FR"])
    assert any(url.startswith("/individuals/") for url in visited["admin", "en-GB"])
    assert any(url.startswith("/training/") for url in visited["trainer", "en-GB"])
    assert not problems, "\n".join(problems)
