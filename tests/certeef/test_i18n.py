"""Two languages: French by default, English complete; the user's choice wins over the
browser's; every number field reads French input."""

from __future__ import annotations

import importlib
import inspect
import io
import pkgutil
import sys
from pathlib import Path

import polib
import pytest
from django import forms
from django.conf import settings as django_settings
from django.contrib import admin
from django.core.management import CommandError, call_command
from django.db import models
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse

from certeef.language import SESSION_KEY
from certeef.models import UserProfile
from certeef.numbers import DecimalNumberField, WholeNumberField
from funding.models import FundingStatus
from tests.conftest import (
    PASSWORD,
    make_allocation,
    make_enrollment,
    make_individual,
    make_learner,
    make_session,
)

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import catalogue  # noqa: E402


def test_the_site_speaks_french_by_default():
    # The real settings, not the tests' English default.
    project_settings = importlib.import_module("certeef.settings")
    assert project_settings.LANGUAGE_CODE == "fr"
    assert [code for code, _name in project_settings.LANGUAGES] == ["fr", "en"]


def test_without_a_browser_language_the_login_page_is_french(db, french):
    page = Client().get(reverse("login")).text
    assert '<html lang="fr">' in page
    assert "Se connecter" in page and "Log in" not in page
    # The language menu, each language in its own words.
    assert 'value="fr" lang="fr" translate="no"' in page and ">Français</button>" in page
    assert ">English</button>" in page


@pytest.mark.parametrize(
    ("accept", "lang", "words"),
    [
        ("fr-FR,fr;q=0.9", "fr", ["Particuliers", "Financements", "Tableau de bord"]),
        ("en-GB,en;q=0.9", "en", ["Individuals", "Funding", "Dashboard"]),
    ],
)
def test_the_browser_language_decides_until_the_user_chooses(
    admin_client, french, accept, lang, words
):
    page = admin_client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE=accept).text
    assert f'<html lang="{lang}">' in page
    assert all(word in page for word in words)
    assert 'action="/language/"' in page


def test_a_user_choice_is_stored_on_their_profile_and_remembered(db, admin_user, french):
    browser = Client(HTTP_ACCEPT_LANGUAGE="fr")
    # django-axes throttles log-ins per request: the test client's login() must pass one.
    browser.login(request=HttpRequest(), username=admin_user.username, password=PASSWORD)
    assert not UserProfile.objects.filter(user=admin_user).exists()  # created on demand
    response = browser.post(reverse("set_language"), {"language": "en", "next": "/learners/"})
    assert response.status_code == 302 and response["Location"] == "/learners/"
    assert UserProfile.objects.get(user=admin_user).language == "en"
    assert "Learners" in browser.get("/learners/").text

    # Another browser, French, no cookie: the profile wins once logged in.
    other = Client(HTTP_ACCEPT_LANGUAGE="fr")
    assert "Se connecter" in other.get(reverse("login")).text
    other.login(request=HttpRequest(), username=admin_user.username, password=PASSWORD)
    assert other.session[SESSION_KEY] == "en"
    page = other.get(reverse("dashboard")).text
    assert '<html lang="en">' in page and "Individuals" in page


def test_an_anonymous_visitor_chooses_with_a_cookie(db, french):
    browser = Client(HTTP_ACCEPT_LANGUAGE="fr")
    browser.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert "Log in" in browser.get(reverse("login")).text
    assert not UserProfile.objects.exists()


def test_an_unknown_language_is_ignored(admin_client, admin_user):
    admin_client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert not UserProfile.objects.filter(user=admin_user, language="xx").exists()


@pytest.fixture
def funded_individual(organization):
    learner = make_learner(organization)
    individual = make_individual(learner)
    make_allocation(
        make_enrollment(make_session(organization), learner),
        status=FundingStatus.PENDING,
        carrier=individual,
        cpf_case_number="12345678901",
    )
    return individual


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fr", ["+ Ajouter un financement", "En attente", "Accorder"]),
        ("en", ["+ Add funding", "Pending", "Approve"]),
    ],
)
def test_the_funding_tab_in_both_languages(admin_client, funded_individual, language, words):
    url = reverse("individuals:funding", args=[funded_individual.pk])
    page = admin_client.get(url, HTTP_ACCEPT_LANGUAGE=language).text
    assert all(word in page for word in words), [w for w in words if w not in page]


