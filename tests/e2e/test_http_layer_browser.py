"""In a real browser: Back after a search shows the whole list page with the search applied;
a log-in locked out says so; a too long note is refused and kept whole."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from funding.models import FundingAllocation
from tests.conftest import PASSWORD, make_enrollment, make_individual, make_learner, make_session

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def learners(organization):
    make_learner(organization, first_name="Camille", last_name="Martin")
    make_learner(organization, first_name="Hugo", last_name="Bernard")


def expect_whole_learner_list(page, query: str, shown: str, hidden: str) -> None:
    """The list page with its layout (not a bare fragment), the search box and its results."""
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_role("heading", name="Learners")).to_be_visible()
    expect(page.get_by_role("searchbox")).to_have_value(query)
    expect(page.get_by_role("link", name=shown)).to_be_visible()
    expect(page.get_by_role("link", name=hidden)).to_have_count(0)
    expect(page.locator("#results")).to_have_count(1)


def test_back_after_opening_a_searched_row_shows_the_whole_list(page, log_in, learners, admin_user):
    log_in("admin")
    page.goto("/learners/")
    page.get_by_role("searchbox").fill("bern")
    expect(page).to_have_url(re.compile(r"/learners/\?q=bern$"))
    expect(page.get_by_role("link", name="Camille Martin")).to_have_count(0)
    page.get_by_role("link", name="Hugo Bernard").click()
    expect(page.get_by_role("heading", name="Hugo Bernard")).to_be_visible()
    page.go_back()
    expect(page).to_have_url(re.compile(r"/learners/\?q=bern$"))
    expect_whole_learner_list(page, "bern", shown="Hugo Bernard", hidden="Camille Martin")


def test_back_between_searches_when_htmx_lost_its_copy_asks_for_the_whole_page(
    page, log_in, learners, admin_user
):
    log_in("admin")
    page.goto("/learners/")
    page.get_by_role("searchbox").fill("bern")
    expect(page).to_have_url(re.compile(r"\?q=bern$"))
    page.get_by_role("searchbox").fill("mart")
    expect(page).to_have_url(re.compile(r"\?q=mart$"))
    expect(page.get_by_role("link", name="Camille Martin")).to_be_visible()
    # htmx keeps a few pages in sessionStorage; when it no longer has one (storage full, a new
    # tab) it asks the server with HX-History-Restore-Request, and must get the whole page.
    page.evaluate("sessionStorage.removeItem('htmx-history-cache')")
    with page.expect_response(
        lambda response: (
            "q=bern" in response.url
            and response.request.headers.get("hx-history-restore-request") == "true"
        )
    ):
        page.go_back()
    expect(page).to_have_url(re.compile(r"\?q=bern$"))
    expect_whole_learner_list(page, "bern", shown="Hugo Bernard", hidden="Camille Martin")


def test_a_locked_out_username_is_told_why(browser, live_server, admin_user):
    # Its own page: the lockout answers 429, which Chromium reports on the console, and the
    # shared `page` fixture counts every console error as a failure.
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    page.goto("/accounts/login/")
    for _attempt in range(5):
        page.get_by_label("Username").fill("admin")
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_label("Password")).to_be_visible()
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_response(re.compile(r"/accounts/login/$")) as answer:
        page.get_by_role("button", name="Log in").click()
    assert answer.value.status == 429
    expect(page.get_by_role("alert")).to_contain_text(
        "Too many failed log-in attempts: this username is locked for 15 minutes."
    )
    expect(page.get_by_label("Username")).to_have_value("admin")
    expect(page.get_by_role("link", name="Forgot your password?")).to_be_visible()
    context.close()
    assert not page_errors


def test_a_ten_thousand_character_note_is_refused_and_kept_whole(
    page, log_in, organization, admin_user
):
    individual = make_individual(make_learner(organization, first_name="Camille"))
    session = make_session(organization, reference="S-NOTE")
    make_enrollment(session, individual.learner)
    note = ("Une note très longue. " * 500)[: 10_000 - 4] + "Fin."

    log_in("admin")
    page.goto(f"/individuals/{individual.pk}/funding/")
    page.get_by_role("link", name="+ Add funding").click()
    page.get_by_label("Type").select_option(label="Self-funded")
    page.get_by_label("Approved amount").fill("900")
    page.get_by_label("Session").select_option(index=1)
    page.get_by_label("Notes").fill(note)
    page.get_by_role("button", name="Save").click()
    expect(
        page.get_by_text("Ensure this value has at most 2000 characters (it has 10000).")
    ).to_be_visible()
    # Nothing was cut, in the browser or on the server: the user shortens it themselves.
    expect(page.get_by_label("Notes")).to_have_value(note)
    assert not FundingAllocation.objects.exists()
