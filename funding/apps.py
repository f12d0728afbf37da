from __future__ import annotations

from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "funding"

    def ready(self) -> None:
        # Imported once the app registry is ready (models cannot be imported before).
        from certeef.page_sections import Section
        from funding.chase_summaries import STORED_CHASES, refresh_funder_chases
        from funding.learner_section import learner_funding_context
        from funding.session_funding import session_funding_context
        from funding.summaries import (
            STORED_SUMMARIES,
            refresh_funding_summaries,
            refresh_hours_figures,
        )
        from learners.learner_page import learner_sections
        from training.changes import attendance_feeds_nothing, register_summaries
        from training.session_page import session_sections

        # Every write that changes a session's figures refreshes these (training/changes.py).
        # After a change to attendance only, just the figures counted from hours recorded.
        register_summaries(
            refresh_funding_summaries, stored=STORED_SUMMARIES, attendance=refresh_hours_figures
        )
        # What the dashboard's "To chase" reads: Approved allocations by funder.
        register_summaries(
            refresh_funder_chases, stored=STORED_CHASES, attendance=attendance_feeds_nothing
        )
        # A session's page shows how each learner is funded, to administrators only.
        session_sections.register(
            Section(
                template="funding/session_funding.html",
                context=session_funding_context,
                administrators_only=True,
            )
        )
        # A learner's page shows their allocations (status, amount, session), to administrators:
        # `learner_funding_context` gives a trainer none.
        learner_sections.register(
            Section(
                template="funding/learner_funding.html",
                context=learner_funding_context,
                administrators_only=False,
            )
        )
