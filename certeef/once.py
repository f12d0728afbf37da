"""Exactly once: a create form's one-time token is claimed in the database with its write.

    try:
        with transaction.atomic():
            claim_form_token(form.cleaned_data["form_token"])
            obj = services.thing_create(...)   # a ValidationError rolls the claim back
    except AlreadySubmitted:
        ...  # "already saved": the repeated submission created nothing

The claim is an INSERT of the token as a primary key (`certeef.models.FormSubmission`). Sent N
times at once, the first submission inserts it; the others block on the key until it commits,
then fail to insert and are told the form was already saved. On PostgreSQL that is the unique
index's wait; on SQLite the database's single writer (transactions begin IMMEDIATE, and wait up
to the busy timeout: settings.py). If the first one fails and rolls back, the next one proceeds.
"""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction
from django.db.transaction import TransactionManagementError

from certeef.models import FormSubmission


class AlreadySubmitted(Exception):
    """This form was already saved by an earlier (or simultaneous) submission."""


def form_token_claimed(token: uuid.UUID | str | None) -> bool:
    """Whether a submission already saved with this token (a cheap check before validating)."""
    if not token:
        return False
    try:
        token = uuid.UUID(str(token))
    except ValueError:
        return False
    return FormSubmission.objects.filter(token=token).exists()


def claim_form_token(token: uuid.UUID | str) -> None:
    """Claim the token for the transaction in progress, or raise AlreadySubmitted."""
    if not transaction.get_connection().in_atomic_block:
        raise TransactionManagementError(
            "A form token is claimed with the write it allows: inside transaction.atomic()."
        )
    try:
        with transaction.atomic():
            FormSubmission.objects.create(token=uuid.UUID(str(token)))
    except IntegrityError as error:
        raise AlreadySubmitted from error
