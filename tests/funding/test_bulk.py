"""Bulk status moves on the Funding page: all or nothing (funding.bulk_moves.allocations_set_status,
funding.list_views.funding_bulk). Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from funding import bulk_moves, status_changes
from funding.models import FundingAllocation, FundingStatus, FundingStatusChange
from funding.types import FundingType
from tests.conftest import (
    assert_summaries_current,
    make_allocation,
    make_company,
    make_enrollment,
    make_learner,
    make_session,
)

pytestmark = pytest.mark.django_db

LIST_URL = reverse("funding:list")
BULK_URL = reverse("funding:bulk")
PAID_ON = datetime.date(2026, 1, 15)


@pytest.fixture
def opco(organization):
    return make_company(organization, name="OPCO Atlas payeur")


@pytest.fixture
def sessions(organization):
    return [make_session(organization, reference=f"S-{n}") for n in range(2)]


@pytest.fixture
def approved(organization, sessions, opco):
    """Three approved allocations over two sessions, carried by one company."""
    allocations = []
    for n, session in enumerate([sessions[0], sessions[1], sessions[0]]):
        learner = make_learner(organization, last_name=f"Payé{n}", employer=opco)
        allocations.append(
            make_allocation(
                make_enrollment(session, learner),
                funding_type=FundingType.OPCO_SKILLS_PLAN,
                carrier=opco,
                amount=Decimal("1000.00") + n,
            )
        )
    return allocations


def bulk_data(allocations, **overrides) -> dict:
    data = {
        "action": "paid",
        "paid_on": "15/01/2026",
        "remittance_reference": "VIR-ATLAS-0042",
        "ids": [allocation.pk for allocation in allocations],
        "query": "",
    }
    return {**data, **overrides}


def statuses(allocations) -> list[str]:
    return [FundingAllocation.objects.get(pk=a.pk).status for a in allocations]


def test_mark_paid_three_allocations_with_one_remittance(admin_client, admin_user, approved):
    response = admin_client.post(BULK_URL, bulk_data(approved))
    assert response.status_code == 302
    assert response["Location"] == f"{LIST_URL}?remittance=VIR-ATLAS-0042"
    for allocation in approved:
        allocation.refresh_from_db()
        assert allocation.status == FundingStatus.PAID
        assert allocation.paid_on == PAID_ON
        assert allocation.remittance_reference == "VIR-ATLAS-0042"
        change = FundingStatusChange.objects.get(allocation=allocation)
        assert (change.from_status, change.to_status) == ("approved", "paid")
        assert (change.paid_on, change.remittance_reference) == (PAID_ON, "VIR-ATLAS-0042")
        assert change.changed_by == admin_user
    assert_summaries_current(*{a.session for a in approved})
    # The summary, and the remittance found again: the list filtered by it.
    page = admin_client.get(response["Location"])
    summary = "3 allocations marked as paid on 15/01/2026, remittance VIR-ATLAS-0042: 3 003,00 €."
    assert summary in page.text.replace("\u202f", " ").replace("\xa0", " ")
    assert {a.pk for a in page.context["page"].object_list} == {a.pk for a in approved}


def test_one_allocation_that_cannot_move_changes_nothing(admin_client, organization, approved):
    pending = make_allocation(
        make_enrollment(make_session(organization), make_learner(organization, last_name="Zola")),
        status=FundingStatus.PENDING,
    )
    response = admin_client.post(BULK_URL, bulk_data([*approved, pending]))
    assert response.status_code == 200
    assert statuses(approved) == ["approved"] * 3
    assert not FundingStatusChange.objects.exists()
    refusals = response.context["bulk_refusals"]
    assert [(r.allocation_id, r.reason) for r in refusals] == [
        (pending.pk, "It is Pending: only an Approved allocation can be marked as paid.")
    ]
    assert "Nothing was changed: 1 of the 4 selected allocations cannot make this move." in (
        response.text
    )
    assert "Zola" in response.text
    # Repeat without it: the three others, same date and reference.
    assert response.context["bulk_retry_ids"] == sorted(a.pk for a in approved)
    assert "Repeat with the other 3 allocations" in response.text
    retry = admin_client.post(BULK_URL, bulk_data(approved))
    assert retry.status_code == 302
    assert statuses(approved) == ["paid"] * 3


def test_every_refused_one_is_listed(admin_client, admin_user, approved):
    status_changes.allocation_set_status(
        allocation=approved[0],
        to_status=FundingStatus.PAID,
        changed_by=admin_user,
        paid_on=PAID_ON,
    )
    status_changes.allocation_set_status(
        allocation=approved[2], to_status=FundingStatus.REJECTED, changed_by=admin_user
    )
    response = admin_client.post(BULK_URL, bulk_data(approved))
    reasons = {r.allocation_id: r.reason for r in response.context["bulk_refusals"]}
    assert reasons == {
        approved[0].pk: "It is Paid: only an Approved allocation can be marked as paid.",
        approved[2].pk: "It is Rejected: only an Approved allocation can be marked as paid.",
    }
    assert statuses(approved) == ["paid", "approved", "rejected"]
    assert FundingStatusChange.objects.count() == 2


def test_another_organisations_allocation_is_refused_and_nothing_changes(
    admin_client, other_organization, approved
):
    foreign = make_allocation(make_enrollment(make_session(other_organization)))
    response = admin_client.post(BULK_URL, bulk_data([*approved, foreign]))
    assert response.status_code == 200
    reasons = {r.allocation_id: r.reason for r in response.context["bulk_refusals"]}
    assert reasons == {foreign.pk: "This allocation no longer exists."}
    assert statuses([*approved, foreign]) == ["approved"] * 4


def test_payment_date_and_remittance_are_required(admin_client, approved):
    response = admin_client.post(BULK_URL, bulk_data(approved, paid_on="", remittance_reference=""))
    assert response.status_code == 200
    errors = response.context["bulk_form"].errors
    assert set(errors) == {"paid_on", "remittance_reference"}
    assert statuses(approved) == ["approved"] * 3


def test_a_future_payment_date_is_refused(admin_client, approved):
    future = datetime.date.today() + datetime.timedelta(days=3)
    response = admin_client.post(BULK_URL, bulk_data(approved, paid_on=f"{future:%d/%m/%Y}"))
    assert "The payment date cannot be in the future." in response.text
    assert statuses(approved) == ["approved"] * 3


def test_nothing_selected(admin_client, approved):
    response = admin_client.post(BULK_URL, bulk_data([]))
    assert "Select at least one allocation." in response.text


def test_approve_in_bulk(admin_client, organization):
    pending = [
        make_allocation(make_enrollment(make_session(organization)), status="pending")
        for _ in range(2)
    ]
    data = {"action": "approved", "ids": [a.pk for a in pending], "query": "status=pending"}
    response = admin_client.post(BULK_URL, data)
    assert response["Location"] == f"{LIST_URL}?status=pending"
    assert statuses(pending) == ["approved"] * 2
    assert all(c.remittance_reference == "" for c in FundingStatusChange.objects.all())
    page = admin_client.get(response["Location"])
    summary = "2 allocations approved: 2 000,00 €."
    assert summary in page.text.replace("\u202f", " ").replace("\xa0", " ")


def test_all_matching_the_filter(admin_client, organization, approved, sessions):
    other = make_allocation(make_enrollment(make_session(organization, reference="AUTRE")))
    query = f"session={sessions[0].pk}"
    data = bulk_data([], select_all="on", query=query, expected_count=2)
    response = admin_client.post(BULK_URL, data)
    assert response.status_code == 302
    assert statuses(approved) == ["paid", "approved", "paid"]
    assert statuses([other]) == ["approved"]


def test_all_matching_refused_when_the_filter_now_matches_more(
    admin_client, organization, approved, sessions, opco
):
    query = f"session={sessions[0].pk}"
    make_allocation(make_enrollment(sessions[0]))  # added after the page was shown
    data = bulk_data([], select_all="on", query=query, expected_count=2)
    response = admin_client.post(BULK_URL, data)
    assert response.status_code == 200
    assert "The filter now matches 3 allocations, not 2 as shown" in response.text
    assert not FundingStatusChange.objects.exists()


def test_trainer_gets_403(trainer_client, approved):
    assert trainer_client.post(BULK_URL, bulk_data(approved)).status_code == 403
    assert statuses(approved) == ["approved"] * 3


def test_get_is_not_allowed(admin_client):
    assert admin_client.get(BULK_URL).status_code == 405


def test_filter_by_remittance(admin_client, admin_user, approved):
    bulk_moves.allocations_set_status(
        organization=approved[0].organization,
        allocation_ids=[approved[0].pk, approved[1].pk],
        to_status=FundingStatus.PAID,
        changed_by=admin_user,
        paid_on=PAID_ON,
        remittance_reference="VIR-1",
    )
    response = admin_client.get(LIST_URL, {"remittance": "VIR-1"})
    assert {a.pk for a in response.context["page"].object_list} == {
        approved[0].pk,
        approved[1].pk,
    }
    assert response.context["totals"].count == 2
    # The free search finds it too.
    response = admin_client.get(LIST_URL, {"q": "vir-1"})
    assert len(response.context["page"].object_list) == 2


def test_the_list_with_its_bulk_form_has_a_fixed_query_count(
    admin_client, organization, django_assert_max_num_queries
):
    session = make_session(organization)
    for _ in range(30):
        make_allocation(make_enrollment(session))
    with django_assert_max_num_queries(9):
        response = admin_client.get(LIST_URL)
    assert 'id="bulk-form"' in response.text


# The service itself.


def test_service_is_all_or_nothing_when_writing_fails_midway(admin_user, approved, monkeypatch):
    """A failure after the allocations were updated (writing their history) undoes it all."""

    def failing(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(FundingStatusChange.objects, "bulk_create", failing)
    with pytest.raises(RuntimeError):
        bulk_moves.allocations_set_status(
            organization=approved[0].organization,
            allocation_ids=[a.pk for a in approved],
            to_status=FundingStatus.PAID,
            changed_by=admin_user,
            paid_on=PAID_ON,
            remittance_reference="VIR",
        )
    assert statuses(approved) == ["approved"] * 3
    assert not FundingStatusChange.objects.exists()
    assert_summaries_current(*{a.session for a in approved})


def test_service_moves_in_chunks(admin_user, approved, monkeypatch):
    monkeypatch.setattr(bulk_moves, "BULK_CHUNK", 2)
    result = bulk_moves.allocations_set_status(
        organization=approved[0].organization,
        allocation_ids=[a.pk for a in approved],
        to_status=FundingStatus.PAID,
        changed_by=admin_user,
        paid_on=PAID_ON,
        remittance_reference="VIR",
    )
    assert result.count == 3
    assert result.amount == Decimal("3003.00")
    assert statuses(approved) == ["paid"] * 3
    assert FundingStatusChange.objects.filter(remittance_reference="VIR").count() == 3
    versions = {a.pk: a.version for a in approved}
    assert all(a.version == versions[a.pk] + 1 for a in result.allocations)


def test_service_locks_every_session_first_in_id_order(admin_user, approved, monkeypatch):
    import training.changes

    locked: list[list[int]] = []
    real = training.changes.lock_sessions

    def spy(session_ids):
        ids = [pk for pk in session_ids if pk is not None]
        locked.append(sorted(ids))
        return real(ids)

    monkeypatch.setattr(training.changes, "lock_sessions", spy)
    bulk_moves.allocations_set_status(
        organization=approved[0].organization,
        allocation_ids=[a.pk for a in reversed(approved)],
        to_status=FundingStatus.PAID,
        changed_by=admin_user,
        paid_on=PAID_ON,
    )
    assert locked[0] == sorted({a.session_id for a in approved})


def test_service_refuses_too_many(admin_user, organization, monkeypatch):
    monkeypatch.setattr(bulk_moves, "BULK_MAX", 2)
    with pytest.raises(ValidationError, match="At most 2 allocations"):
        bulk_moves.allocations_set_status(
            organization=organization,
            allocation_ids=[1, 2, 3],
            to_status=FundingStatus.APPROVED,
            changed_by=admin_user,
        )


def test_service_refuses_other_moves(admin_user, organization):
    with pytest.raises(ValueError):
        bulk_moves.allocations_set_status(
            organization=organization,
            allocation_ids=[1],
            to_status=FundingStatus.REJECTED,
            changed_by=admin_user,
        )


def test_a_bulk_move_is_in_each_allocations_change_history_as_a_single_move_is(
    admin_client, admin_user, approved
):
    before = {a.pk: a.history.count() for a in approved}

    admin_client.post(BULK_URL, bulk_data(approved))

    for allocation in approved:
        latest = allocation.history.order_by("-history_date", "-history_id").first()
        assert allocation.history.count() == before[allocation.pk] + 1
        assert (latest.history_type, latest.status, latest.history_user) == (
            "~",
            FundingStatus.PAID,
            admin_user,
        )