def test_statuses_keep_the_help_pages_words_in_english():
    assert [label for _value, label in FundingStatus.choices] == [
        "Pending",
        "Approved",
        "Paid",
        "Rejected",
    ]


def test_commands_speak_the_site_language(db, french):
    with pytest.raises(CommandError, match="Organisme inconnu"):
        call_command("export_bpf", "--organization=nowhere", "--year=2025", "--format=json")


def test_commands_figures_do_not_depend_on_the_language(db, french):
    out = io.StringIO()
    call_command("refresh_summaries", stdout=out)
    assert out.getvalue() == ""  # no organisation: nothing to say, in any language


def test_the_french_catalogue_is_complete():
    """The fast half of `scripts/catalogue.py check` (make lint also compares with makemessages)."""
    po = polib.pofile(str(catalogue.catalogue_path("fr")))
    assert catalogue.incomplete_entries(po) == []
    assert not po.metadata_is_fuzzy


def test_the_catalogue_check_finds_duplicates_and_missing_plural_forms():
    """Two helpers appending to the catalogue at once once left 169 entries twice, and an entry
    with two plural forms where French has three (n = 5 fell back to English)."""
    po = polib.POFile()
    po.metadata = {"Plural-Forms": "nplurals=3; plural=(n == 0 || n == 1) ? 0 : 2;"}
    for _ in range(2):
        po.append(polib.POEntry(msgid="Menu", msgstr="Menu"))
    po.append(
        polib.POEntry(
            msgid="%(count)d line",
            msgid_plural="%(count)d lines",
            msgstr_plural={0: "%(count)d ligne", 1: "%(count)d lignes"},
        )
    )
    problems = catalogue.incomplete_entries(po)
    assert problems == [
        "duplicate entry (keep one): 'Menu'",
        "2 plural forms, the language has 3: '%(count)d line'",
    ]


def _project_forms() -> list[type[forms.BaseForm]]:
    found = []
    for app in [
        "certeef",
        "learners",
        "companies",
        "training",
        "individuals",
        "funding",
        "bpf",
        "dashboard",
    ]:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" in info.name or ".management" in info.name:
                continue
            module = importlib.import_module(info.name)
            for _name, obj in inspect.getmembers(module, inspect.isclass):
                if issubclass(obj, forms.BaseForm) and obj.__module__ == module.__name__:
                    found.append(obj)
    return found


NUMBER_FIELDS = (forms.DecimalField, forms.IntegerField, forms.FloatField)


def test_every_number_field_of_every_form_reads_french_input():
    project_forms = _project_forms()
    assert len(project_forms) > 10
    for form_class in project_forms:
        for name, field in form_class.base_fields.items():
            if isinstance(field, NUMBER_FIELDS) and not field.widget.is_hidden:
                assert isinstance(field, DecimalNumberField | WholeNumberField), (
                    f"{form_class.__name__}.{name}"
                )


def test_every_number_field_of_the_admin_reads_french_input():
    checked = 0
    for model, model_admin in admin.site._registry.items():
        # Django's users, and django-axes' log-in records (read-only: nobody types a number).
        if model._meta.app_label in {"auth", "axes"}:
            continue
        admins = [model_admin] + [
            inline(model, admin.site) for inline in getattr(model_admin, "inlines", [])
        ]
        for each in admins:
            for db_field in each.model._meta.get_fields():
                if (
                    isinstance(db_field, models.DecimalField | models.IntegerField)
                    and not isinstance(db_field, models.AutoField)
                    and db_field.editable
                    and not db_field.choices
                ):
                    field = each.formfield_for_dbfield(db_field, request=None)
                    assert isinstance(field, DecimalNumberField | WholeNumberField), (
                        f"{type(each).__name__}.{db_field.name}"
                    )
                    assert field.widget.input_type == "text"
                    checked += 1
    assert checked >= 5


def test_english_is_complete_in_the_settings():
    assert dict(django_settings.LANGUAGES).keys() == {"fr", "en"}
