"""`manage.py seed_demo` (the demo organisations) and `seed_demo --scale N` (benchmark data)."""

from __future__ import annotations

import datetime
import io
import re
from collections import Counter
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from bpf.computation import compute_bpf
from certeef.models import Membership, Organization, Role
from companies.models import Company, CompanyKind
from funding.models import (
    FundingAllocation,
    FundingStatus,
    FundingStatusChange,
    SessionEnrollmentTally,
    SessionFundingTotal,
    SessionSummary,
)
from funding.types import INDIVIDUAL_TYPES, FundingType, types_for_company_kind
from individuals.models import Individual
from learners.models import Learner
from tests.conftest import assert_summaries_current, stored_summaries
from training.models import Course, Delivery, Enrollment, Session

pytestmark = pytest.mark.django_db

DEMO_MODELS = (
    Organization,
    Membership,
    Company,
    Learner,
    Course,
    Session,
    Enrollment,
    Individual,
    FundingAllocation,
    FundingStatusChange,
)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in DEMO_MODELS}
    counts["User"] = get_user_model().objects.count()
    return counts


def assert_allocations_valid(organization: Organization) -> list[FundingAllocation]:
    """What funding.services would have enforced, checked on every allocation of the
    organisation; returns them for further checks."""
    enrolled = set(
        Enrollment.objects.filter(organization=organization).values_list("session_id", "learner_id")
    )
    allocations = list(
        FundingAllocation.objects.filter(organization=organization).select_related(
            "session", "learner", "individual", "company"
        )
    )
    today = timezone.localdate()
    for allocation in allocations:
        assert (allocation.session_id, allocation.learner_id) in enrolled, allocation.pk
        related = (
            allocation.session,
            allocation.learner,
            allocation.individual,
            allocation.company,
        )
        assert all(obj is None or obj.organization_id == organization.pk for obj in related)
        if allocation.funding_type in INDIVIDUAL_TYPES:
            assert allocation.company_id is None
            assert allocation.individual is not None
            assert allocation.individual.learner_id == allocation.learner_id
        else:
            assert allocation.individual_id is None
            assert allocation.company is not None
            assert allocation.funding_type in types_for_company_kind(allocation.company.kind)
        if allocation.funding_type == FundingType.CPF:
            assert re.fullmatch(r"\d{8,15}", allocation.cpf_case_number)
        else:
            assert allocation.cpf_case_number == ""
        if allocation.status == FundingStatus.PAID:
            assert allocation.paid_on is not None
            assert allocation.paid_on <= today
        else:
            assert allocation.paid_on is None
        assert allocation.approved_amount > 0
    case_numbers = Counter(
        allocation.cpf_case_number
        for allocation in allocations
        if allocation.funding_type == FundingType.CPF
        and allocation.status != FundingStatus.REJECTED
    )
    assert all(count == 1 for count in case_numbers.values())
    return allocations


# ---------------------------------------------------------------------------------------------
# The demo


@pytest.fixture
def demo_output() -> str:
    return seed()


def test_demo_creates_both_organisations_and_their_logins(demo_output):
    lumiere = Organization.objects.get(slug="formations-lumiere")
    horizon = Organization.objects.get(slug="atelier-horizon")
    assert lumiere.name == "Formations Lumière"
    assert horizon.name == "Atelier Horizon"
    lumiere.full_clean()  # SIRET (Luhn), NDA and NAF pass validation
    assert (lumiere.legal_form, lumiere.naf_code, lumiere.city) == ("SAS", "8559A", "Lyon")
    assert (lumiere.fiscal_year_start_month, lumiere.fiscal_year_start_day) == (1, 1)

    roles = {
        (m.user.username, m.organization.slug): m.role
        for m in Membership.objects.select_related("user", "organization")
    }
    assert roles == {
        ("admin", "formations-lumiere"): Role.ADMINISTRATOR,
        ("trainer", "formations-lumiere"): Role.TRAINER,
        ("other-admin", "atelier-horizon"): Role.ADMINISTRATOR,
    }
    users = {user.username: user for user in get_user_model().objects.all()}
    assert all(user.check_password("certeef-demo") for user in users.values())
    assert users["admin"].is_superuser and users["admin"].is_staff
    assert not users["trainer"].is_staff and not users["other-admin"].is_superuser
    assert all(user.first_name and user.last_name for user in users.values())

    for text in ("admin", "trainer", "other-admin", "certeef-demo", "http://127.0.0.1:8000"):
        assert text in demo_output


