from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_save, pre_save


class TrainingConfig(AppConfig):
    name = "training"

    def ready(self) -> None:
        # Imported once the app registry is ready (models cannot be imported before): Django's way
        # to connect signals, not a way round an import circle.
        from learners.models import Learner
        from training.changes import learner_sessions_changed, lock_learner_sessions

        # Saving a learner changes their sessions' figures (F-1 rule 5): training/changes.py.
        pre_save.connect(
            lock_learner_sessions, sender=Learner, dispatch_uid="lock_learner_sessions"
        )
        post_save.connect(
            learner_sessions_changed, sender=Learner, dispatch_uid="learner_sessions_changed"
        )
