"""Writes to learners. Views and the admin call these."""

from __future__ import annotations

from django.db import transaction

from funding.summaries import refresh_learner_summaries
from learners.models import Learner


@transaction.atomic
def learner_save(*, learner: Learner) -> Learner:
    """Save a new or edited learner (validated by its form). BPF F-1 rule 5 classifies their
    enrollments by their professional status: their sessions' summaries follow."""
    learner.save()
    refresh_learner_summaries(learner)
    return learner
