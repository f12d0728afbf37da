"""What apps above `training` add to a session's page, without `training` importing them.

A session's page (training/views.py) lists its learners; the funding of each learner is funding's,
its schedule and attendance are attendance's. Such an app registers a section from its
`AppConfig.ready()` (how sections work: certeef/page_sections.py):

    session_sections.register(
        Section(
            template="funding/session_funding.html",
            context=lambda session, membership: {"funding": session_funding(session=session)},
            administrators_only=True,
        )
    )
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from certeef.page_sections import PageSections

if TYPE_CHECKING:
    from training.models import Session

session_sections: PageSections[Session] = PageSections()