def test_demo_rows_are_valid_and_realistic(demo_output):
    lumiere = Organization.objects.get(slug="formations-lumiere")
    companies = Company.objects.filter(organization=lumiere)
    for company in companies:
        company.full_clean()
    kinds = Counter(company.kind for company in companies)
    assert kinds[CompanyKind.PUBLIC_EMPLOYER] >= 1
    assert kinds[CompanyKind.TRAINING_ORGANISATION] >= 1
    assert len({company.opco for company in companies if company.opco}) >= 5
    for course in Course.objects.filter(organization=lumiere):
        course.full_clean()  # NSF code from the list
    assert Course.objects.filter(organization=lumiere).values("objective").distinct().count() >= 4
    learners = Learner.objects.filter(organization=lumiere)
    assert 35 <= learners.count() <= 50
    statuses = Counter(learner.professional_status for learner in learners)
    assert statuses[""] == 1
    assert {"private_employee", "job_seeker", "self_employed", "apprentice"} <= set(statuses)
    sessions = Session.objects.filter(organization=lumiere)
    assert {session.start_date.year for session in sessions} == {2025, 2026}
    assert set(sessions.values_list("delivery", flat=True)) == set(Delivery.values)
    assert sessions.filter(distance=True).exists()
    sizes = sessions.annotate(n=Count("enrollments")).values_list("n", flat=True)
    assert min(sizes) >= 3 and max(sizes) <= 10
    enrollments = Enrollment.objects.filter(organization=lumiere)
    assert enrollments.filter(outcome="cancelled").count() == 1
    assert enrollments.filter(hours_attended__isnull=False).count() == 1


def test_demo_funding_went_through_the_services(demo_output):
    for organization in Organization.objects.all():
        allocations = assert_allocations_valid(organization)
        for allocation in allocations:
            moves = list(allocation.status_changes.order_by("changed_at", "pk"))
            # Every allocation started Pending and walked, move by move, to where it is.
            walked_from = [FundingStatus.PENDING, *(move.to_status for move in moves)]
            assert [move.from_status for move in moves] == walked_from[: len(moves)]
            assert (moves[-1].to_status if moves else FundingStatus.PENDING) == allocation.status
            assert all(move.changed_at <= timezone.now() for move in moves)
    lumiere = Organization.objects.get(slug="formations-lumiere")
    allocations = FundingAllocation.objects.filter(organization=lumiere)
    assert set(allocations.values_list("status", flat=True)) == set(FundingStatus.values)
    cpf_numbers = allocations.filter(funding_type=FundingType.CPF).values_list(
        "cpf_case_number", flat=True
    )
    assert all(len(number) == 11 for number in cpf_numbers)
    expected_types = {
        FundingType.CPF,
        FundingType.FRANCE_TRAVAIL,
        FundingType.SELF_FUNDED,
        FundingType.OPCO_SKILLS_PLAN,
        FundingType.EMPLOYER,
        FundingType.OPCO_PROFESSIONALISATION,
        FundingType.OPCO_APPRENTICESHIP,
        FundingType.PUBLIC_EMPLOYER,
        FundingType.TRAINING_ORGANISATION,
    }
    assert expected_types <= set(allocations.values_list("funding_type", flat=True))
    subcontracted_in = allocations.filter(funding_type=FundingType.TRAINING_ORGANISATION)
    assert {a.session.delivery for a in subcontracted_in} == {Delivery.SUBCONTRACTED_IN}
    # An OPCO pays a session's places with one transfer: several allocations, one remittance
    # reference and one date, in each one's history too.
    paid_by_transfer = allocations.filter(status=FundingStatus.PAID).exclude(
        remittance_reference=""
    )
    transfers = Counter(paid_by_transfer.values_list("remittance_reference", flat=True))
    assert max(transfers.values()) >= 3
    for reference in transfers:
        same = paid_by_transfer.filter(remittance_reference=reference)
        assert len(set(same.values_list("paid_on", flat=True))) == 1
        for allocation in same:
            paid = allocation.status_changes.get(to_status=FundingStatus.PAID)
            assert paid.remittance_reference == reference


