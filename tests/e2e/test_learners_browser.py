from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import make_learner

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_log_in_and_search_learners(page, log_in, organization, admin_user):
    make_learner(organization, first_name="Camille", last_name="Martin")
    make_learner(organization, first_name="Hugo", last_name="Bernard")
    log_in("admin")
    page.get_by_role("link", name="Learners", exact=True).first.click()
    expect(page.get_by_role("heading", name="Learners")).to_be_visible()
    expect(page.get_by_role("link", name="Camille Martin")).to_be_visible()
    page.get_by_role("searchbox").fill("bern")
    # Results update as one types (htmx), and the query lands in the URL.
    expect(page.get_by_role("link", name="Camille Martin")).to_have_count(0)
    expect(page.get_by_role("link", name="Hugo Bernard")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/learners/\?q=bern$"))
    # A second search swaps the results again without nesting them.
    page.get_by_role("searchbox").fill("mart")
    expect(page.get_by_role("link", name="Camille Martin")).to_be_visible()
    expect(page.locator("#results #results")).to_have_count(0)
