"""The worked example, computed by hand from BPF.md (numbers written literally).

Organisation with a 1 July fiscal-year start: FY 2025 = 01/07/2024 – 30/06/2025.

Sessions in FY 2025
  S1 course A (NSF 326, RNCP level 5, 35 h, price 2 400) 02–06/09/2024, direct
  S2 course B (NSF 312, other, 21 h, price 1 500) 23/06–07/07/2025, at a distance, straddles:
     15 days, 8 in FY 2025 (23–30 June) and 7 in FY 2026 → share 8/15 and 7/15
  S3 course A 10–14/03/2025, subcontracted_in (→ G, line 10)
  S4 course B 13–15/01/2025, subcontracted_out (→ F-2, and F-1)

Allocations counted in FY 2025 (approved/paid, enrollment not cancelled)
  S1 L1 OPCO skills plan 2 000,00 (h) + employer 500,50 paid (1)
  S1 L2 France Travail 1 200,00 (7) + CPF 300,00 (e)
  S1 L3 self-funded 999,50 paid (9)
  S1 L4 CPF 1 800,00 rejected, self-funded 400,00 pending → nothing counted
  S1 L5 CPF 900,00 but enrollment cancelled → counts nowhere
  S2 L6 CPF 1 500 × 8/15 = 800,00 (e)
  S2 L7 OPCO skills plan 1 000 × 8/15 = 533,333… (h)
  S2 L8 self-funded 750 × 8/15 = 400,00 (9)
  S3 L9 training organisation 2 500,00 (10)
  S4 L10 OPCO skills plan 1 234,56 (h)

Section C
  1 = 500,50 → 501 (half-up)        e = 300 + 800 = 1 100
  h = 2 000 + 533,333… + 1 234,56 = 3 767,893… → 3 768
  7 = 1 200      9 = 999,50 + 400 = 1 399,50 → 1 400      10 = 2 500
  2 = a..h = 1 100 + 3 768 = 4 868
  total = 501 + 4 868 + 1 200 + 1 400 + 2 500 = 10 469
  (the exact sum 10 467,893… would round to 10 468: totals are sums of rounded lines)

Section F (S1, S2 × 8/15, S4; S3 is G)
  L1 S1 a (rule 5: private employee) 35 h      L2 S1 c (rule 3: France Travail) 30 h attended
  L3 S1 d (rule 2: all self-funded) 35 h       L4 S1 unclassified (rule 6: no status) 35 h
  L6 S2 e (rule 5: self-employed) 21 × 8/15 = 11,2 h
  L7 S2 a (rule 5) 11,2 h                      L8 S2 b (rule 1: override) 15 × 8/15 = 8 h
  L10 S4 b (rule 5: apprentice) 21 h
  F-1: a 2 / 46,2 → 46; b 2 / 29; c 1 / 30; d 1 / 35; e 1 / 11,2 → 11; unclassified 1 / 35;
       total 8 / 46 + 29 + 30 + 35 + 11 + 35 = 186
  F-2: L10: 1 / 21
  F-3: a_5 (course A: L1–L4) 4 / 135; d (course B: L6, L7, L8, L10) 4 / 51,4 → 51;
       a = 4 / 135; total 8 / 186
  F-4: 326 4 / 135; 312 4 / 51; others 0; total 8 / 186
  G: L9 1 / 35

FY 2026 (the rest of S2, 7/15): e 700; h 466,67 → 467; 9 350; F-1 a 1 / 9,8 → 10,
  b 1 / 7, e 1 / 9,8 → 10.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from bpf.computation import compute_bpf, default_fiscal_year
from bpf.years import fiscal_years_with_data

pytestmark = pytest.mark.django_db


def figures(mapping):
    return {key: (figure.learners, figure.hours) for key, figure in mapping.items()}


def test_section_c(worked_example):
    report = compute_bpf(worked_example.organization, 2025)
    assert {code: amount.value for code, amount in report.c.items()} == {
        "1": 501,
        "a": 0,
        "b": 0,
        "c": 0,
        "d": 0,
        "e": 1100,
        "f": 0,
        "g": 0,
        "h": 3768,
        "2": 4868,
        "3": 0,
        "4": 0,
        "5": 0,
        "6": 0,
        "7": 1200,
        "8": 0,
        "9": 1400,
        "10": 2500,
        "11": 0,
        "total": 10469,
    }
    assert report.c["h"].exact.quantize(Decimal("0.001")) == Decimal("3767.893")
    assert report.c["9"].exact == Decimal("1399.50")


def test_period_form_and_section_b(worked_example):
    report = compute_bpf(worked_example.organization, 2025)
    assert (report.start.isoformat(), report.end.isoformat()) == ("2024-07-01", "2025-06-30")
    assert report.form == "10443*17"
    assert report.distance is True
    assert report.has_data is True


def test_section_f1(worked_example):
    report = compute_bpf(worked_example.organization, 2025)
    assert figures(report.f1) == {
        "a": (2, 46),
        "b": (2, 29),
        "c": (1, 30),
        "d": (1, 35),
        "e": (1, 11),
        "unclassified": (1, 35),
        "total": (8, 186),
    }


def test_sections_f2_f3_f4_and_g(worked_example):
    report = compute_bpf(worked_example.organization, 2025)
    assert (report.f2.learners, report.f2.hours) == (1, 21)
    assert figures(report.f3) == {
        "a": (4, 135),
        "a_6_8": (0, 0),
        "a_5": (4, 135),
        "a_4": (0, 0),
        "a_3": (0, 0),
        "a_2": (0, 0),
        "a_cqp": (0, 0),
        "b": (0, 0),
        "c": (0, 0),
        "d": (4, 51),
        "e": (0, 0),
        "f": (0, 0),
        "unclassified": (0, 0),
        "total": (8, 186),
    }
    assert report.f3["d"].exact_hours == Decimal("51.4")
    assert [(s.code, s.label, s.figure.learners, s.figure.hours) for s in report.f4] == [
        (
            "326",
            "Informatique, traitement de l'information, réseaux de transmission des données",
            4,
            135,
        ),
        ("312", "Commerce, vente", 4, 51),
    ]
    assert (report.f4_other.learners, report.f4_other.hours) == (0, 0)
    assert (report.f4_total.learners, report.f4_total.hours) == (8, 186)
    assert (report.g.learners, report.g.hours) == (1, 35)


def test_checks(worked_example):
    report = compute_bpf(worked_example.organization, 2025)
    assert [(c.code, c.severity, c.count) for c in report.checks] == [
        ("unclassified_trainees", "error", 1),
        ("pending_allocations", "warning", 1),
        ("unfunded_enrollments", "warning", 1),
        ("costs_missing", "warning", 1),
        # L1 2 500,50 in S1 and L9 2 500,00 in S3 exceed course A's 2 400,00.
        ("overfunded", "warning", 2),
        # L5's cancelled enrollment in S1 still carries its approved CPF 900,00.
        ("cancelled_funded", "warning", 1),
        # Activity in the year, and no share of turnover typed.
        ("turnover_share_missing", "warning", 1),
    ]


def test_next_year_gets_the_rest_of_the_straddling_session(worked_example):
    report = compute_bpf(worked_example.organization, 2026)
    assert {code: a.value for code, a in report.c.items() if a.value} == {
        "e": 700,
        "h": 467,
        "9": 350,
        "2": 1167,
        "total": 1517,
    }
    assert figures(report.f1) == {
        "a": (1, 10),
        "b": (1, 7),
        "c": (0, 0),
        "d": (0, 0),
        "e": (1, 10),
        "unclassified": (0, 0),
        "total": (3, 27),
    }


def test_years_with_data_and_default(worked_example):
    import datetime

    org = worked_example.organization
    assert fiscal_years_with_data(org) == [2026, 2025, 2024]
    # On 15/03/2026 the last closed fiscal year is 2025 (ended 30/06/2025).
    assert default_fiscal_year(org, [2026, 2025, 2024], datetime.date(2026, 3, 15)) == 2025
    assert default_fiscal_year(org, [2026], datetime.date(2026, 3, 15)) == 2026
    assert default_fiscal_year(org, [], datetime.date(2026, 3, 15)) is None


def test_form_16_before_2023(organization):
    from tests.conftest import make_enrollment, make_session

    make_enrollment(make_session(organization))
    assert compute_bpf(organization, 2022).form == "10443*16"
    assert compute_bpf(organization, 2023).form == "10443*17"