def test_demo_has_mixed_funding_a_straddling_session_and_an_unfunded_learner(demo_output):
    lumiere = Organization.objects.get(slug="formations-lumiere")
    counted = FundingAllocation.objects.filter(organization=lumiere).counted()
    mixed = (
        counted.values("session", "learner")
        .annotate(
            cpf=Count("pk", filter=Q(funding_type=FundingType.CPF)),
            skills_plan=Count("pk", filter=Q(funding_type=FundingType.OPCO_SKILLS_PLAN)),
        )
        .filter(cpf__gt=0, skills_plan__gt=0)
    )
    assert mixed.exists()
    straddling = Session.objects.get(
        organization=lumiere, start_date__year=2025, end_date__year=2026
    )
    assert straddling.enrollments.count() >= 3
    assert straddling.allocations.counted().exists()
    funding = FundingAllocation.objects.filter(
        session=OuterRef("session"), learner=OuterRef("learner")
    )
    enrollments = Enrollment.objects.filter(organization=lumiere).not_cancelled()
    unfunded = enrollments.exclude(Exists(funding))
    assert unfunded.count() == 1


def test_demo_2025_bpf_is_complete_and_2026_shows_the_checks(demo_output):
    lumiere = Organization.objects.get(slug="formations-lumiere")
    report_2025 = compute_bpf(lumiere, 2025)
    assert report_2025.checks == ()
    assert report_2025.c["total"].value > 0
    assert report_2025.f2.learners > 0 and report_2025.g.learners > 0
    report_2026 = compute_bpf(lumiere, 2026)
    codes = {check.code for check in report_2026.checks}
    assert {"unclassified_trainees", "pending_allocations", "unfunded_enrollments"} <= codes


def test_second_run_adds_nothing(demo_output):
    before = row_counts()
    output = seed()
    assert "Demo data already present" in output
    assert row_counts() == before


def test_demo_reuses_an_existing_account_without_touching_its_password(db):
    get_user_model().objects.create_user(username="admin", password="my-own-secret-1")
    output = seed()
    admin = get_user_model().objects.get(username="admin")
    assert admin.check_password("my-own-secret-1")
    assert admin.memberships.get().organization.slug == "formations-lumiere"
    assert "password left unchanged" in output


# ---------------------------------------------------------------------------------------------
# The scale data set


@pytest.fixture
def scale_output() -> str:
    return seed("--scale", "200")


def test_scale_creates_the_right_orders_of_magnitude(scale_output):
    organization = Organization.objects.get(slug="scale-200")
    assert Learner.objects.filter(organization=organization).count() == 200
    assert Session.objects.filter(organization=organization).count() == 20
    assert Enrollment.objects.filter(organization=organization).count() == 400
    assert FundingAllocation.objects.filter(organization=organization).count() == 500
    assert Company.objects.filter(organization=organization).count() == 10
    assert Course.objects.filter(organization=organization).count() == 50
    assert Membership.objects.get(organization=organization).user.username == "scale-200-admin"
    # Rows inserted outside the ORM read back like any other: stamps are aware and current.
    stamps = FundingAllocation.objects.filter(organization=organization).values_list(
        "created_at", "updated_at"
    )
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    assert all(an_hour_ago < stamp <= timezone.now() for pair in stamps for stamp in pair)
    assert "500 funding allocations" in scale_output
    assert re.search(r"in \d+\.\d s", scale_output)


def test_scale_sessions_cover_three_years_every_delivery_and_a_year_end(scale_output):
    organization = Organization.objects.get(slug="scale-200")
    sessions = Session.objects.filter(organization=organization)
    assert {session.start_date.year for session in sessions} <= {2024, 2025, 2026}
    assert {2024, 2025, 2026} <= {
        year for session in sessions for year in (session.start_date.year, session.end_date.year)
    }
    assert any(session.start_date.year < session.end_date.year for session in sessions)
    assert all(session.end_date >= session.start_date for session in sessions)
    assert set(sessions.values_list("delivery", flat=True)) == set(Delivery.values)
    assert set(
        Company.objects.filter(organization=organization).values_list("kind", flat=True)
    ) == (set(CompanyKind.values))
    enrollments = Enrollment.objects.filter(organization=organization)
    assert enrollments.filter(outcome="cancelled").exists()
    assert enrollments.filter(hours_attended__isnull=False).exists()


