"""The benchmark data set behind `manage.py seed_demo --scale N`: one large organisation.

About N learners, N/10 sessions over the fiscal years 2024–2026 (about 5 % straddling a year end,
every delivery kind), 2·N enrollments, N/20 companies of every kind, and M funding allocations of
every funding type and status. Written with bulk inserts (COPY on PostgreSQL) and a seeded random
generator (the same seed gives the same rows), so N = 20 000 takes seconds, not hours.

The services are far too slow for this, so the rows are built here to be exactly what the
services would have accepted: each allocation is for a learner enrolled in its session, carried
by the learner's own Individual for individual types or by a company whose kind suits the type
(funding/types.py), with a CPF case number unique among the non-rejected ones, and a payment date
(in the past) when Paid. No status history is written; the session summaries the services keep
(training/changes.py) are rebuilt once at the end.
"""

from __future__ import annotations

import datetime
import functools
import itertools
import operator
import random
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.utils import timezone

from attendance.models import Attendance, AttendanceStatus, TimeSlot
from certeef.models import Membership, Organization, Role
from companies.models import Company, CompanyKind, Opco
from demo.bulk_load import (
    foreign_keys_checked_once,
    indexes_built_once,
    refresh_statistics,
    session_memory,
)
from demo.demo import DEMO_PASSWORD, OPCO_PREFIX
from demo.fake_france import (
    FIRST_NAMES,
    LAST_NAMES,
    email_local_part,
    random_address,
    random_mobile,
    random_siret,
)
from funding.models import FundingAllocation, FundingStatus
from funding.types import COMPANY_TYPES, INDIVIDUAL_TYPES, FundingType
from individuals.models import Individual
from learners.models import Learner, ProfessionalStatus
from training.changes import refresh_sessions
from training.models import Course, Delivery, Enrollment, Objective, Outcome, Session

BATCH_SIZE = 2000
# Keys read back per query after a streamed insert.
KEY_CHUNK = 20_000
FISCAL_YEARS = (2024, 2025, 2026)
CENT = Decimal("0.01")

# (title, NSF code) of the courses; each exists at a few levels or formats.
COURSE_TOPICS = (
    ("Management d'équipe", "310"),
    ("Gestion de projet", "310"),
    ("Comptabilité générale", "314"),
    ("Paie et administration du personnel", "315"),
    ("Recrutement et entretiens", "315"),
    ("Techniques de vente", "312"),
    ("Relation client", "312"),
    ("Logistique et gestion des stocks", "311"),
    ("Cariste CACES R489", "311"),
    ("Excel", "326"),
    ("Développement web", "326"),
    ("Cybersécurité", "326"),
    ("Secrétariat et bureautique", "324"),
    ("Communication digitale", "321"),
    ("Anglais professionnel", "136"),
    ("Français langue étrangère", "136"),
    ("Sauveteur secouriste du travail", "344"),
    ("Habilitation électrique", "255"),
    ("Soudure", "254"),
    ("Maintenance industrielle", "250"),
    ("Hygiène alimentaire HACCP", "221"),
    ("Cuisine professionnelle", "221"),
    ("Accueil et hôtellerie", "334"),
    ("Aide-soignant", "331"),
    ("Accompagnement des personnes âgées", "332"),
    ("Petite enfance", "332"),
    ("Formation de formateurs", "333"),
    ("Bilan de compétences", "415"),
    ("Accompagnement VAE", "415"),
    ("Prise de parole en public", "413"),
)
COURSE_FORMATS = ("initiation", "perfectionnement", "certification", "parcours long", "intra")
TRADES = ("Transports", "Boulangerie", "Garage", "Menuiserie", "Cabinet", "Hôtel", "Imprimerie")
PUBLIC_BODIES = ("Commune de", "Centre hospitalier de", "CCAS de", "Communauté de communes de")
LOCATIONS = ("Lyon", "Villeurbanne", "Grenoble", "Saint-Étienne", "Classe virtuelle", "Sur site")
COURSE_HOURS = (7, 14, 14, 21, 21, 24, 35, 35, 70, 140, 280, 420)

STATUS_WEIGHTS = {
    ProfessionalStatus.PRIVATE_EMPLOYEE: 50,
    ProfessionalStatus.JOB_SEEKER: 17,
    ProfessionalStatus.PUBLIC_AGENT: 10,
    ProfessionalStatus.SELF_EMPLOYED: 8,
    ProfessionalStatus.APPRENTICE: 7,
    ProfessionalStatus.OTHER: 6,
    "": 2,
}

