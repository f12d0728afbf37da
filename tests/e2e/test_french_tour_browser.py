"""Issue 13's "done when": with a French browser, no page an administrator or a trainer reaches
shows an English interface word. A crawl of the demo data's pages, following the links a user
sees (the hx-get links keep real hrefs), checked by assert_translated."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_translated

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Not pages: downloads, the back-office (Django's own translation), leaving the session.
SKIPPED = ("/admin/", "/accounts/logout/", "/language/", "/static/")
SKIPPED_SUFFIXES = ("xlsx", "csv", "pdf", "json")
MAX_PAGES = 45


def _seed_demo() -> None:
    call_command("seed_demo", verbosity=0)
    for user in get_user_model().objects.all():  # log_in types the tests' password
        user.set_password(PASSWORD)
        user.save()


def _crawl(page, start: str) -> list[str]:
    seen, queue, visited = {start}, [start], list[str]()
    while queue and len(visited) < MAX_PAGES:
        url = queue.pop(0)
        page.goto(url)
        assert_translated(page)
        visited.append(url)
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        for href in hrefs:
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
            # One page of each list and each kind of detail is enough: strip page numbers.
            key = path.split("page=")[0]
            if key not in seen:
                seen.add(key)
                queue.append(path)
    return visited


@pytest.mark.parametrize("locale", ["fr-FR"])
def test_every_page_an_administrator_reaches_is_french(page, log_in, locale):
    _seed_demo()
    log_in("admin")
    visited = _crawl(page, "/")
    assert any(url.startswith("/bpf/") for url in visited)
    assert any(url.startswith("/individuals/") for url in visited)


@pytest.mark.parametrize("locale", ["fr-FR"])
def test_every_page_a_trainer_reaches_is_french(page, log_in, locale):
    _seed_demo()
    log_in("trainer")
    visited = _crawl(page, "/")
    assert any(url.startswith("/training/") for url in visited)
