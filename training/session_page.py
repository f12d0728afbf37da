"""What apps above `training` add to a session's page, without `training` importing them.

A session's page (training/views.py) lists its learners; the funding of each learner is funding's
(and a schedule will be attendance's). Such an app registers a section from its
`AppConfig.ready()`:

    register_session_section(
        SessionSection(
            template="funding/session_funding.html",
            context=lambda session, membership: {"funding": session_funding(session=session)},
            administrators_only=True,
        )
    )

The view renders the sections the user may see (`rendered_sections`) and the page shows them after
its own content: a section for administrators is never computed for a trainer (the check is in the
view, not in a template). Sections appear in registration order (INSTALLED_APPS order).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.template.loader import render_to_string

if TYPE_CHECKING:
    from certeef.http import OrganizationRequest
    from certeef.models import Membership
    from training.models import Session


@dataclass(frozen=True)
class SessionSection:
    template: str
    # What the template needs, read for one session and the member who looks at it (a fixed
    # number of queries): a section may show a trainer less than an administrator.
    context: Callable[[Session, Membership], Mapping[str, object]]
    administrators_only: bool = True


_sections: list[SessionSection] = []


def register_session_section(section: SessionSection) -> None:
    if section not in _sections:
        _sections.append(section)


def rendered_sections(
    request: OrganizationRequest, membership: Membership, session: Session
) -> list[str]:
    """The HTML of every section this member may see, in order."""
    return [
        render_to_string(
            section.template, dict(section.context(session, membership)), request=request
        )
        for section in _sections
        if membership.is_administrator or not section.administrators_only
    ]
