from __future__ import annotations

import datetime
import os
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import make_learner, make_session
from training.models import Enrollment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("CERTEEF_SCREENSHOTS")


def test_enrol_then_un_enrol_with_confirmation(page, log_in, organization, admin_user):
    session = make_session(organization, reference="S-LYON-1")
    make_learner(organization, first_name="Camille", last_name="Martin")
    log_in("admin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sessions").click()
    page.get_by_role("link", name="S-LYON-1").click()
    page.get_by_label("Learner").press_sequentially("cami")
    page.get_by_role("button", name="Enrol Camille Martin").click()
    expect(page.get_by_text("Camille Martin enrolled.")).to_be_visible()
    expect(page.get_by_role("link", name="Camille Martin", exact=True)).to_be_visible()
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/session_detail.png", full_page=True)

    # Declining the confirmation keeps the learner; accepting it un-enrols them.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Un-enrol").click()
    expect(page.get_by_role("link", name="Camille Martin", exact=True)).to_be_visible()
    assert Enrollment.objects.filter(session=session).count() == 1
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Un-enrol").click()
    expect(page.get_by_text("Camille Martin un-enrolled.")).to_be_visible()
    assert not Enrollment.objects.filter(session=session).exists()


def test_session_list_filters_as_one_types(page, log_in, organization, admin_user):
    make_session(organization, reference="S-LYON", location="Lyon")
    make_session(
        organization,
        reference="S-OLD",
        start_date=datetime.date(2023, 1, 2),
        end_date=datetime.date(2023, 1, 3),
    )
    log_in("admin")
    page.goto("/training/sessions/")
    expect(page.get_by_role("link", name="S-OLD")).to_be_visible()
    page.get_by_role("searchbox").fill("lyon")
    expect(page.get_by_role("link", name="S-OLD")).to_have_count(0)
    expect(page.get_by_role("link", name="S-LYON")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/training/sessions/\?q=lyon"))
    page.get_by_role("searchbox").fill("")
    page.get_by_label("From").fill("2025-01-01")
    expect(page.get_by_role("link", name="S-OLD")).to_have_count(0)
    expect(page.get_by_role("link", name="S-LYON")).to_be_visible()
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/session_list.png", full_page=True)
