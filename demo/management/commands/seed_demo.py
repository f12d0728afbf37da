"""`manage.py seed_demo`: the demo organisations; `--scale N`: a large one for benchmarks."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from certeef.models import Role
from demo import bulk_load, demo, scale

DEMO_URL = "http://127.0.0.1:8000"


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _(
            "Create the demo organisations and logins (once: a second run adds nothing). "
            "With --scale N, create instead one large organisation for benchmarks."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            type=int,
            metavar="N",
            help=_(
                "Create organisation scale-N with about N learners, N/10 sessions, "
                "2·N enrollments and the funding allocations (see --allocations)."
            ),
        )
        parser.add_argument(
            "--allocations",
            type=int,
            metavar="M",
            help=_("With --scale: how many funding allocations (default: 2.5·N)."),
        )
        parser.add_argument(
            "--organizations",
            type=int,
            default=1,
            metavar="K",
            help=_(
                "With --scale: K organisations of that size (scale-N, scale-N-2…), each with its "
                "own administrator and data (default: 1)."
            ),
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=1,
            metavar="S",
            help=_("With --scale: random seed; the same seed gives the same data (default: 1)."),
        )

    def handle(self, *args: object, **options: Any) -> None:
        learners, allocations = options["scale"], options["allocations"]
        organizations = options["organizations"]
        if learners is None:
            if allocations is not None or organizations != 1:
                raise CommandError(_("--allocations and --organizations go with --scale N."))
            self._seed_demo()
            return
        if organizations < 1:
            raise CommandError(_("--organizations needs at least 1."))
        seeded = False
        for number in range(1, organizations + 1):
            # Each organisation its own random seed: the same rows five times would not look
            # like five organisations.
            seeded |= self._seed_scale(
                learners,
                allocations,
                options["seed"] + number - 1,
                number=number,
                show_steps=options["verbosity"] >= 2,
            )
        if seeded:
            bulk_load.refresh_statistics()

    def _seed_demo(self) -> None:
        if demo.demo_present():
            self.stdout.write(_("Demo data already present: nothing to do."))
            return
        result = demo.seed_demo()
        for organization in result.organizations:
            companies, learners = organization.companies.count(), organization.learners.count()
            courses, sessions = organization.courses.count(), organization.sessions.count()
            enrollments = organization.enrollments.count()
            allocations = organization.allocations.count()
            counts = (
                ngettext("%(n)d company", "%(n)d companies", companies) % {"n": companies},
                ngettext("%(n)d learner", "%(n)d learners", learners) % {"n": learners},
                ngettext("%(n)d course", "%(n)d courses", courses) % {"n": courses},
                ngettext("%(n)d session", "%(n)d sessions", sessions) % {"n": sessions},
                ngettext("%(n)d enrollment", "%(n)d enrollments", enrollments) % {"n": enrollments},
                ngettext("%(n)d funding allocation", "%(n)d funding allocations", allocations)
                % {"n": allocations},
            )
            self.stdout.write(
                _("Created %(organization)s: %(counts)s.")
                % {"organization": organization.name, "counts": ", ".join(counts)}
            )
        self.stdout.write(
            self.style.SUCCESS(
                "\n" + _("Demo ready: open %(url)s and log in as") % {"url": DEMO_URL}
            )
        )
        for login in result.logins:
            role = Role(login.role).label.lower()
            line = "  " + _("%(username)s %(role)s of %(organization)s") % {
                "username": f"{login.username:<12}",
                "role": role,
                "organization": login.organization,
            }
            if login.superuser:
                line += " " + _("(also Django admin: %(url)s)") % {"url": f"{DEMO_URL}/admin/"}
            if login.created:
                line += ", " + _("password %(password)s") % {"password": demo.DEMO_PASSWORD}
            else:
                line += " " + _("(existing user: password left unchanged)")
            self.stdout.write(line)

    def _seed_scale(
        self, learners: int, allocations: int | None, seed: int, *, number: int, show_steps: bool
    ) -> bool:
        """Seed organisation `number` of this size unless present; whether it was seeded."""
        if learners < 10:
            raise CommandError(_("--scale needs at least 10 learners."))
        if allocations is not None and allocations < 0:
            raise CommandError(_("--allocations cannot be negative."))
        slug = scale.scale_slug(learners, number)
        if scale.scale_present(learners, number):
            self.stdout.write(
                _("Organisation %(slug)s already present: nothing to do.") % {"slug": slug}
            )
            return False
        started = time.perf_counter()
        counts = scale.seed_scale(
            learners=learners,
            allocations=round(2.5 * learners) if allocations is None else allocations,
            seed=seed,
            number=number,
            progress=self.stdout.write if show_steps else None,
        )
        elapsed = time.perf_counter() - started
        # The counts' names are the benchmark's own labels (bench/README.md), kept as they are.
        self.stdout.write(
            _("Created %(organization)s: %(counts)s.")
            % {
                "organization": slug,
                "counts": ", ".join(f"{count} {name}" for name, count in counts.items()),
            }
        )
        self.stdout.write(self.style.SUCCESS(_("in %(seconds).1f s.") % {"seconds": elapsed}))
        self.stdout.write(
            _("Log in as %(username)s (password %(password)s) to browse it at %(url)s.")
            % {
                "username": scale.scale_username(learners, number),
                "password": demo.DEMO_PASSWORD,
                "url": DEMO_URL,
            }
        )
        return True
