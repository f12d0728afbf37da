"""Writes to companies. Views, the admin and imports call these, as they do for learners."""

from __future__ import annotations

from django.db import transaction

from companies.models import Company


@transaction.atomic
def company_save(*, company: Company) -> Company:
    """Save a new or edited company (validated by its form). A company's figures reach the BPF
    only through its allocations, so no session needs refreshing here."""
    company.save()
    return company
