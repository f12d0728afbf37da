"""The confirmation sent several times at the same moment (a double click, a browser's retry)
imports once: the upload is claimed under a row lock, every other copy finds it imported."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from imports.models import ImportUpload
from learners.models import Learner
from tests.concurrency import at_once

SUBMISSIONS = 3


@pytest.mark.django_db(transaction=True)
def test_confirm_sent_three_times_at_once_imports_once(organization, admin_user):
    clients = []
    for _ in range(SUBMISSIONS):
        client = Client()
        client.force_login(admin_user)
        clients.append(client)
    text = "Nom;Prénom;Email\n" + "".join(f"N{n};P{n};p{n}@example.fr\n" for n in range(200))
    clients[0].post(
        reverse("imports:start"),
        {"kind": "learners", "file": SimpleUploadedFile("a.csv", text.encode())},
    )
    upload = ImportUpload.objects.get()
    clients[0].post(
        reverse("imports:map", args=[upload.pk]),
        {"last_name": "0", "first_name": "1", "email": "2"},
    )
    confirm = reverse("imports:confirm", args=[upload.pk])
    done = reverse("imports:done", args=[upload.pk])
    responses = at_once(
        *[lambda client=client: client.post(confirm, follow=True) for client in clients]
    )
    pages = [response.content.decode() for response in responses]
    assert all(response.redirect_chain[-1][0] == done for response in responses)
    # One import; the other copies are told so (idempotence alone would hide a second run).
    assert sum("This file was already imported." in page for page in pages) == SUBMISSIONS - 1
    assert Learner.objects.filter(organization=organization).count() == 200
