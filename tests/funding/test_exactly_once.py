"""Exactly once: the add form's one-time token is claimed in the database with the allocation
(certeef/once.py), so the same form sent several times at the same moment — a double click on a
slow line, a browser's retry — creates one allocation, and every other copy is answered "already
saved", never a 500 (on SQLite: transactions begin IMMEDIATE and wait for the lock)."""

from __future__ import annotations

import uuid

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from certeef.models import FormSubmission
from certeef.once import AlreadySubmitted, claim_form_token
from funding.models import FundingAllocation
from tests.concurrency import at_once
from tests.conftest import (
    assert_summaries_current,
    make_enrollment,
    make_individual,
    make_learner,
    make_session,
)

HTMX = {"HX-Request": "true"}
SUBMISSIONS = 4


def _setting(organization):
    individual = make_individual(make_learner(organization))
    session = make_session(organization)
    make_enrollment(session, individual.learner)
    url = reverse("individuals:funding_add", args=[individual.pk])
    data = {
        "funding_type": "cpf",
        "approved_amount": "900",
        "session": session.pk,
        "cpf_case_number": "12345678901",
        "form_token": str(uuid.uuid4()),
    }
    return session, url, data


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_the_same_form_sent_four_times_at_once_creates_one_allocation(
    organization, admin_user, htmx
):
    session, url, data = _setting(organization)
    clients = []
    for _ in range(SUBMISSIONS):
        client = Client()
        client.force_login(admin_user)
        clients.append(client)

    def submit(client: Client):
        return client.post(url, data, headers=HTMX if htmx else {}, follow=not htmx)

    responses = at_once(*(lambda client=client: submit(client) for client in clients))

    errors = [response for response in responses if isinstance(response, BaseException)]
    assert not errors, errors
    assert [response.status_code for response in responses] == [200] * SUBMISSIONS
    assert FundingAllocation.objects.count() == 1
    texts = [response.text for response in responses]
    assert sum("Funding added" in text for text in texts) == 1
    assert sum("already saved" in text for text in texts) == SUBMISSIONS - 1
    assert FormSubmission.objects.filter(token=data["form_token"]).count() == 1
    assert_summaries_current(session)


@pytest.mark.django_db(transaction=True)
def test_a_failed_submission_releases_its_token(organization, admin_client):
    _session, url, data = _setting(organization)
    admin_client.post(url, {**data, "cpf_case_number": "12"})
    assert not FormSubmission.objects.exists()
    admin_client.post(url, data)
    assert FundingAllocation.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_token_is_claimed_once_and_only_inside_a_transaction():
    token = uuid.uuid4()
    with pytest.raises(transaction.TransactionManagementError):
        claim_form_token(token)
    with transaction.atomic():
        claim_form_token(token)
    with pytest.raises(AlreadySubmitted), transaction.atomic():
        claim_form_token(str(token))
