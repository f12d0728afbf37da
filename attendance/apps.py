from __future__ import annotations

from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    name = "attendance"

    def ready(self) -> None:
        # Imported once the app registry is ready (models cannot be imported before).
        from attendance.sections import learner_section_context, session_section_context
        from attendance.summaries import (
            HOURS_RECORDED_SUMMARIES,
            STORED_SUMMARIES,
            refresh_hours_recorded,
            refresh_scheduled_hours,
        )
        from learners.learner_page import LearnerSection, register_learner_section
        from training.changes import register_summaries
        from training.session_page import SessionSection, register_session_section

        # A session with a schedule has the hours of its slots: set before funding's summaries,
        # which read them (apps refresh in INSTALLED_APPS order).
        register_summaries(refresh_scheduled_hours, stored=STORED_SUMMARIES)
        # Each learner's hours recorded, which funding's summaries count before typed hours.
        register_summaries(refresh_hours_recorded, stored=HOURS_RECORDED_SUMMARIES)
        # The session's page: its schedule, trainers, attendance grid and documents.
        register_session_section(
            SessionSection(
                template="attendance/session_section.html",
                context=session_section_context,
                administrators_only=False,
            )
        )
        # A learner's page: the hours followed in each session, and the certificates.
        register_learner_section(
            LearnerSection(
                template="attendance/learner_section.html", context=learner_section_context
            )
        )
