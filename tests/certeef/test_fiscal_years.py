"""The fiscal year of a day, in Python and in SQL, agree for every kind of fiscal-year start."""

from __future__ import annotations

import datetime

import pytest

from tests.conftest import make_course, make_session
from training.models import Session

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("month", "day"), [(1, 1), (7, 1), (4, 15), (12, 28)])
def test_sql_fiscal_year_matches_python_on_every_day(organization, month, day):
    organization.fiscal_year_start_month, organization.fiscal_year_start_day = month, day
    organization.save()
    course = make_course(organization)
    first = datetime.date(2024, 1, 1)
    for offset in range(0, 731):  # two years, a leap day included
        start = first + datetime.timedelta(days=offset)
        make_session(organization, course, start_date=start, end_date=start)
    rows = Session.objects.filter(organization=organization).values_list(
        "start_date", organization.fiscal_year_expression("start_date")
    )
    mismatches = [(date, year) for date, year in rows if year != organization.fiscal_year_of(date)]
    assert len(rows) == 731 and mismatches == []