def test_scale_allocations_satisfy_every_invariant(scale_output):
    organization = Organization.objects.get(slug="scale-200")
    allocations = assert_allocations_valid(organization)
    assert {a.funding_type for a in allocations} == set(FundingType.values)
    assert {a.status for a in allocations} == set(FundingStatus.values)
    cancelled = set(
        Enrollment.objects.filter(organization=organization, outcome="cancelled").values_list(
            "session_id", "learner_id"
        )
    )
    assert not any((a.session_id, a.learner_id) in cancelled for a in allocations)
    # Individuals exist exactly for the learners carrying individual funding.
    individual_learners = {a.learner_id for a in allocations if a.funding_type in INDIVIDUAL_TYPES}
    assert (
        set(
            Individual.objects.filter(organization=organization).values_list(
                "learner_id", flat=True
            )
        )
        == individual_learners
    )
    # Funding of sub-contracted-in sessions comes from the training organisation behind them.
    for allocation in allocations:
        if allocation.session.delivery == Delivery.SUBCONTRACTED_IN:
            assert allocation.company.kind == CompanyKind.TRAINING_ORGANISATION


def test_scale_options_and_second_run(scale_output):
    before = row_counts()
    assert "already present" in seed("--scale", "200")
    assert row_counts() == before
    seed("--scale", "100", "--allocations", "40", "--seed", "7")
    organization = Organization.objects.get(slug="scale-100")
    assert FundingAllocation.objects.filter(organization=organization).count() == 40
    assert_allocations_valid(organization)


def test_scale_same_seed_gives_the_same_rows(db):
    seed("--scale", "100", "--seed", "3")
    first = Organization.objects.get(slug="scale-100")
    fingerprint = list(
        FundingAllocation.objects.filter(organization=first)
        .order_by("pk")
        .values_list("funding_type", "status", "approved_amount", "cpf_case_number")
    )
    Organization.objects.filter(pk=first.pk).update(slug="scale-100-first")
    seed("--scale", "100", "--seed", "3")
    second = Organization.objects.get(slug="scale-100")
    assert fingerprint == list(
        FundingAllocation.objects.filter(organization=second)
        .order_by("pk")
        .values_list("funding_type", "status", "approved_amount", "cpf_case_number")
    )


def test_scale_several_organisations_each_with_its_administrator(db):
    """The load test's data (bench/load.py): K organisations of one size, each its own login and
    its own data; a second run seeds only the missing ones."""
    output = seed("--scale", "40", "--organizations", "2")
    first, second = (Organization.objects.get(slug=slug) for slug in ("scale-40", "scale-40-2"))
    for organization, username in ((first, "scale-40-admin"), (second, "scale-40-2-admin")):
        membership = Membership.objects.get(organization=organization)
        assert membership.user.username == username
        assert membership.role == Role.ADMINISTRATOR
        assert membership.user.check_password("certeef-demo")
        assert Learner.objects.filter(organization=organization).count() == 40
        assert_allocations_valid(organization)
    assert first.name != second.name and first.siret != second.siret
    # Another seed for each: not the same learners twice.
    assert set(first.learners.values_list("last_name", flat=True)) != set(
        second.learners.values_list("last_name", flat=True)
    )
    assert output.count("scale-40-2-admin") == 1
    before = row_counts()
    again = seed("--scale", "40", "--organizations", "3")
    assert again.count("already present") == 2
    assert Organization.objects.filter(slug="scale-40-3").exists()
    assert row_counts()["Organization"] == before["Organization"] + 1


def test_scale_rejects_nonsense(db):
    with pytest.raises(CommandError):
        seed("--scale", "3")
    with pytest.raises(CommandError):
        seed("--allocations", "10")
    with pytest.raises(CommandError):
        seed("--organizations", "2")
    with pytest.raises(CommandError):
        seed("--scale", "40", "--organizations", "0")


def test_paid_dates_are_never_in_the_future(scale_output):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert not FundingAllocation.objects.filter(paid_on__gte=tomorrow).exists()


def _constraints_and_indexes() -> dict[str, set]:
    """Every table's constraints (with their definitions) and indexes, as the database has them."""
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        return {
            table: {
                (name, tuple(details["columns"]), details["foreign_key"], details["unique"])
                for name, details in connection.introspection.get_constraints(cursor, table).items()
            }
            for table in tables
        }


def test_scale_leaves_every_foreign_key_and_index_in_place(db):
    # On PostgreSQL the seed drops the foreign keys and secondary indexes of the tables it
    # loads, and puts them back (demo/scale.py).
    before = _constraints_and_indexes()
    seed("--scale", "100")
    after = _constraints_and_indexes()
    # (SQLite's ANALYZE adds a table of statistics, with nothing to compare.)
    assert {table: after[table] for table in before} == before


