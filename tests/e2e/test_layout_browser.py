"""Issue 14 in the browser: the menu button of a narrow screen (with and without JavaScript),
the skip link, the export buttons' feedback and the learner combobox's Escape."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, make_allocation, make_enrollment, make_learner, make_session
from tests.e2e.conftest import htmx_settled

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}


def _fits(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_menu_folds_behind_a_button_on_a_phone(page, log_in, admin_user):
    log_in("admin")
    page.set_viewport_size(PHONE)
    page.goto("/learners/")
    menu = page.get_by_role("navigation", name="Main")
    button = page.locator("summary", has_text="Menu")
    expect(button).to_be_visible()
    expect(menu.get_by_role("link", name="Learners")).to_be_hidden()
    # The page's own content is on the first screen, not below the menu.
    expect(page.get_by_role("heading", name="Learners")).to_be_in_viewport()
    button.click()
    expect(page.locator("details.menu")).to_have_attribute("open", "")
    expect(menu.get_by_role("link", name="Companies")).to_be_visible()
    page.keyboard.press("Escape")
    expect(menu.get_by_role("link", name="Companies")).to_be_hidden()
    expect(button).to_be_focused()
    assert _fits(page)
    # Wide again: the menu is there without a button.
    page.set_viewport_size({"width": 1366, "height": 800})
    expect(menu.get_by_role("link", name="Companies")).to_be_visible()
    expect(button).to_be_hidden()


def test_menu_works_without_javascript(browser, live_server, admin_user):
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport=PHONE, locale="en-GB"
    )
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        page.locator("input[name=username]").fill(admin_user.username)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("main button[type=submit]").click()
        page.wait_for_url("**/")
        menu = page.get_by_role("navigation", name="Main")
        expect(menu.get_by_role("link", name="Companies")).to_be_hidden()
        page.locator("summary", has_text="Menu").click()
        menu.get_by_role("link", name="Companies").click()
        expect(page).to_have_url(re.compile(r"/companies/$"))
        # Wide screen, still without JavaScript: the menu is shown, no button.
        page.set_viewport_size({"width": 1366, "height": 800})
        expect(menu.get_by_role("link", name="Learners")).to_be_visible()
        expect(page.locator("summary", has_text="Menu")).to_be_hidden()
    finally:
        context.close()


def test_skip_link_is_the_first_tab_stop(page, log_in, admin_user):
    log_in("admin")
    page.goto("/individuals/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main#content")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="+ New individual")).to_be_focused()


def test_export_says_the_file_is_being_prepared(page, log_in, organization, admin_user):
    make_allocation(make_enrollment(make_session(organization), make_learner(organization)))
    log_in("admin")
    held = []
    page.route(re.compile(r"/funding/export"), lambda route: held.append(route))
    page.goto("/funding/")
    export = page.get_by_role("link", name="Export CSV")
    export.click()
    # At once, before the file arrives: the button says so and does not start a second export.
    busy = page.get_by_role("link", name="Preparing the file…")
    expect(busy).to_have_attribute("aria-disabled", "true")
    busy.click(force=True)  # aria-disabled: Playwright would wait for it to be enabled
    page.wait_for_timeout(200)
    assert len(held) == 1
    with page.expect_download() as download:
        held[0].continue_()
    assert download.value.suggested_filename.endswith(".csv")
    expect(export).to_be_visible()
    expect(export).not_to_have_attribute("aria-disabled", "true")


def test_no_export_button_on_an_empty_list(page, log_in, admin_user):
    log_in("admin")
    page.goto("/funding/")
    expect(page.get_by_text("No funding recorded yet.")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Export"))).to_have_count(0)


def test_learner_combobox_escape_closes_the_list(page, log_in, organization, admin_user):
    make_learner(organization, first_name="Camille", last_name="Martin")
    make_learner(organization, first_name="Claire", last_name="Martin")
    log_in("admin")
    page.goto("/individuals/new/")
    picker = page.get_by_role("combobox", name="Learner")
    # The suggestions for the whole word, not those of a shorter query still arriving.
    with page.expect_response(lambda response: "learner_query=martin" in response.url):
        picker.press_sequentially("martin")
    htmx_settled(page)
    options = page.get_by_role("option")
    expect(options).to_have_count(2)
    picker.press("ArrowUp")  # from the text box, up goes to the last suggestion
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    picker.press("ArrowDown")  # and wraps to the first
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    picker.press("Escape")
    expect(options).to_have_count(0)
    expect(picker).to_have_attribute("aria-expanded", "false")
    expect(picker).not_to_have_attribute("aria-activedescendant", re.compile(".+"))
    expect(picker).to_be_focused()
