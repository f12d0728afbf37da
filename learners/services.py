"""Writes to learners. Views and the admin call these."""

from __future__ import annotations

from django.db import transaction

from learners.models import Learner


@transaction.atomic
def learner_save(*, learner: Learner) -> Learner:
    """Save a new or edited learner (validated by its form).

    BPF F-1 rule 5 reads the professional status, so an edited learner's sessions change too:
    training locks them before the row is written and refreshes them after (training/changes.py,
    "Learners"), since learners, below training, cannot call its entry point."""
    learner.save()
    return learner
