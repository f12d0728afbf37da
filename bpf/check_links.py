"""Where a BPF check sends the user to fix what it found: a session, its course, its funding, the
typed figures of the form. A check shows the first few links; its count says how many in all."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.http import urlencode

from bpf.report import Link

if TYPE_CHECKING:
    from collections.abc import Iterable

    from bpf.report import BpfReport
    from bpf.session_facts import SessionFacts

# Enough links to start fixing; the count says how many there are in all.
MAX_LINKS = 5


def session_link(session: SessionFacts) -> Link:
    return Link(session.reference, reverse("training:session_detail", args=[session.pk]))


def course_link(session: SessionFacts) -> Link:
    return Link(session.course_title, reverse("training:course_detail", args=[session.course_id]))


def funding_link(session: SessionFacts) -> Link:
    """The Funding page filtered to one session: its allocations, whoever carries them."""
    query = urlencode({"session": session.pk})
    return Link(session.reference, reverse("funding:list") + "?" + query)


def session_links(sessions: Iterable[SessionFacts]) -> tuple[Link, ...]:
    return tuple(session_link(session) for session in list(sessions)[:MAX_LINKS])


def course_links(sessions: Iterable[SessionFacts]) -> tuple[Link, ...]:
    links: list[Link] = []
    for session in sessions:
        link = course_link(session)
        if link not in links:
            links.append(link)
    return tuple(links[:MAX_LINKS])


def funding_links(sessions: list[SessionFacts]) -> tuple[Link, ...]:
    """The Funding page of the first sessions (latest first)."""
    return tuple(funding_link(session) for session in sessions[:MAX_LINKS])


def inputs_link(report: BpfReport, label: str) -> Link:
    return Link(label, reverse("bpf:report") + f"?year={report.year}#inputs")


def report_link(report: BpfReport, label: str, anchor: str) -> Link:
    """A section of the year's BPF page."""
    return Link(label, reverse("bpf:report") + f"?year={report.year}#{anchor}")
