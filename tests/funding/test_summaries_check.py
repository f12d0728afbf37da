"""Summaries you can trust: `refresh_summaries --check` compares the stored summaries with a
rebuild and changes nothing; "Mark as filed" refuses a year whose summaries differ from its rows;
and every test that used the database ends with the same check (tests/conftest.py)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from bpf.models import BpfFiling
from bpf.services import filing_create
from funding.models import FundingAllocation, SessionSummary
from tests.conftest import (
    make_allocation,
    make_enrollment,
    make_individual,
    make_learner,
    make_session,
)
from training.changes import refresh_sessions

pytestmark = pytest.mark.django_db


def check(*arguments: str) -> tuple[int | str | None, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("refresh_summaries", "--check", *arguments, stdout=out, stderr=err)
    except SystemExit as exit_:
        return exit_.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.fixture
def funded(organization):
    session = make_session(organization, reference="S-CHECK")
    learner = make_learner(organization)
    make_individual(learner)
    allocation = make_allocation(make_enrollment(session, learner), amount="450.00")
    return session, allocation


def test_current_summaries_pass(funded, other_organization):
    make_enrollment(make_session(other_organization))
    assert check() == (0, "2 sessions checked, 0 drifts\n", "")


@pytest.mark.summaries_may_drift
def test_a_summary_changed_by_hand_is_reported_and_left_as_it_is(funded, organization):
    session, _allocation = funded
    SessionSummary.objects.filter(session=session).update(learners=7)

    code, out, _err = check("--organization", organization.slug)

    assert code == 1
    assert out.splitlines() == [
        f"S-CHECK (#{session.pk}) SessionSummary learners: 7 → 1",
        "1 session checked, 1 drift",
    ]
    # Nothing was repaired: the check is for monitoring.
    assert SessionSummary.objects.get(session=session).learners == 7
    refresh_sessions([session.pk])
    assert check()[0] == 0


@pytest.mark.summaries_may_drift
def test_a_row_changed_by_hand_shows_every_figure_it_moves(funded):
    session, _allocation = funded
    FundingAllocation.objects.update(approved_amount=Decimal("600.00"))

    code, out, _err = check()

    assert code == 1
    lines = out.splitlines()
    assert f"S-CHECK (#{session.pk}) SessionFundingTotal[cpf] counted_amount: 450.00 → 600.00" in (
        lines
    )
    assert any(
        "Enrollment[" in line and "counted_funding: 450.00 → 600.00" in line for line in lines
    )
    assert lines[-1] == f"1 session checked, {len(lines) - 1} drifts"


@pytest.mark.summaries_may_drift
def test_a_missing_summary_row_is_a_drift(funded):
    session, _allocation = funded
    SessionSummary.objects.filter(session=session).delete()
    code, out, _err = check()
    assert code == 1
    assert f"S-CHECK (#{session.pk}) SessionSummary learners: (no row) → 1" in out


def test_an_unknown_organisation_is_a_bad_argument(funded):
    # From the shell, a CommandError exits with its return code.
    for arguments in (["--check"], []):
        with pytest.raises(CommandError, match="Unknown organisation") as refused:
            call_command("refresh_summaries", *arguments, "--organization", "nobody")
        assert refused.value.returncode == 2


@pytest.mark.summaries_may_drift
def test_mark_as_filed_refuses_stale_summaries_and_says_how_to_repair(
    funded, organization, admin_user, admin_client
):
    session, _allocation = funded
    FundingAllocation.objects.update(approved_amount=Decimal("600.00"))

    with pytest.raises(ValidationError) as refused:
        filing_create(organization=organization, year=2025, filed_by=admin_user)
    assert "manage.py refresh_summaries --organization formations-lumiere" in str(refused.value)

    response = admin_client.post(reverse("bpf:file", args=[2025]), follow=True)
    assert "cannot be filed as it is" in response.text
    assert not BpfFiling.objects.exists()

    refresh_sessions([session.pk])
    filing_create(organization=organization, year=2025, filed_by=admin_user)
    assert BpfFiling.objects.count() == 1
