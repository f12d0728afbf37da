"""The one entry point of every write that changes a session's figures: lock first, refresh once.

A session's figures — what the BPF, the dashboard and the session page count — come from the
session (dates, hours, delivery, course), its course (NSF code, objective, price), its enrollments
(hours, outcome, F-1 override, professional status at the time of the training), its funding
allocations and, later, its attendance. Apps above `training` keep
summaries of those figures (funding/summaries.py) and plug their refresh in here. Every writer —
service, admin, seed, import — does one thing:

    from training.changes import changing_sessions

    @transaction.atomic
    def enrollment_update(*, enrollment, ...):
        with changing_sessions([enrollment.session_id]):
            ...  # re-read under the lock what must be checked, then write

`changing_sessions(session_ids)` is a context manager that must run inside a transaction:

1. On entry it locks the sessions' rows (SELECT … FOR UPDATE, in id order) *before anything is
   written*: two writers on one session queue instead of deadlocking, and what the second one
   reads after its lock is what the first one committed. Whatever was read before the lock and
   decides the write (an allocation that may have moved to another session meanwhile) is read
   again, and checked, inside the block.
2. On a normal exit it refreshes every registered summary of those sessions, in the same
   transaction. An exception refreshes nothing (the transaction is rolled back anyway).
3. A call inside another one joins it: it locks its sessions as it enters (a session already
   locked costs one cheap query), and the refresh waits for the outermost exit, where each session
   is refreshed once. A bulk write (an admin bulk action, an import) wraps its loop of service
   calls in one block, naming up front the sessions it will touch when it knows them, so that they
   are locked together, in id order:

       with transaction.atomic(), changing_sessions(sessions_of_the_file):
           for row in rows:
               allocation_create(...)  # its own changing_sessions joins the outer one

   A session first named by an inner call is locked then, after those named up front.
4. A write that changes attendance entries and nothing else says so, naming the enrollments whose
   entries it writes (`ALL_ENROLLMENTS`: any of the sessions', as "all present" for a slot):

       with changing_sessions([session.pk], attendance_of=[enrollment.pk]):
           ...  # attendance entries only

   Such a change feeds only each enrollment's hours recorded and what is counted from them, so
   the refresh is narrower: each summary's attendance refresh (registered beside it) runs instead
   of its whole refresh, a fixed few queries whatever the session's size. A session also changed
   another way in the same outermost block gets the whole refresh.

Summaries plug in from their app's `AppConfig.ready()` — `training` never imports them:

    register_summaries(refresh_funding_summaries)  # a SummaryRefresh: (sorted ids) -> None

A refresh is given the ids of locked sessions, sorted, at most `CHUNK` at a time (or a query of a
whole set's ids, below), and rebuilds its summaries of those sessions from their rows, set-based.
Refreshes run in registration order, which is INSTALLED_APPS order (lower apps first): a summary
may read the summaries of the apps below it.
`register_summaries(refresh, attendance=...)` adds its refresh after an attendance-only change
(an `AttendanceRefresh`: (sorted session ids, enrollment ids or None for all of theirs) -> None;
`attendance_feeds_nothing` when attendance does not feed it); without one, the whole refresh
runs then too.

`refresh_sessions(ids)` rebuilds now: the `refresh_summaries` command, bulk loads and the tests use
it. It is `changing_sessions(ids)` with nothing written inside; given a query of the sessions' ids
(a whole organisation's), each refresh runs once over all of them instead. `summary_drifts(ids)`
compares what is stored with a rebuild, changing nothing (`refresh_summaries --check`, the tests'
autouse check, "Mark as filed"): each refresh registers where it stores its figures
(`StoredSummary`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from enum import Enum

from django.db import transaction
from django.db.models import Model, QuerySet
from django.db.transaction import TransactionManagementError

from training.models import Session

# The sessions a refresh is given: their sorted ids, at most CHUNK of them, or a query of the ids
# of a whole set (`refresh_sessions` given a query: a bulk load, `refresh_summaries`), which the
# refresh uses as a subquery (`session_id__in=session_ids` takes either).
type SessionIds = Sequence[int] | QuerySet[Session, int]
# A refresh rebuilds one app's summaries of the given sessions (locked).
type SummaryRefresh = Callable[[SessionIds], None]
# Its narrower form, after a change to attendance entries only: the sessions, and the enrollments
# whose entries changed (None: any of those sessions').
type AttendanceRefresh = Callable[[Sequence[int], frozenset[int] | None], None]


class _Every(Enum):
    ENROLLMENT = "every enrollment"


# `changing_sessions(..., attendance_of=ALL_ENROLLMENTS)`: the entries of any of the sessions'
# enrollments may change (a whole slot).
ALL_ENROLLMENTS = _Every.ENROLLMENT

# Sessions locked and refreshed per query round: keeps the statements' parameter lists bounded
# when a bulk load or a course with thousands of sessions changes them all.
CHUNK = 500

_refreshes: list[SummaryRefresh] = []
_attendance_refreshes: dict[SummaryRefresh, AttendanceRefresh] = {}
_stored: list[StoredSummary] = []


@dataclass(frozen=True)
class StoredSummary:
    """Where a refresh keeps its figures, for `summary_drifts` to compare them with a rebuild:
    rows of `model` whose `session` field names the session, told apart by `key` (within the
    session), each with the figures `fields`."""

    name: str
    model: type[Model]
    fields: tuple[str, ...]
    key: tuple[str, ...] = ()
    session: str = "session_id"


@dataclass(frozen=True)
class Drift:
    """A stored figure that a rebuild would change: `stored` → `rebuilt` (None: no such row)."""

    session_id: int
    summary: str
    key: tuple[object, ...]
    field: str
    stored: object
    rebuilt: object


class _Batch:
    """The sessions changed within the outermost `changing_sessions` block: in any way
    (`session_ids`), or in their attendance entries only (`attendance_of`: session → the
    enrollments whose entries changed, None for any of its enrollments)."""

    def __init__(self) -> None:
        self.session_ids: set[int] = set()
        self.attendance_of: dict[int, set[int] | None] = {}

    def add(self, ids: list[int], attendance_of: Iterable[int] | _Every | None) -> None:
        if attendance_of is None:
            self.session_ids.update(ids)
            return
        enrollment_ids = None if attendance_of is ALL_ENROLLMENTS else set(attendance_of)
        for pk in ids:
            known = self.attendance_of.setdefault(pk, set())
            if known is None or enrollment_ids is None:
                self.attendance_of[pk] = None
            else:
                known.update(enrollment_ids)

    def attendance_only(self) -> tuple[list[int], frozenset[int] | None]:
        """The sessions changed in their attendance only (and that changed at all), and the
        enrollments concerned (None: any of theirs)."""
        session_ids: list[int] = []
        enrollment_ids: set[int] | None = set()
        for pk, enrollments in sorted(self.attendance_of.items()):
            if pk in self.session_ids or enrollments == set():
                continue
            session_ids.append(pk)
            if enrollment_ids is not None:
                enrollment_ids = None if enrollments is None else enrollment_ids | enrollments
        return session_ids, None if enrollment_ids is None else frozenset(enrollment_ids)


_current_batch: ContextVar[_Batch | None] = ContextVar("changing_sessions", default=None)


def register_summaries(
    refresh: SummaryRefresh,
    stored: Iterable[StoredSummary] = (),
    *,
    attendance: AttendanceRefresh | None = None,
) -> SummaryRefresh:
    """Have `refresh` called for every changed session (call it from `AppConfig.ready()`);
    `stored` says where it keeps its figures (`summary_drifts` compares them with a rebuild);
    `attendance` refreshes them after a change to attendance entries only (None: `refresh`)."""
    if refresh not in _refreshes:
        _refreshes.append(refresh)
        _stored.extend(stored)
        if attendance is not None:
            _attendance_refreshes[refresh] = attendance
    return refresh


def attendance_feeds_nothing(session_ids: Sequence[int], enrollment_ids: object) -> None:
    """The attendance refresh of a summary that attendance entries do not feed."""


def _sorted_ids(session_ids: Iterable[int | None]) -> list[int]:
    return sorted({pk for pk in session_ids if pk is not None})


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for first in range(0, len(ids), CHUNK):
        yield ids[first : first + CHUNK]


def lock_sessions(session_ids: Iterable[int | None]) -> list[int]:
    """Lock these sessions' rows until the transaction ends, in id order; their sorted ids.

    `changing_sessions` calls it: call it yourself only to lock without changing anything."""
    if not transaction.get_connection().in_atomic_block:
        raise TransactionManagementError(
            "Sessions are locked for the length of a transaction: run this inside "
            "transaction.atomic() (the services are @transaction.atomic)."
        )
    ids = _sorted_ids(session_ids)
    for chunk in _chunks(ids):
        list(
            Session.objects.select_for_update()
            .filter(pk__in=chunk)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    return ids


def _refresh(batch: _Batch) -> None:
    for chunk in _chunks(sorted(batch.session_ids)):
        for refresh in _refreshes:
            refresh(chunk)
    attendance_ids, enrollment_ids = batch.attendance_only()
    for chunk in _chunks(attendance_ids):
        for refresh in _refreshes:
            if refresh in _attendance_refreshes:
                _attendance_refreshes[refresh](chunk, enrollment_ids)
            else:
                refresh(chunk)


@contextmanager
def changing_sessions(
    session_ids: Iterable[int | None] = (),
    *,
    attendance_of: Iterable[int] | _Every | None = None,
) -> Iterator[None]:
    """Lock these sessions now; refresh their summaries when the outermost block ends (see the
    module's docstring). Ids may repeat or be None (a session not saved yet): both are ignored.
    `attendance_of`: the block changes only the attendance entries of these enrollments (or of
    `ALL_ENROLLMENTS` of the sessions), which needs a narrower refresh."""
    ids = lock_sessions(session_ids)
    batch = _current_batch.get()
    if batch is not None:
        batch.add(ids, attendance_of)
        yield
        return
    batch = _Batch()
    batch.add(ids, attendance_of)
    token = _current_batch.set(batch)
    try:
        yield
    finally:
        _current_batch.reset(token)
    # Reached only when the block ended normally: an exception has left through `finally`.
    _refresh(batch)


@transaction.atomic
def refresh_sessions(session_ids: Iterable[int | None]) -> None:
    """Lock these sessions and rebuild every summary of them now.

    Given a query of sessions' ids (`Session.objects.filter(…).values_list("pk", flat=True)`),
    each summary is rebuilt in one pass over all of them, set-based, instead of CHUNK sessions at
    a time: the statements are the same, with the query as their subquery. At 400 000 learners
    (40 000 sessions) that is a handful of statements instead of 80 rounds of them."""
    if not isinstance(session_ids, QuerySet):
        with changing_sessions(session_ids):
            pass
        return
    ids = session_ids.order_by()
    # Locked in one statement, in id order (the rows are read, not kept).
    locked = Session.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    deque(locked.values_list("pk", flat=True).iterator(chunk_size=10_000), maxlen=0)
    for refresh in _refreshes:
        refresh(ids)


type _Snapshot = dict[tuple[int, str, tuple[object, ...]], dict[str, object]]


def _snapshot(session_ids: list[int]) -> _Snapshot:
    rows: _Snapshot = {}
    for summary in _stored:
        values = summary.model._default_manager.filter(
            **{f"{summary.session}__in": session_ids}
        ).values_list(summary.session, *summary.key, *summary.fields)
        for session_id, *rest in values:
            key = tuple(rest[: len(summary.key)])
            rows[(session_id, summary.name, key)] = dict(
                zip(summary.fields, rest[len(summary.key) :], strict=True)
            )
    return rows


def summary_drifts(session_ids: Iterable[int | None]) -> list[Drift]:
    """Every stored summary figure of these sessions that differs from a rebuild from the rows,
    in session order. Changes nothing: each chunk is rebuilt in a transaction rolled back at
    once (its sessions locked meanwhile, as a write would)."""
    drifts: list[Drift] = []
    for chunk in _chunks(_sorted_ids(session_ids)):
        with transaction.atomic():
            lock_sessions(chunk)
            stored = _snapshot(chunk)
            for refresh in _refreshes:
                refresh(chunk)
            rebuilt = _snapshot(chunk)
            transaction.set_rollback(True)
        for row in sorted(stored.keys() | rebuilt.keys(), key=repr):
            session_id, name, key = row
            before, after = stored.get(row), rebuilt.get(row)
            fields = (before or after or {}).keys()
            for field in fields:
                old = None if before is None else before[field]
                new = None if after is None else after[field]
                if before is None or after is None or old != new:
                    drifts.append(Drift(session_id, name, key, field, old, new))
    return drifts
