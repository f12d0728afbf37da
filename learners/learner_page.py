"""What apps above `learners` add to a learner's page, without `learners` importing them.

A learner's page shows who they are; their sessions and the hours they followed are training's and
attendance's. Such an app registers a section from its `AppConfig.ready()`, as on a session's page
(training/session_page.py):

    register_learner_section(
        LearnerSection(template="attendance/learner_section.html", context=learner_context)
    )

`context(learner, membership)` reads what the template needs (a fixed number of queries) and
decides what this member may see: the check is in Python, never only in a template. Sections
appear in registration order (INSTALLED_APPS order), after the page's own content.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.template.loader import render_to_string

if TYPE_CHECKING:
    from certeef.http import OrganizationRequest
    from certeef.models import Membership
    from learners.models import Learner


@dataclass(frozen=True)
class LearnerSection:
    template: str
    context: Callable[[Learner, Membership], Mapping[str, object]]


_sections: list[LearnerSection] = []


def register_learner_section(section: LearnerSection) -> None:
    if section not in _sections:
        _sections.append(section)


def rendered_learner_sections(
    request: OrganizationRequest, membership: Membership, learner: Learner
) -> list[str]:
    """The HTML of every section, in order."""
    return [
        render_to_string(
            section.template, dict(section.context(learner, membership)), request=request
        )
        for section in _sections
    ]
