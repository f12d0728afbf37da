"""Browser tests: Playwright (Python) driving Debian's Chromium against pytest-django's live server.

`playwright install` cannot download browsers here; we use the system Chromium at
/usr/bin/chromium (installed by .ci/run). If it is missing the tests fail loudly: a browser
test that silently skips is no evidence.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import polib
import pytest

from tests.conftest import PASSWORD

CHROMIUM = os.environ.get("CERTEEF_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in this thread; the ORM calls our tests make between
# browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def htmx_settled(page) -> None:
    """Wait until htmx has no request in flight and has settled what it swapped in: new content's
    triggers are attached when it settles (htmx's settle delay), so a test typing into a field
    just swapped in would otherwise be faster than any person, and than htmx."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `apt-get install -y chromium`.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def locale() -> str:
    """The browser's language (Accept-Language): English unless a test parametrizes `locale`."""
    return "en-GB"


@pytest.fixture
def page(browser, live_server, locale):
    context = browser.new_context(base_url=live_server.url, locale=locale)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    # A CSP violation or a JavaScript error is a broken page, even if the text looks right.
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    yield page
    context.close()
    assert not errors, f"browser errors: {errors}"


@pytest.fixture
def log_in(page):
    def do_log_in(username: str) -> None:
        # By the fields' names: the labels are in the browser's language.
        page.goto("/accounts/login/")
        assert_translated(page)
        page.locator("input[name=username]").fill(username)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("main button[type=submit]").click()
        page.wait_for_url("**/")

    return do_log_in


# The interface's English words, from the French catalogue: every entry whose French differs
# (CPF, BPF, Session… are the same in both languages and are not listed).
_CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "fr" / "LC_MESSAGES" / "django.po"


@functools.cache
def english_words() -> frozenset[str]:
    words = set()
    for entry in polib.pofile(str(_CATALOGUE)):
        if entry.obsolete:
            continue
        french = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
        for english in filter(None, [entry.msgid, entry.msgid_plural]):
            if english not in french:
                words.add(english)
    return frozenset(words)


# Every text the user can read: text nodes, and the attributes a browser shows (placeholder,
# tooltip, confirmation) or reads aloud (aria-label). What is marked translate="no" (the names
# of the languages in the language menu, in their own words) is left out.
_VISIBLE_TEXTS = r"""() => {
  const texts = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const parent = walker.currentNode.parentElement;
    if (!parent || parent.closest('[translate="no"], script, style')) continue;
    texts.push(walker.currentNode.textContent);
  }
  const attributes = ["placeholder", "aria-label", "title", "data-confirm", "data-copied-label"];
  for (const element of document.body.querySelectorAll("*")) {
    if (element.closest('[translate="no"]')) continue;
    for (const name of attributes) {
      if (element.hasAttribute(name)) texts.push(element.getAttribute(name));
    }
  }
  return texts.map((text) => text.replace(/\s+/g, " ").trim()).filter(Boolean);
}"""


def assert_translated(page) -> None:
    """On a French page, no text may be one of the catalogue's English entries: a string that
    was not marked for translation, or whose French is missing, shows up here."""
    if page.locator("html").get_attribute("lang") != "fr":
        return
    words = english_words()
    texts = page.evaluate(_VISIBLE_TEXTS)
    # "Certeef · Particuliers": the title's parts are checked one by one.
    parts = {part.strip() for text in texts for part in text.split("·")}
    untranslated = sorted((set(texts) | parts) & words)
    assert not untranslated, f"English on the French page {page.url}: {untranslated}"
