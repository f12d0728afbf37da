"""Every page a link leads to, crawled on the demo data as each persona: no error page anywhere,
nothing of one organisation shown to another, nothing private shown to a visitor not logged in.

The crawl follows the links (href) of every page the administrator reaches, up to two addresses
per route (an address with its numbers replaced), so each view is visited whatever the data.
"""

from __future__ import annotations

import io
import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db

LINK = re.compile(r'href="([^"#]*)"')
# Not pages of the product: static files, the admin (Django's own, superuser only), external
# addresses; the password-reset pages are public by design.
NOT_CRAWLED = ("/static/", "/admin/", "mailto:", "http://", "https://")
PUBLIC = ("/accounts/login/", "/accounts/password_reset/")
PER_ROUTE = 2
NUMBER = re.compile(r"/\d+(?=/|$)")
YEAR = re.compile(r"^20\d\d$")


def route_of(url: str) -> str:
    """The address with its object numbers (not its years) replaced: one route of the product."""
    parts = urlsplit(url)
    path = NUMBER.sub(lambda m: m.group(0) if YEAR.match(m.group(0)[1:]) else "/{n}", parts.path)
    query = re.sub(r"=[^&]*", "=", parts.query)
    return f"{path}?{query}"


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def crawl(client: Client) -> dict[str, int]:
    """{address: status} of every page reached from the dashboard, following links and redirects."""
    statuses: dict[str, int] = {}
    per_route: dict[str, int] = {}
    queue = deque(["/"])
    while queue:
        url = queue.popleft()
        route = route_of(url)
        if url in statuses or per_route.get(route, 0) >= PER_ROUTE:
            continue
        per_route[route] = per_route.get(route, 0) + 1
        response = client.get(url)
        statuses[url] = response.status_code
        if response.status_code in (301, 302):
            queue.append(response["Location"])
        content_type = response.get("Content-Type", "")
        if response.status_code == 200 and content_type.startswith("text/html"):
            for href in LINK.findall(response.content.decode()):
                target = urljoin(url, href.replace("&amp;", "&"))
                if target.startswith("/") and not target.startswith(NOT_CRAWLED):
                    queue.append(target)
    return statuses


def object_addresses(statuses: dict[str, int]) -> list[str]:
    """The addresses that name an object by its number (not a year) in their path."""
    return [
        url
        for url, status in statuses.items()
        if status == 200 and "{n}" in urlsplit(route_of(url)).path
    ]


@pytest.fixture
def demo(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=io.StringIO())


def test_every_persona_crawls_without_an_error_and_sees_only_its_own(demo):
    admin_pages = crawl(client_for("admin"))

    # The administrator reaches every part of the product, and no page fails.
    assert len({route_of(url) for url in admin_pages}) > 60
    assert [url for url, status in admin_pages.items() if status >= 500] == []
    assert [url for url, status in admin_pages.items() if status == 404] == []

    # The trainer, following their own links: no page fails, no link leads to a refusal.
    trainer_pages = crawl(client_for("trainer"))
    assert [url for url, status in trainer_pages.items() if status >= 400] == []

    # Another organisation's administrator, given the first one's addresses: never the object.
    other = client_for("other-admin")
    trainer = client_for("trainer")
    leaks = {}
    for url in object_addresses(admin_pages):
        status = other.get(url).status_code
        if status not in (403, 404):
            leaks[url] = status
        trainer_status = trainer.get(url).status_code
        assert trainer_status < 500, url
    assert leaks == {}

    # A visitor who is not logged in is sent to the log-in page from every private address.
    visitor = Client()
    for url in admin_pages:
        if url.startswith(PUBLIC):
            continue
        response = visitor.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url
