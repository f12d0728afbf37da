"""Sections that apps above a page's own app add to it, without that app importing them.

A learner's page (learners/learner_page.py) and a session's (training/session_page.py) each keep
one `PageSections`; an app higher up registers a `Section` from its `AppConfig.ready()`. The
view renders the sections the member may see (`rendered`), after the page's own content, in
registration order (INSTALLED_APPS order). `context(obj, membership)` reads what the template
needs (a fixed number of queries) and decides what this member may see; a section for
administrators only is never computed for a trainer: the check is in Python, never only in a
template.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.template.loader import render_to_string

if TYPE_CHECKING:
    from certeef.http import OrganizationRequest
    from certeef.models import Membership


@dataclass(frozen=True)
class Section[Shown]:
    template: str
    context: Callable[[Shown, Membership], Mapping[str, object]]
    # Said by every section: whether a trainer sees it is never left to a default.
    administrators_only: bool


class PageSections[Shown]:
    """The sections of one kind of page, in registration order."""

    def __init__(self) -> None:
        self._sections: list[Section[Shown]] = []

    def register(self, section: Section[Shown]) -> None:
        if section not in self._sections:
            self._sections.append(section)

    def rendered(
        self, request: OrganizationRequest, membership: Membership, shown: Shown
    ) -> list[str]:
        """The HTML of every section this member may see, in order."""
        return [
            render_to_string(
                section.template, dict(section.context(shown, membership)), request=request
            )
            for section in self._sections
            if membership.is_administrator or not section.administrators_only
        ]
