"""`manage.py seed_demo`: the demo organisations; `--scale N`: a large one for benchmarks."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from certeef.models import Role
from demo import demo, scale

DEMO_URL = "http://127.0.0.1:8000"


class Command(BaseCommand):
    help = (
        "Create the demo organisations and logins (once: a second run adds nothing). "
        "With --scale N, create instead one large organisation for benchmarks."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--scale",
            type=int,
            metavar="N",
            help="Create organisation scale-N with about N learners, N/10 sessions, "
            "2·N enrollments and the funding allocations (see --allocations).",
        )
        parser.add_argument(
            "--allocations",
            type=int,
            metavar="M",
            help="With --scale: how many funding allocations (default: 2.5·N).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=1,
            metavar="S",
            help="With --scale: random seed; the same seed gives the same data (default: 1).",
        )

    def handle(self, *args, scale: int | None, allocations: int | None, seed: int, **options):
        if scale is None:
            if allocations is not None:
                raise CommandError("--allocations goes with --scale N.")
            self._seed_demo()
        else:
            self._seed_scale(scale, allocations, seed, show_steps=options["verbosity"] >= 2)

    def _seed_demo(self) -> None:
        if demo.demo_present():
            self.stdout.write("Demo data already present: nothing to do.")
            return
        result = demo.seed_demo()
        for organization in result.organizations:
            counts = (
                _count(organization.companies.count(), "company", "companies"),
                _count(organization.learners.count(), "learner", "learners"),
                _count(organization.courses.count(), "course", "courses"),
                _count(organization.sessions.count(), "session", "sessions"),
                _count(organization.enrollments.count(), "enrollment", "enrollments"),
                _count(
                    organization.allocations.count(), "funding allocation", "funding allocations"
                ),
            )
            self.stdout.write(f"Created {organization.name}: {', '.join(counts)}.")
        self.stdout.write(self.style.SUCCESS(f"\nDemo ready: open {DEMO_URL} and log in as"))
        for login in result.logins:
            role = Role(login.role).label.lower()
            line = f"  {login.username:<12} {role} of {login.organization}"
            if login.superuser:
                line += f" (also Django admin: {DEMO_URL}/admin/)"
            if login.created:
                line += f", password {demo.DEMO_PASSWORD}"
            else:
                line += " (existing user: password left unchanged)"
            self.stdout.write(line)

    def _seed_scale(
        self, learners: int, allocations: int | None, seed: int, *, show_steps: bool
    ) -> None:
        if learners < 10:
            raise CommandError("--scale needs at least 10 learners.")
        if allocations is not None and allocations < 0:
            raise CommandError("--allocations cannot be negative.")
        slug = scale.scale_slug(learners)
        if scale.scale_present(learners):
            self.stdout.write(f"Organisation {slug} already present: nothing to do.")
            return
        started = time.perf_counter()
        counts = scale.seed_scale(
            learners=learners,
            allocations=round(2.5 * learners) if allocations is None else allocations,
            seed=seed,
            progress=self.stdout.write if show_steps else None,
        )
        scale.refresh_statistics()
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Created {slug}: " + ", ".join(f"{count} {name}" for name, count in counts.items())
        )
        self.stdout.write(self.style.SUCCESS(f"in {elapsed:.1f} s."))
        self.stdout.write(
            f"Log in as {scale.scale_username(learners)} (password {demo.DEMO_PASSWORD}) "
            f"to browse it at {DEMO_URL}."
        )


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"
