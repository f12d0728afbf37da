"""What apps above `learners` add to a learner's page, without `learners` importing them.

A learner's page shows who they are; their sessions and the hours they followed are training's and
attendance's. Such an app registers a section from its `AppConfig.ready()`, as on a session's page
(training/session_page.py; how sections work: certeef/page_sections.py):

    learner_sections.register(
        Section(
            template="attendance/learner_section.html",
            context=learner_context,
            administrators_only=False,
        )
    )
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from certeef.page_sections import PageSections

if TYPE_CHECKING:
    from learners.models import Learner

learner_sections: PageSections[Learner] = PageSections()
