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
        from certeef.page_sections import Section
        from learners.learner_page import learner_sections
        from training.changes import attendance_feeds_nothing, register_summaries
        from training.session_page import session_sections

        # A session with a schedule has the hours of its slots: set before funding's summaries,
        # which read them (apps refresh in INSTALLED_APPS order).
        # Attendance entries do not move the slots.
        register_summaries(
            refresh_scheduled_hours, stored=STORED_SUMMARIES, attendance=attendance_feeds_nothing
        )
        # Each learner's hours recorded, which funding's summaries count before typed hours; after
        # a change to attendance only, those of the enrollments it concerns.
        register_summaries(
            refresh_hours_recorded,
            stored=HOURS_RECORDED_SUMMARIES,
            attendance=refresh_hours_recorded,
        )
        # The session's page: its schedule, trainers, attendance grid and documents.
        session_sections.register(
            Section(
                template="attendance/session_section.html",
                context=session_section_context,
                administrators_only=False,
            )
        )
        # A learner's page: the hours followed in each session, and the certificates.
        learner_sections.register(
            Section(
                template="attendance/learner_section.html",
                context=learner_section_context,
                administrators_only=False,
            )
        )