F = FundingType
# Plausible funding of a learner by professional status (weights).
TYPE_WEIGHTS_BY_STATUS: dict[str, dict[str, int]] = {
    ProfessionalStatus.PRIVATE_EMPLOYEE: {
        F.OPCO_SKILLS_PLAN: 35, F.EMPLOYER: 20, F.CPF: 20, F.OPCO_PROFESSIONALISATION: 5,
        F.OPCO_PRO_A: 4, F.TRANSITION_PRO: 4, F.OTHER_PRODUCTS: 4, F.SELF_FUNDED: 3,
    },
    ProfessionalStatus.APPRENTICE: {
        F.OPCO_APPRENTICESHIP: 80, F.EMPLOYER: 10, F.OTHER_PRODUCTS: 5, F.CPF: 5,
    },
    ProfessionalStatus.JOB_SEEKER: {
        F.FRANCE_TRAVAIL: 40, F.CPF: 25, F.OPCO_JOB_SEEKERS: 15, F.REGION: 12, F.STATE: 4,
        F.EU_FUNDS: 4,
    },
    ProfessionalStatus.SELF_EMPLOYED: {F.FAF_SELF_EMPLOYED: 40, F.CPF: 30, F.SELF_FUNDED: 30},
    ProfessionalStatus.PUBLIC_AGENT: {
        F.PUBLIC_EMPLOYER: 60, F.CPF: 25, F.OTHER_PUBLIC: 10, F.SELF_FUNDED: 5,
    },
    ProfessionalStatus.OTHER: {F.SELF_FUNDED: 45, F.CPF: 35, F.OTHER_PUBLIC: 10, F.STATE: 10},
    "": {F.CPF: 50, F.SELF_FUNDED: 50},
}  # fmt: skip

FUNDING_STATUS_WEIGHTS = {
    FundingStatus.PAID: 45,
    FundingStatus.APPROVED: 30,
    FundingStatus.PENDING: 15,
    FundingStatus.REJECTED: 10,
}
# A session that has not started yet is rarely paid for.
FUTURE_FUNDING_STATUS_WEIGHTS = {
    FundingStatus.PAID: 3,
    FundingStatus.APPROVED: 40,
    FundingStatus.PENDING: 47,
    FundingStatus.REJECTED: 10,
}

DELIVERY_WEIGHTS = {
    Delivery.DIRECT: 80,
    Delivery.SUBCONTRACTED_IN: 12,
    Delivery.SUBCONTRACTED_OUT: 8,
}
COMPANY_KIND_WEIGHTS = {
    CompanyKind.PRIVATE_EMPLOYER: 80,
    CompanyKind.PUBLIC_EMPLOYER: 12,
    CompanyKind.TRAINING_ORGANISATION: 8,
}
KIND_OF_TYPE: dict[str, str] = {
    funding_type: kind
    for kind, types in COMPANY_TYPES.items()
    for funding_type in types
    if funding_type != F.OTHER_PRODUCTS
}

STRADDLING_SHARE = 0.05
# Past sessions of at most this many hours that get a schedule (two slots a day) and their
# attendance: most learners present, some absent half-days, a few partly present, drop-outs and
# no-shows, and now and then a session with a past slot nobody recorded.
SCHEDULED_SHARE = 0.25
SCHEDULED_MAX_HOURS = 70
CANCELLED_SHARE = 0.02
PARTIAL_HOURS_SHARE = 0.05


def scale_slug(learners: int, number: int = 1) -> str:
    """The organisation's slug: scale-N, then scale-N-2, scale-N-3… when several organisations
    of that size are seeded (`seed_demo --scale N --organizations K`, the load test's)."""
    return f"scale-{learners}" if number == 1 else f"scale-{learners}-{number}"


def scale_username(learners: int, number: int = 1) -> str:
    return f"{scale_slug(learners, number)}-admin"


def scale_present(learners: int, number: int = 1) -> bool:
    return Organization.objects.filter(slug=scale_slug(learners, number)).exists()


def _choose[K: str](rng: random.Random, weights: Mapping[K, int]) -> K:
    return rng.choices(tuple(weights), weights=tuple(weights.values()))[0]


