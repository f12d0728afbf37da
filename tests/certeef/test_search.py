"""Every list searches the same way: each word of the query, in any of the list's fields."""

import pytest

from certeef.lists import counted_per_table, words_matching
from companies.models import Company
from individuals.models import Individual
from learners.models import Learner
from tests.conftest import make_company, make_course, make_individual, make_learner, make_session
from training.models import Course, Session


def test_learners_words_in_any_order_and_case(organization):
    melanie = make_learner(organization, first_name="Mélanie", last_name="Chevalier")
    make_learner(organization, first_name="Mélanie", last_name="Martin")

    assert list(Learner.objects.search("CHEVALIER mél")) == [melanie]


def test_courses_and_sessions_match_each_word_not_the_phrase(organization):
    excel = make_course(organization, title="Excel avancé", reference="BUR-EXC")
    make_course(organization, title="Word avancé", reference="BUR-WRD")
    session = make_session(organization, course=excel, location="Lyon")
    make_session(organization, location="Lyon")

    assert list(Course.objects.search("avancé excel")) == [excel]
    assert list(Session.objects.search("excel lyon")) == [session]


def test_companies_by_words_or_siret_typed_with_spaces(organization):
    acme = make_company(organization, name="Acme Industrie", siret="73282932000074")
    make_company(organization, name="Acme Services")

    assert list(Company.objects.search("industrie acme")) == [acme]
    assert list(Company.objects.search("732 829 320")) == [acme]


def test_an_empty_query_matches_everything(organization):
    make_learner(organization)
    make_course(organization)

    assert Learner.objects.search("  ").count() == 1
    assert Course.objects.search("").count() == 1


@pytest.mark.parametrize(
    "query",
    ["mart", "MART camille", "société cam", "cam soc", "ma", "a", "zzz", "ex.fr", "é", ""],
)
def test_counted_per_table_finds_the_rows_words_matching_finds(organization, query):
    # On PostgreSQL, words of three letters or more are looked up table by table: a word in the
    # billing name and another in the learner's name, a row found through both tables once.
    fields = ("learner__first_name", "learner__last_name", "learner__email", "billing_name")
    for first_name, last_name, billing_name in [
        ("Camille", "Martin", "Société Martin"),
        ("Camille", "Dupont", ""),
        ("Hugo", "Martinez", ""),
        ("Léa", "Petit", "Société Camif"),
    ]:
        learner = make_learner(
            organization, first_name=first_name, last_name=last_name, email=f"{last_name}@ex.fr"
        )
        make_individual(learner, billing_name=billing_name)
    individuals = Individual.objects.filter(organization=organization)

    found = {individual.pk for individual in individuals.filter(words_matching(query, *fields))}
    counted = counted_per_table(individuals, query, *fields)
    assert {row["pk"] for row in counted} == found
    assert counted.count() == len(found)
