"""Session summaries: what the BPF and the dashboard read instead of every allocation and every
enrollment, so that a report over 100 000 allocations reads a few thousand rows.

Four summaries, all derived from the allocations, the enrollments, their learners and their
courses, never edited by hand:
- on each enrollment, its funding code (BPF F-1 rules 2 to 4), the sum of its counted (Approved
  and Paid) allocations and the number of its Pending ones;
- `SessionFundingTotal`: per session and funding type, the counted sum of the session's
  non-cancelled enrollments (BPF section C);
- `SessionSummary`: per session, its non-cancelled enrollments in a few figures (learners, hours,
  unfunded (no counted allocation), over- and under-funded (counted funding above or below the
  course price), pending: sections F-2 to G, the checks, the dashboard);
- `SessionEnrollmentTally`: per session, its non-cancelled enrollments grouped by what classifies
  them in F-1, with their hours (section F-1).

`refresh_funding_summaries(session_ids)` recomputes all four, for whole sessions. It is registered
with training's entry point (`training.changes`, see funding/apps.py): every write to one of their
inputs — allocations, enrollments, learners' professional status, a course's price, a session's
course — goes through `changing_sessions`, which locks the sessions first and calls it once per
session at the end of the write (or of the enclosing bulk write), in the write's transaction.
A session's summaries are a few dozen rows: a refresh is a handful of queries whatever the size
of the organisation. After a change to attendance entries only, which moves nothing but the
enrollments' hours recorded, `refresh_hours_figures` rewrites the figures counted from those
hours, in place: two statements.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    Max,
    Model,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from funding.models import (
    COUNTED_STATUSES,
    FundingAllocation,
    FundingStatus,
    SessionEnrollmentTally,
    SessionFundingTotal,
    SessionSummary,
)
from funding.types import FUNDING_CODE_OTHER, FUNDING_CODES
from training.changes import SessionIds, StoredSummary
from training.models import Enrollment, Outcome

if TYPE_CHECKING:
    from django.db.models import QuerySet

SUM_FIELD = DecimalField(max_digits=14, decimal_places=2)

# Where the refresh keeps its figures (compared with a rebuild by `refresh_summaries --check`).
STORED_SUMMARIES = [
    StoredSummary(
        "Enrollment",
        Enrollment,
        key=("id",),
        fields=("funding_code", "counted_funding", "pending_allocations"),
    ),
    StoredSummary(
        "SessionFundingTotal",
        SessionFundingTotal,
        key=("funding_type",),
        fields=("counted_amount",),
    ),
    StoredSummary(
        "SessionSummary",
        SessionSummary,
        fields=tuple(
            field.attname
            for field in SessionSummary._meta.concrete_fields
            if field.attname != "session_id"
        ),
    ),
    StoredSummary(
        "SessionEnrollmentTally",
        SessionEnrollmentTally,
        key=("trainee_type_override", "funding_code", "professional_status"),
        fields=("learners", "learners_with_hours", "hours_attended"),
    ),
]


def cancelled_enrollment_exists() -> Exists:
    """For an allocation: its enrollment is cancelled.

    Every allocation's learner is enrolled in its session (the services guarantee it and an
    enrollment with funding cannot be deleted), so "not cancelled" is "no cancelled enrollment":
    an anti-join against the few cancelled enrollments, far cheaper than a join to all of them."""
    return Exists(
        Enrollment.objects.filter(
            session_id=OuterRef("session_id"),
            learner_id=OuterRef("learner_id"),
            outcome=Outcome.CANCELLED,
        )
    )


def _enrollment_allocations(**filters: Any) -> QuerySet[FundingAllocation, Any]:
    return (
        FundingAllocation.objects.filter(
            session_id=OuterRef("session_id"), learner_id=OuterRef("learner_id"), **filters
        )
        .order_by()
        .values("learner_id")
    )


def _funding_code() -> Subquery:
    counted = _enrollment_allocations(status__in=COUNTED_STATUSES)
    code = Max(
        Case(
            *[When(funding_type=kind, then=Value(code)) for kind, code in FUNDING_CODES.items()],
            default=Value(FUNDING_CODE_OTHER),
        )
    )
    return Subquery(counted.annotate(code=code).values("code"), output_field=IntegerField())


def _counted_funding() -> Coalesce:
    counted = _enrollment_allocations(status__in=COUNTED_STATUSES)
    total = counted.annotate(total=Sum("approved_amount", output_field=SUM_FIELD)).values("total")
    return Coalesce(Subquery(total, output_field=SUM_FIELD), Value(0), output_field=SUM_FIELD)


def _pending_allocations() -> Coalesce:
    pending = _enrollment_allocations(status=FundingStatus.PENDING)
    count = pending.annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(count, output_field=IntegerField()), Value(0))


def insert_rows(model: type[Model], rows: QuerySet[Any, Any], columns: Mapping[str, str]) -> None:
    """INSERT INTO model's table … SELECT `rows`: the database makes the summary rows, none goes
    through Python (a whole organisation's tallies are hundreds of thousands of rows).
    `columns`: the model's field (attname) → the name of the value in `rows` that fills it."""
    select, params = compiled(rows.values_list(*columns.values()))
    with connection.cursor() as cursor:
        # Names from the model's meta, quoted; values are the query's parameters.
        cursor.execute(f"INSERT INTO {table_columns(model, columns)} {select}", params)


def compiled(rows: QuerySet[Any, Any]) -> tuple[str, tuple[Any, ...]]:
    """The SQL of a query and its parameters, to use inside a statement of one's own."""
    select, params = rows.query.get_compiler(connection=connection).as_sql()
    return select, tuple(params)


def table_columns(model: type[Model], fields: Iterable[str]) -> str:
    """`table (column, …)` of these fields (attnames) of the model, quoted, for an INSERT."""
    quote = connection.ops.quote_name
    column = {
        field.attname: field.column
        for field in model._meta.concrete_fields
        if field.column is not None
    }
    names = ", ".join(quote(column[name]) for name in fields)
    return f"{quote(model._meta.db_table)} ({names})"


def _refresh_enrollments(ids: SessionIds) -> None:
    Enrollment.objects.filter(session_id__in=ids).update(
        funding_code=_funding_code(),
        counted_funding=_counted_funding(),
        pending_allocations=_pending_allocations(),
    )


def _refresh_funding_totals(ids: SessionIds) -> None:
    SessionFundingTotal.objects.filter(session_id__in=ids).delete()
    totals = (
        FundingAllocation.objects.filter(session_id__in=ids, status__in=COUNTED_STATUSES)
        .exclude(cancelled_enrollment_exists())
        .order_by()
        .values("session_id", "funding_type")
        .annotate(total=Sum("approved_amount", output_field=SUM_FIELD))
    )
    insert_rows(
        SessionFundingTotal,
        totals,
        {"session_id": "session_id", "funding_type": "funding_type", "counted_amount": "total"},
    )


def own_hours() -> Coalesce:
    """An enrollment's own hours (BPF.md, section F): the hours its session's attendance record
    gives it (attendance.summaries), else the hours typed on it; empty when neither (it attended
    the whole session)."""
    return Coalesce("hours_recorded", "hours_attended", output_field=SUM_FIELD)


# A learner whose attendance is recorded with 0 hours followed nothing: not a learner of section F
# (nor G), whatever their outcome; their money still counts (check `no_show_funded`).
FOLLOWED = ~Q(hours_recorded=0)


def _learner_counts() -> dict[str, object]:
    """For a group of enrollments: how many learners followed some hours, how many of those have
    their own hours (recorded or typed), and those hours (the others attended the whole
    session)."""
    return {
        "learners": Count("pk", filter=FOLLOWED),
        "learners_with_hours": Count(own_hours(), filter=FOLLOWED),
        "hours": Coalesce(Sum(own_hours()), Value(0), output_field=SUM_FIELD),
    }


def _refresh_session_summaries(ids: SessionIds) -> None:
    """After `_refresh_enrollments`: built from the enrollments' funding summaries."""
    SessionSummary.objects.filter(session_id__in=ids).delete()
    price, counted = F("session__course__price"), F("counted_funding")
    underfunded = Q(session__course__price__gt=counted)
    summaries = (
        Enrollment.objects.filter(session_id__in=ids)
        .not_cancelled()
        .order_by()
        .values("session_id")
        .annotate(
            **_learner_counts(),
            unfunded=Count("pk", filter=Q(funding_code__isnull=True)),
            overfunded=Count("pk", filter=Q(counted_funding__gt=price)),
            underfunded=Count("pk", filter=underfunded),
            shortfall=Coalesce(
                Sum(price - counted, filter=underfunded), Value(0), output_field=SUM_FIELD
            ),
            pending=Coalesce(Sum("pending_allocations"), Value(0)),
            no_show_funded=Count("pk", filter=Q(hours_recorded=0, counted_funding__gt=0)),
        )
    )
    insert_rows(
        SessionSummary,
        summaries,
        {
            "session_id": "session_id",
            "learners": "learners",
            "learners_with_hours": "learners_with_hours",
            "hours_attended": "hours",
            "unfunded_learners": "unfunded",
            "overfunded_learners": "overfunded",
            "underfunded_learners": "underfunded",
            "funding_shortfall": "shortfall",
            "pending_allocations": "pending",
            "no_show_funded": "no_show_funded",
        },
    )


def _refresh_enrollment_tallies(ids: SessionIds) -> None:
    """After `_refresh_enrollments`: the tallies are built from the enrollments' summaries."""
    SessionEnrollmentTally.objects.filter(session_id__in=ids).delete()
    group = ("session_id", "trainee_type_override", "funding_code", "professional_status")
    tallies = (
        Enrollment.objects.filter(session_id__in=ids)
        .not_cancelled()
        .order_by()
        .values(*group)
        .annotate(**_learner_counts())
    )
    insert_rows(
        SessionEnrollmentTally,
        tallies,
        {
            **{name: name for name in group},
            "learners": "learners",
            "learners_with_hours": "learners_with_hours",
            "hours_attended": "hours",
        },
    )


def _code(expression: str | OuterRef) -> Coalesce:
    """A funding code comparable with `=` when there is none (an unfunded group's)."""
    return Coalesce(expression, Value(-1), output_field=IntegerField())


def _hours_figures(group: Q, figures: dict[str, object]) -> dict[str, Coalesce]:
    """For an UPDATE of summary rows: each figure computed over the row's group of non-cancelled
    enrollments (`group`, which refers to the row through OuterRef), as a correlated subquery."""
    enrollments = (
        Enrollment.objects.alias(code=_code("funding_code"))
        .filter(group, session_id=OuterRef("session_id"))
        .not_cancelled()
        .order_by()
        .values("session_id")
    )
    return {
        name: Coalesce(
            Subquery(enrollments.annotate(value=figure).values("value")),
            Value(0),
            output_field=SUM_FIELD if name == "hours_attended" else IntegerField(),
        )
        for name, figure in figures.items()
    }


def _hours_counts() -> dict[str, object]:
    counts = _learner_counts()
    return {
        "learners": counts["learners"],
        "learners_with_hours": counts["learners_with_hours"],
        "hours_attended": counts["hours"],
    }


def refresh_hours_figures(session_ids: Sequence[int], enrollment_ids: object = None) -> None:
    """After a change to attendance entries only (funding's attendance refresh, funding/apps.py):
    the enrollments' hours recorded moved and nothing that groups them did, so every summary row
    stays and only its figures counted from hours are rewritten, in two statements. A row's
    figures are its whole group's, whichever of its enrollments changed."""
    ids = list(session_ids)
    no_show_funded = Count("pk", filter=Q(hours_recorded=0, counted_funding__gt=0))
    SessionSummary.objects.filter(session_id__in=ids).update(
        **_hours_figures(Q(), {**_hours_counts(), "no_show_funded": no_show_funded})
    )
    same_group = Q(
        trainee_type_override=OuterRef("trainee_type_override"),
        professional_status=OuterRef("professional_status"),
        code=_code(OuterRef("funding_code")),
    )
    SessionEnrollmentTally.objects.filter(session_id__in=ids).update(
        **_hours_figures(same_group, _hours_counts())
    )


def refresh_funding_summaries(session_ids: SessionIds) -> None:
    """Recompute every funding summary of these sessions from their allocations and enrollments:
    one statement each, whatever the number of sessions (a bulk load passes a whole organisation's
    as a query).

    Registered with training's entry point (funding/apps.py): the writers call
    `training.changes.changing_sessions`, which locks the sessions and then calls this."""
    _refresh_enrollments(session_ids)
    _refresh_funding_totals(session_ids)
    _refresh_session_summaries(session_ids)
    _refresh_enrollment_tallies(session_ids)
