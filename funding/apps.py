from __future__ import annotations

from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "funding"

    def ready(self) -> None:
        # Imported once the app registry is ready (models cannot be imported before).
        from funding.learner_section import learner_funding_context
        from funding.selectors import session_funding_context
        from funding.summaries import STORED_SUMMARIES, refresh_funding_summaries
        from learners.learner_page import LearnerSection, register_learner_section
        from training.changes import register_summaries
        from training.session_page import SessionSection, register_session_section

        # Every write that changes a session's figures refreshes these (training/changes.py).
        register_summaries(refresh_funding_summaries, stored=STORED_SUMMARIES)
        # A session's page shows how each learner is funded, to administrators only.
        register_session_section(
            SessionSection(
                template="funding/session_funding.html",
                context=session_funding_context,
                administrators_only=True,
            )
        )
        # A learner's page shows their allocations (status, amount, session), to administrators.
        register_learner_section(
            LearnerSection(template="funding/learner_funding.html", context=learner_funding_context)
        )