def test_demo_and_scale_leave_every_session_summary_current(demo_output, scale_output):
    sessions = list(Session.objects.all())
    assert SessionEnrollmentTally.objects.count() >= len(sessions) // 2
    assert SessionFundingTotal.objects.exists()
    assert_summaries_current(*sessions)


def _summaries_written_around(organization: Organization, *, hours: bool = True) -> list[int]:
    """Every summary of the organisation's sessions wiped or made wrong (with `hours`, the
    scheduled sessions' hours too); their ids."""
    from attendance.models import AttendanceGap

    ids = list(Session.objects.filter(organization=organization).values_list("pk", flat=True))
    for model in (SessionFundingTotal, SessionSummary, SessionEnrollmentTally, AttendanceGap):
        model.objects.filter(session_id__in=ids).delete()
    Enrollment.objects.filter(session_id__in=ids).update(
        funding_code=7, counted_funding=1, pending_allocations=9, hours_recorded=Decimal("3.33")
    )
    if hours:
        Session.objects.filter(pk__in=ids, time_slots__isnull=False).update(hours=1)
    return ids


def test_a_whole_organisation_rebuilt_at_once_equals_it_rebuilt_session_by_session(
    monkeypatch, django_assert_max_num_queries
):
    """The seed and `refresh_summaries` give `refresh_sessions` a query of a whole organisation's
    sessions: each summary is then rebuilt in one pass over all of them (training/changes.py).
    Same rows as the per-session rebuild (here 3 sessions per round), on either database."""
    from training import changes

    seed("--scale", "400")
    organization = Organization.objects.get(slug="scale-400")
    every_session = Session.objects.filter(organization=organization)
    hours = dict(every_session.values_list("pk", "hours"))
    ids = _summaries_written_around(organization)
    monkeypatch.setattr(changes, "CHUNK", 3)
    changes.refresh_sessions(ids)
    by_session = stored_summaries(ids)
    assert dict(every_session.values_list("pk", "hours")) == hours
    _summaries_written_around(organization)
    changes.refresh_sessions(every_session.values_list("pk", flat=True))
    assert stored_summaries(ids) == by_session
    assert dict(every_session.values_list("pk", "hours")) == hours
    # One pass: a fixed number of statements for the 40 sessions (each session whose hours
    # move is saved with its history: none here), where rounds of 3 take hundreds. 27 since the
    # totals by type and status (funding/allocation_totals.py: five statements).
    _summaries_written_around(organization, hours=False)
    with django_assert_max_num_queries(30):
        changes.refresh_sessions(every_session.values_list("pk", flat=True))
    assert stored_summaries(ids) == by_session
    assert SessionEnrollmentTally.objects.filter(session_id__in=ids).exists()
    assert Enrollment.objects.filter(session_id__in=ids, hours_recorded__isnull=False).exists()


def test_demo_attendance_gives_the_bpf_the_hours_followed(demo_output):
    from training.models import Enrollment

    hours = dict(
        Enrollment.objects.filter(session__reference="MAN-2503").values_list(
            "learner__first_name", "hours_recorded"
        )
    )
    # Nathalie drops out after the first day, Fatou misses a half-day, Manon leaves 30 min early.
    assert hours["Nathalie"] == Decimal("7.00")
    assert hours["Fatou"] == Decimal("17.50")
    assert hours["Manon"] == Decimal("20.50")
    assert hours["Karim"] == Decimal("21.00")


def test_scale_gives_a_share_of_past_sessions_a_schedule_and_attendance(db):
    from attendance.models import Attendance, AttendanceGap, TimeSlot
    from training.models import Outcome

    seed("--scale", "400")
    organization = Organization.objects.get(slug="scale-400")
    sessions = Session.objects.filter(organization=organization)
    scheduled = sessions.filter(time_slots__isnull=False).distinct()
    assert 0 < scheduled.count() < sessions.count()
    assert Attendance.objects.filter(organization=organization).exists()
    for session in scheduled[:20]:  # the session's hours are its slots'
        minutes = sum(TimeSlot.objects.filter(session=session).values_list("minutes", flat=True))
        assert session.hours * 60 == minutes
    enrollments = Enrollment.objects.filter(organization=organization)
    assert enrollments.filter(hours_recorded__isnull=False).exists()
    assert enrollments.filter(outcome=Outcome.DROPPED_OUT).exists()
    assert AttendanceGap.objects.filter(session__organization=organization).exists()
    assert_summaries_current(*sessions)