class _ScaleBuilder:
    def __init__(
        self,
        *,
        learners: int,
        allocations: int,
        seed: int,
        number: int,
        progress: Callable[[str], object] | None,
    ) -> None:
        self.learner_count = learners
        self.number = number
        self.allocation_count = allocations
        self.rng = random.Random(seed)
        self.today = timezone.localdate()
        self.progress = progress
        self.counts: dict[str, int] = {}
        self.started = time.perf_counter()

    def _bulk[M: models.Model](self, model: type[M], rows: list[M], label: str) -> list[M]:
        """Insert the (unsaved) instances of a small table and give them their primary keys."""
        keys = self._stream(model, rows, label)
        for instance, key in zip(rows, keys, strict=True):
            instance.pk = key
            instance._state.adding = False
        return rows

    def _stream[M: models.Model](
        self, model: type[M], instances: Iterable[M], label: str
    ) -> array[int]:
        """Insert instances as they are made, BATCH_SIZE at a time (none of them is kept), and
        return the new rows' primary keys in insertion order, as a compact array of integers:
        at 400 000 learners, a million allocations held as model instances would need gigabytes.
        """
        count = 0
        for batch in itertools.batched(instances, BATCH_SIZE):
            if connection.vendor in ("postgresql", "sqlite"):
                self._fast_insert(model, batch)
            else:
                model._default_manager.bulk_create(batch, batch_size=BATCH_SIZE)
            count += len(batch)
        self.counts[label] = count
        self.step(f"{count} {label}")
        # This transaction alone writes rows of the new organisation, and keys grow in insertion
        # order: the organisation's keys, sorted, are the instances' keys.
        keys = array(
            "q",
            model._default_manager.filter(organization=self.organization)
            .order_by("pk")
            .values_list("pk", flat=True)
            .iterator(chunk_size=KEY_CHUNK),
        )
        if len(keys) != count:
            raise RuntimeError(f"{model.__name__}: {count} inserted, {len(keys)} found")
        return keys

    def _fast_insert(self, model: type[models.Model], instances: tuple[models.Model, ...]) -> None:
        """bulk_create compiles every value through the ORM, which is most of its time at this
        size (7.6 s for 50 000 learners here); the drivers' own bulk paths take a fraction of it
        (COPY on PostgreSQL: 1.2 s; one prepared statement run by executemany on SQLite: 0.6 s).
        The instances carry their defaults already; auto_now(_add) stamps are filled here. Every
        database constraint still applies."""
        fields = [field for field in model._meta.concrete_fields if not field.primary_key]
        now = timezone.now()
        for field in fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                for instance in instances:
                    setattr(instance, field.attname, now)
        # Django stores datetimes its own way on SQLite (UTC, no offset): adapt them as it does.
        # (Memoised: the stamps are one value repeated.)
        adapt = functools.cache(connection.ops.adapt_datetimefield_value)
        adapt_time = connection.ops.adapt_timefield_value
        getters = [
            (lambda obj, name=field.attname: adapt(getattr(obj, name)))
            if isinstance(field, models.DateTimeField)
            # Times too (slots): SQLite's driver does not adapt them.
            else (lambda obj, name=field.attname: adapt_time(getattr(obj, name)))
            if isinstance(field, models.TimeField) and connection.vendor == "sqlite"
            else operator.attrgetter(field.attname)
            for field in fields
        ]
        rows = ([get(instance) for get in getters] for instance in instances)
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        # Concrete fields: each has its column.
        columns = ", ".join(quote(field.column) for field in fields if field.column is not None)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                placeholders = ", ".join(["%s"] * len(fields))
                # Names come from the model's meta, quoted; values are parameters.
                insert = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
                # The stubs ask for a sequence; Django takes an iterator too (its debug cursor
                # logs "?" times), which keeps a scale's rows out of memory.
                cursor.executemany(insert, rows)  # type: ignore[arg-type]

    def load(self) -> dict[str, int]:
        self._organization()
        self._companies()
        self._courses()
        self._sessions()
        self._learners()
        self._enrollments()
        self._allocations()
        self._attendance()
        return self.counts

    def step(self, label: str) -> None:
        if self.progress:
            self.progress(f"  {label} (at {time.perf_counter() - self.started:.1f} s)")

    def _organization(self) -> None:
        rng = self.rng
        address, postal_code, city = random_address(rng)
        slug = scale_slug(self.learner_count, self.number)
        name = f"Organisme Grande Échelle {self.learner_count}"
        self.organization = Organization.objects.create(
            name=name if self.number == 1 else f"{name} n° {self.number}",
            slug=slug,
            legal_form="SA",
            siret=random_siret(rng),
            naf_code="8559A",
            nda=f"{rng.randrange(10**10, 10**11)}",
            address=address,
            postal_code=postal_code,
            city=city,
            phone="04 72 00 00 00",
            email=f"contact@{slug}.example.fr",
        )
        user_model = get_user_model()
        username = scale_username(self.learner_count, self.number)
        user = user_model.objects.filter(username=username).first()
        if user is None:
            user = user_model.objects.create_user(
                username=username, password=DEMO_PASSWORD, first_name="Admin", last_name="Scale"
            )
        self.user = user
        Membership.objects.create(
            user=user, organization=self.organization, role=Role.ADMINISTRATOR
        )

    def _companies(self) -> None:
        rng = self.rng
        count = max(len(COMPANY_KIND_WEIGHTS), self.learner_count // 20)
        opcos = Opco.values
        rows = []
        for index in range(count):
            # The first ones cover every kind, whatever the size.
            kind = (
                tuple(COMPANY_KIND_WEIGHTS)[index]
                if index < len(COMPANY_KIND_WEIGHTS)
                else _choose(rng, COMPANY_KIND_WEIGHTS)
            )
            address, postal_code, town = random_address(rng)
            surname = rng.choice(LAST_NAMES)
            if kind == CompanyKind.PRIVATE_EMPLOYER:
                trade = rng.choice(TRADES)
                name, opco = f"{trade} {surname}", rng.choice(opcos)
            elif kind == CompanyKind.PUBLIC_EMPLOYER:
                body = rng.choice(PUBLIC_BODIES)
                name, opco = f"{body} {town}", ""
            else:
                name, opco = f"Institut {surname} Formation", Opco.AKTO
            rows.append(
                Company(
                    organization=self.organization,
                    name=f"{name} ({index + 1})",
                    siret=random_siret(rng),
                    kind=kind,
                    opco=opco,
                    billing_address=f"{address}\n{postal_code} {town}",
                    billing_email=f"compta{index + 1}@{email_local_part(surname)}.example.fr",
                )
            )
        companies = self._bulk(Company, rows, "companies")
        self.companies_by_kind: dict[str, list[Company]] = {kind: [] for kind in CompanyKind}
        for company in companies:
            self.companies_by_kind[company.kind].append(company)
        self.company_by_id = {company.pk: company for company in companies}

    def _courses(self) -> None:
        rng = self.rng
        objectives = Objective.values
        rows = []
        for index in range(50):
            topic, nsf_code = COURSE_TOPICS[index % len(COURSE_TOPICS)]
            course_format = COURSE_FORMATS[index // len(COURSE_TOPICS) % len(COURSE_FORMATS)]
            hours = rng.choice(COURSE_HOURS)
            rate = rng.randrange(25, 95)  # euros per hour
            rows.append(
                Course(
                    organization=self.organization,
                    title=f"{topic} – {course_format}",
                    reference=f"C{index + 1:03d}",
                    nsf_code=nsf_code,
                    # The first ones cover every objective.
                    objective=objectives[index]
                    if index < len(objectives)
                    else rng.choice(objectives),
                    duration_hours=Decimal(hours),
                    price=Decimal(hours * rate // 10 * 10),
                )
            )
        self.courses = self._bulk(Course, rows, "courses")

    def _dates(self, hours: Decimal, straddling: bool) -> tuple[datetime.date, datetime.date]:
        """Calendar span from the hours: short courses run on consecutive days, long ones
        part-time over weeks or months."""
        rng = self.rng
        days = float(hours) / 7
        span = max(1, round(days * (1.4 if days <= 5 else 2.5)))
        span = min(span, 300)
        if straddling:
            year = rng.choice(FISCAL_YEARS[:-1])
            span = max(span, 2)
            start = datetime.date(year, 12, 31) - datetime.timedelta(
                days=rng.randrange(0, span - 1)
            )
        else:
            year = rng.choice(FISCAL_YEARS)
            first_day = datetime.date(year, 1, 1).toordinal()
            # Within the year whether it has 365 or 366 days.
            start = datetime.date.fromordinal(first_day + rng.randrange(0, 366 - span))
        return start, start + datetime.timedelta(days=span - 1)

    def _sessions(self) -> None:
        rng = self.rng
        count = max(1, self.learner_count // 10)
        deliveries = tuple(DELIVERY_WEIGHTS)
        rows = []
        for index in range(count):
            course = rng.choice(self.courses)
            hours = course.duration_hours
            if rng.random() < 0.1:
                hours = (hours * Decimal(rng.choice(("0.5", "0.75", "1.5")))).quantize(CENT)
            # Every kind of session exists whatever the size: the first ones are forced.
            straddling = index == 3 or rng.random() < STRADDLING_SHARE
            delivery = (
                deliveries[index] if index < len(deliveries) else _choose(rng, DELIVERY_WEIGHTS)
            )
            start, end = self._dates(hours, straddling)
            rows.append(
                Session(
                    organization=self.organization,
                    course=course,
                    reference=f"S{start:%y}-{index + 1:05d}",
                    start_date=start,
                    end_date=end,
                    hours=hours,
                    location=rng.choice(LOCATIONS),
                    distance=rng.random() < 0.25,
                    delivery=delivery,
                )
            )
        self.sessions = self._bulk(Session, rows, "sessions")
        # The training organisation that entrusted each sub-contracted-in session to us.
        principals = self.companies_by_kind[CompanyKind.TRAINING_ORGANISATION]
        self.principal_of = {
            session.pk: rng.choice(principals)
            for session in self.sessions
            if session.delivery == Delivery.SUBCONTRACTED_IN
        }

    def _learners(self) -> None:
        """Streamed: what the allocations need of each learner is kept in compact arrays (its
        employer's key, 0 for none, and the index of its professional status)."""
        rng = self.rng
        private = self.companies_by_kind[CompanyKind.PRIVATE_EMPLOYER]
        public = self.companies_by_kind[CompanyKind.PUBLIC_EMPLOYER]
        statuses = tuple(STATUS_WEIGHTS)
        status_weights = tuple(STATUS_WEIGHTS.values())
        status_index = {status: index for index, status in enumerate(statuses)}
        self.learner_statuses = statuses
        self.learner_employer = array("q")
        self.learner_status = array("b")

        def rows() -> Iterator[Learner]:
            for index in range(self.learner_count):
                first_name, last_name = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                status = rng.choices(statuses, weights=status_weights)[0]
                if status in (ProfessionalStatus.PRIVATE_EMPLOYEE, ProfessionalStatus.APPRENTICE):
                    employer = rng.choice(private)
                elif status == ProfessionalStatus.PUBLIC_AGENT:
                    employer = rng.choice(public)
                else:
                    employer = None
                self.learner_employer.append(employer.pk if employer else 0)
                self.learner_status.append(status_index[status])
                address, postal_code, town = random_address(rng)
                yield Learner(
                    organization_id=self.organization.pk,
                    first_name=first_name,
                    last_name=last_name,
                    email=f"{email_local_part(first_name, last_name)}.{index + 1}@example.fr",
                    phone=random_mobile(rng),
                    address=f"{address}\n{postal_code} {town}",
                    employer_id=employer.pk if employer else None,
                    professional_status=status,
                )

        self.learner_keys = self._stream(Learner, rows(), "learners")

    def _enrollments(self) -> None:
        rng = self.rng
        wanted = 2 * self.learner_count
        weights = [rng.uniform(0.4, 1.6) for _ in self.sessions]
        total_weight = sum(weights)
        sizes = [min(self.learner_count, int(wanted * w / total_weight)) for w in weights]
        # Hand the rounding remainder out one by one, never past the number of learners.
        shortfall = wanted - sum(sizes)
        for index in range(len(sizes)):
            if shortfall <= 0:
                break
            extra = min(shortfall, self.learner_count - sizes[index], 1 + shortfall // len(sizes))
            sizes[index] += extra
            shortfall -= extra
        # Streamed: the allocations need only each enrollment's session and learner (indexes)
        # and whether it is cancelled.
        self.enrollment_session = array("l")
        self.enrollment_learner = array("l")
        self.enrollment_cancelled = array("b")

        def rows() -> Iterator[Enrollment]:
            for session_index, (session, size) in enumerate(zip(self.sessions, sizes, strict=True)):
                for learner_index in rng.sample(range(self.learner_count), size):
                    hours_attended = None
                    if rng.random() < PARTIAL_HOURS_SHARE:
                        hours_attended = (
                            session.hours * Decimal(rng.randrange(40, 95)) / 100
                        ).quantize(CENT)
                    cancelled = rng.random() < CANCELLED_SHARE
                    self.enrollment_session.append(session_index)
                    self.enrollment_learner.append(learner_index)
                    self.enrollment_cancelled.append(cancelled)
                    yield Enrollment(
                        organization_id=self.organization.pk,
                        session_id=session.pk,
                        learner_id=self.learner_keys[learner_index],
                        hours_attended=hours_attended,
                        professional_status=self.learner_statuses[
                            self.learner_status[learner_index]
                        ],
                        outcome=Outcome.CANCELLED if cancelled else Outcome.ENROLLED,
                    )

        self.enrollment_keys = self._stream(Enrollment, rows(), "enrollments")

    def _funding_type(self, session: Session, learner_status: str, uncovered: list[str]) -> str:
        if session.delivery == Delivery.SUBCONTRACTED_IN:
            # The principal pays us (line 10); now and then it also pays expenses (line 11).
            return F.OTHER_PRODUCTS if self.rng.random() < 0.1 else F.TRAINING_ORGANISATION
        if uncovered:
            # Every type exists whatever the size: the first allocations take one each.
            return uncovered.pop(0)
        return _choose(self.rng, TYPE_WEIGHTS_BY_STATUS[learner_status])

    def _company_for(self, funding_type: str, session: Session, employer_id: int) -> Company:
        """A company whose kind suits the type: the learner's employer when it fits."""
        if session.pk in self.principal_of:
            return self.principal_of[session.pk]
        employer = self.company_by_id.get(employer_id)
        kind = KIND_OF_TYPE.get(funding_type)
        if kind is None:  # other products: any company
            return employer or self.rng.choice(self.companies_by_kind[CompanyKind.PRIVATE_EMPLOYER])
        if employer is not None and employer.kind == kind:
            return employer
        return self.rng.choice(self.companies_by_kind[kind])

    def _allocations(self) -> None:
        """Two passes over the allocations, both streamed: the first chooses each one's type
        and status (kept as two small integers each), the second, after the individuals they
        need are created, makes and inserts the rows."""
        rng = self.rng
        cancelled = self.enrollment_cancelled
        # The enrollments, by index, that are not cancelled.
        active = array("l", (index for index in range(len(cancelled)) if not cancelled[index]))
        if not active or not self.allocation_count:
            self.counts["individuals"] = self.counts["funding allocations"] = 0
            return
        rng.shuffle(active)
        # The first pass funds each enrollment once; further allocations add a second payer
        # (mixed funding: CPF and OPCO, employer top-up…) to enrollments in the same order:
        # allocation i funds active[i % len(active)].
        rounds, extra = divmod(self.allocation_count, len(active))

        def payers(slot: int) -> int:
            return rounds + (1 if slot < extra else 0)

        statuses = tuple(FUNDING_STATUS_WEIGHTS)
        types = tuple(F.values)
        type_index = {value: index for index, value in enumerate(types)}
        status_index = {value: index for index, value in enumerate(statuses)}
        learner_statuses = self.learner_statuses
        # Sub-contracted-in sessions bring the training-organisation type.
        uncovered = [value for value in F.values if value != F.TRAINING_ORGANISATION]
        plan_type, plan_status = array("b"), array("b")
        individual_learners: set[int] = set()
        for index in range(self.allocation_count):
            enrollment = active[index % len(active)]
            session = self.sessions[self.enrollment_session[enrollment]]
            learner = self.enrollment_learner[enrollment]
            funding_type = self._funding_type(
                session, learner_statuses[self.learner_status[learner]], uncovered
            )
            if funding_type in INDIVIDUAL_TYPES:
                individual_learners.add(learner)
            if index < len(statuses):
                status = statuses[index]
            elif session.start_date > self.today:
                status = _choose(rng, FUTURE_FUNDING_STATUS_WEIGHTS)
            else:
                status = _choose(rng, FUNDING_STATUS_WEIGHTS)
            plan_type.append(type_index[funding_type])
            plan_status.append(status_index[status])

        # Individuals in the order of their learners' keys (the learners' keys grow with their
        # index).
        individual_learner_indexes = sorted(individual_learners)
        del individual_learners
        now = timezone.now()
        individual_keys = self._stream(
            Individual,
            (
                Individual(
                    organization_id=self.organization.pk,
                    learner_id=self.learner_keys[learner],
                    archived_at=now if rng.random() < 0.03 else None,
                )
                for learner in individual_learner_indexes
            ),
            "individuals",
        )
        individual_of = dict(zip(individual_learner_indexes, individual_keys, strict=True))
        del individual_learner_indexes, individual_keys

        def rows() -> Iterator[FundingAllocation]:
            case_number = rng.randrange(10**10, 2 * 10**10)
            file_number = rng.randrange(1000, 9000)
            for index in range(self.allocation_count):
                slot = index % len(active)
                enrollment = active[slot]
                session = self.sessions[self.enrollment_session[enrollment]]
                learner = self.enrollment_learner[enrollment]
                funding_type = types[plan_type[index]]
                status = statuses[plan_status[index]]
                price = session.course.price
                if funding_type == F.OTHER_PRODUCTS:
                    amount = Decimal(rng.randrange(2000, 30000)) / 100
                else:
                    assert price is not None, "every course of the scale data has a price"
                    amount = (price / payers(slot)).quantize(CENT, ROUND_HALF_UP)
                requested = None
                roll = rng.random()
                if roll < 0.6:
                    requested = amount
                elif roll < 0.75:
                    requested = (amount * Decimal(rng.choice(("1.1", "1.2", "1.3")))).quantize(CENT)
                individual = company = None
                cpf_case_number = funder_reference = ""
                file_number += 1
                if funding_type in INDIVIDUAL_TYPES:
                    individual = individual_of[learner]
                    if funding_type == F.CPF:
                        # Increasing, hence unique among all CPF allocations (rejected included).
                        case_number += rng.randrange(1, 60)
                        cpf_case_number = str(case_number)
                    elif funding_type == F.FRANCE_TRAVAIL:
                        funder_reference = f"AIF-{session.start_date:%y}-{file_number:07d}"
                else:
                    company = self._company_for(
                        funding_type, session, self.learner_employer[learner]
                    )
                    prefix = OPCO_PREFIX.get(company.opco)
                    if prefix and funding_type.startswith("opco"):
                        funder_reference = f"{prefix}-{session.start_date:%Y}-{file_number:07d}"
                paid_on = None
                if status == FundingStatus.PAID:
                    paid_on = min(
                        session.end_date + datetime.timedelta(days=rng.randrange(10, 90)),
                        self.today,
                    )
                yield FundingAllocation(
                    organization_id=self.organization.pk,
                    session_id=session.pk,
                    learner_id=self.learner_keys[learner],
                    enrollment_id=self.enrollment_keys[enrollment],
                    individual_id=individual,
                    company_id=company.pk if company else None,
                    funding_type=funding_type,
                    approved_amount=amount,
                    requested_amount=requested,
                    cpf_case_number=cpf_case_number,
                    funder_reference=funder_reference,
                    status=status,
                    paid_on=paid_on,
                    created_by_id=self.user.pk,
                )

        self._stream(FundingAllocation, rows(), "funding allocations")

    def _slots_of(self, session: Session) -> list[TimeSlot]:
        """Two slots a day from the first day (08:00 and 13:30), as many as the session's hours
        need, the last one shorter: their minutes add up to the session's hours exactly."""
        minutes = int(session.hours * 60)
        per_slot = 210
        days = (session.end_date - session.start_date).days + 1
        count = -(-minutes // per_slot)
        if count > 2 * days:  # more hours than two slots a day hold: longer slots
            count = 2 * days
            per_slot = -(-minutes // count)
        slots = []
        for index in range(count):
            length = min(per_slot, minutes - per_slot * index)
            if length <= 0:
                break
            start = datetime.time(8, 0) if index % 2 == 0 else datetime.time(13, 30)
            end = start.hour * 60 + start.minute + length
            slots.append(
                TimeSlot(
                    organization_id=self.organization.pk,
                    session_id=session.pk,
                    date=session.start_date + datetime.timedelta(days=index // 2),
                    start_time=start,
                    end_time=datetime.time(end // 60, end % 60),
                    minutes=length,
                )
            )
        return slots

    def _attendance(self) -> None:
        """A share of the past sessions get a schedule and their attendance (streamed)."""
        rng = self.rng
        scheduled = {
            index
            for index, session in enumerate(self.sessions)
            if session.end_date < self.today
            and session.hours <= SCHEDULED_MAX_HOURS
            and session.hours * 60 == int(session.hours * 60)
            and rng.random() < SCHEDULED_SHARE
        }
        slots = self._bulk(
            TimeSlot,
            [slot for index in sorted(scheduled) for slot in self._slots_of(self.sessions[index])],
            "time slots",
        )
        slots_of: dict[int, list[TimeSlot]] = {}
        for slot in slots:
            slots_of.setdefault(slot.session_id, []).append(slot)
        learners_of: dict[int, list[int]] = {}
        for enrollment, session_index in enumerate(self.enrollment_session):
            if session_index in scheduled and not self.enrollment_cancelled[enrollment]:
                session_id = self.sessions[session_index].pk
                learners_of.setdefault(session_id, []).append(self.enrollment_keys[enrollment])
        dropped_out: list[int] = []

        def entries() -> Iterator[Attendance]:
            for session_id, session_slots in slots_of.items():
                # One session in twenty has a past slot nobody recorded (a check's case).
                skipped = rng.randrange(len(session_slots)) if rng.random() < 0.05 else None
                for enrollment_id in learners_of.get(session_id, []):
                    profile = rng.random()
                    stop = len(session_slots)
                    if profile < 0.05 and stop > 2:  # drops out: nothing recorded after
                        stop = rng.randrange(1, stop - 1)
                        dropped_out.append(enrollment_id)
                    for index, slot in enumerate(session_slots[:stop]):
                        if index == skipped:
                            continue
                        status, minutes = AttendanceStatus.PRESENT, slot.minutes
                        if profile > 0.99 or (profile > 0.9 and rng.random() < 0.2):
                            status, minutes = AttendanceStatus.ABSENT, 0  # no-shows, half-days
                        elif profile > 0.85 and slot.minutes > 30 and rng.random() < 0.2:
                            status, minutes = AttendanceStatus.PARTIAL, slot.minutes - 30
                        yield Attendance(
                            organization_id=self.organization.pk,
                            slot_id=slot.pk,
                            enrollment_id=enrollment_id,
                            status=status,
                            minutes=minutes,
                        )

        self._stream(Attendance, entries(), "attendance entries")
        for batch in itertools.batched(dropped_out, BATCH_SIZE):
            Enrollment.objects.filter(pk__in=batch).update(outcome=Outcome.DROPPED_OUT)


# The tables the seed streams rows into: their foreign keys are checked once, after the load.
STREAMED_MODELS = (
    *(Company, Course, Session, Learner, Enrollment, Individual, FundingAllocation),
    *(TimeSlot, Attendance),
)


def seed_scale(
    *,
    learners: int,
    allocations: int,
    seed: int = 1,
    number: int = 1,
    progress: Callable[[str], object] | None = None,
) -> dict[str, int]:
    """Create organisation scale-<learners> (or scale-<learners>-<number>); return the number of
    rows of each kind."""
    builder = _ScaleBuilder(
        learners=learners, allocations=allocations, seed=seed, number=number, progress=progress
    )
    tables = [model._meta.db_table for model in STREAMED_MODELS]
    enrollments = Enrollment._meta.db_table
    with transaction.atomic(), foreign_keys_checked_once(tables):
        session_memory()
        # The summaries' rebuild rewrites every enrollment (its funding and hours figures): with
        # only its primary key's and unique constraint's indexes to update, not its five others,
        # the funding figures' UPDATE of 800 000 enrollments at 400 000 learners took 32 s
        # instead of 52 s (load 5–6; a bare UPDATE of them 21 s instead of 44 s). Nothing in the
        # rebuild reads the enrollments through those five (same plans, EXPLAIN).
        with indexes_built_once([enrollments]):
            with indexes_built_once([table for table in tables if table != enrollments]):
                counts = builder.load()
            builder.step("indexes built (but the enrollments')")
            # The planner's statistics of the rows just loaded (ANALYZE sees this transaction's
            # own): without them it guesses 200 sessions per organisation, and the chasing
            # summaries' totals by funder walked the organisation's 40 000 sessions once per
            # funder (53 s per 500 funders at 400 000 learners; 0.1 s with them).
            refresh_statistics(tables)
            builder.step("statistics")
            # The services keep the session summaries as they write; a bulk load rebuilds them.
            refresh_sessions(
                Session.objects.filter(organization=builder.organization).values_list(
                    "pk", flat=True
                )
            )
            builder.step("session summaries rebuilt")
        builder.step("enrollments' indexes built")
    builder.step("foreign keys checked, committed")
    return counts
