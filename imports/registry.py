"""The kinds of import, by the name the command and the page use."""

from __future__ import annotations

from imports.edof import EdofImporter
from imports.enrollment_kinds import EnrollmentImporter
from imports.funding_kinds import AllocationImporter
from imports.importer import Importer
from imports.kinds import CompanyImporter, CourseImporter, LearnerImporter, SessionImporter

KINDS: dict[str, type[Importer]] = {
    "learners": LearnerImporter,
    "companies": CompanyImporter,
    "courses": CourseImporter,
    "sessions": SessionImporter,
    "enrollments": EnrollmentImporter,
    "allocations": AllocationImporter,
    "edof": EdofImporter,
}
