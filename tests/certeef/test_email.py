"""E-mail: settings from the environment, and a password reset that really sends its link."""

from __future__ import annotations

import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from certeef.checks import check_email_settings
from tests.conftest import make_user

SETTINGS_FILE = Path(settings.BASE_DIR) / "certeef" / "settings.py"
NEW_PASSWORD = "a-brand-new-passphrase-42"


def load_settings(monkeypatch, **environ: str) -> dict:
    """certeef/settings.py evaluated afresh in this environment (DJANGO_* variables cleared)."""
    for name in list(os.environ):
        if name.startswith("DJANGO_"):
            monkeypatch.delenv(name)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


def test_development_prints_e_mails_in_the_terminal(monkeypatch):
    loaded = load_settings(monkeypatch, DJANGO_DEBUG="1")
    assert loaded["MAILERS"] == {"default": {"BACKEND": "certeef.mail.ReadableConsoleBackend"}}


def test_production_sends_through_the_smtp_server_of_the_environment(monkeypatch):
    loaded = load_settings(
        monkeypatch,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_EMAIL_HOST="smtp.example.fr",
        DJANGO_EMAIL_HOST_USER="certeef",
        DJANGO_EMAIL_HOST_PASSWORD="s3cret",
        DJANGO_DEFAULT_FROM_EMAIL="Certeef <noreply@example.fr>",
    )
    assert loaded["MAILERS"]["default"] == {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": "smtp.example.fr",
            "port": 587,
            "username": "certeef",
            "password": "s3cret",
            "use_tls": True,
            "use_ssl": False,
            "timeout": 10,
        },
    }
    assert loaded["DEFAULT_FROM_EMAIL"] == "Certeef <noreply@example.fr>"
    assert loaded["SERVER_EMAIL"] == "Certeef <noreply@example.fr>"


def test_implicit_tls_uses_port_465(monkeypatch):
    loaded = load_settings(
        monkeypatch,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_EMAIL_HOST="smtp.example.fr",
        DJANGO_EMAIL_USE_SSL="1",
    )
    options = loaded["MAILERS"]["default"]["OPTIONS"]
    assert (options["port"], options["use_ssl"], options["use_tls"]) == (465, True, False)


def test_tls_and_ssl_together_are_refused(monkeypatch):
    with pytest.raises(ImproperlyConfigured):
        load_settings(
            monkeypatch,
            DJANGO_DEBUG="1",
            DJANGO_EMAIL_USE_SSL="1",
            DJANGO_EMAIL_USE_TLS="1",
        )


def test_deploy_check_names_a_missing_mail_server(settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": ""},
        }
    }
    settings.DEFAULT_FROM_EMAIL = "Certeef <noreply@localhost>"
    assert [problem.id for problem in check_email_settings()] == ["certeef.W001", "certeef.W002"]
    settings.MAILERS["default"]["OPTIONS"]["host"] = "smtp.example.fr"
    settings.DEFAULT_FROM_EMAIL = "Certeef <noreply@example.fr>"
    assert check_email_settings() == []


@pytest.mark.django_db
def test_password_reset_sends_a_link_that_sets_a_new_password(organization):
    user = make_user(organization, username="camille", email="camille@example.fr")
    client = Client()
    form_page = client.get(reverse("password_reset"))
    assert form_page.status_code == 200
    assert "Forgotten password" in form_page.text

    response = client.post(reverse("password_reset"), {"email": "camille@example.fr"})
    assert response.status_code == 302
    done = client.get(response["Location"])
    assert "Check your e-mail" in done.text

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["camille@example.fr"]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.subject == "Certeef: choose a new password"
    assert "“camille”" in message.body
    link = re.search(r"https?://testserver(/\S+)", message.body).group(1)

    # The link leads (through Django's token-hiding redirect) to the new password form.
    confirm = client.get(link, follow=True)
    assert confirm.status_code == 200
    assert "Choose a new password" in confirm.text
    assert 'name="new_password1"' in confirm.text
    set_password_url = confirm.redirect_chain[-1][0]
    saved = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert saved.status_code == 302
    assert "You can log in with it now" in client.get(saved["Location"]).text

    fresh = Client()
    logged_in = fresh.post(reverse("login"), {"username": "camille", "password": NEW_PASSWORD})
    assert logged_in.status_code == 302
    assert fresh.session[SESSION_KEY] == str(user.pk)
    # The link works once.
    assert "no longer valid" in Client().get(link, follow=True).text


@pytest.mark.django_db
def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(organization):
    response = Client().post(reverse("password_reset"), {"email": "nobody@example.fr"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_log_in_page_links_to_the_password_reset(client):
    page = client.get(reverse("login"))
    assert f'href="{reverse("password_reset")}"' in page.text


def test_make_run_says_where_e_mails_go():
    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text()
    run_recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "E-mails (password reset) are not sent in development" in run_recipe


@pytest.mark.django_db
def test_make_run_prints_the_reset_e_mail_with_a_link_that_works(organization, settings, capsys):
    make_user(organization, username="julien", email="julien@example.fr")
    settings.MAILERS = {"default": {"BACKEND": "certeef.mail.ReadableConsoleBackend"}}
    Client().post(reverse("password_reset"), {"email": "julien@example.fr"})
    printed = capsys.readouterr().out
    assert "To: julien@example.fr" in printed
    assert "Subject: Certeef: choose a new password" in printed
    assert "“julien”" in printed  # as text, not quoted-printable
    # The link is whole on its line (Django's console back-end cuts it with "=" soft breaks).
    link = re.search(r"^http://testserver(/accounts/reset/\S+/\S+/)$", printed, re.MULTILINE)
    confirm = Client().get(link.group(1), follow=True)
    assert 'name="new_password1"' in confirm.text


def test_the_readme_documents_every_environment_variable_of_the_settings():
    variables = set(
        re.findall(r"(?:environ\.get|env_flag)\(\s*\"(DJANGO_[A-Z_]+)\"", SETTINGS_FILE.read_text())
    )
    assert {"DJANGO_EMAIL_HOST", "DJANGO_DEFAULT_FROM_EMAIL"} <= variables
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    assert not [name for name in sorted(variables) if f"`{name}`" not in readme]
    assert "manage.py axes_reset_username" in readme


PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "a-production-secret-key-of-fifty-characters-or-more-0123456789",
    "DJANGO_ALLOWED_HOSTS": "certeef.example.fr",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://certeef.example.fr",
    "DJANGO_EMAIL_HOST": "smtp.example.fr",
    "DJANGO_DEFAULT_FROM_EMAIL": "Certeef <noreply@example.fr>",
}


def run_deploy_check(**environ: str) -> subprocess.CompletedProcess:
    clean = {name: value for name, value in os.environ.items() if not name.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env={**clean, **environ},
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_is_clean_with_the_readme_production_settings():
    result = run_deploy_check(**PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_without_a_mail_server():
    without_mail = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_EMAIL_HOST"}
    result = run_deploy_check(**without_mail)
    assert result.returncode != 0
    assert "certeef.W001" in result.stderr


@pytest.mark.django_db
def test_the_password_reset_speaks_french(organization, french):
    make_user(organization, username="camille", email="camille@example.fr")
    client = Client()
    assert (
        "Saisissez l’adresse e-mail de votre compte" in client.get(reverse("password_reset")).text
    )
    done = client.post(reverse("password_reset"), {"email": "camille@example.fr"}, follow=True)
    assert "Consultez vos e-mails" in done.text
    message = mail.outbox[0]
    assert message.subject == "Certeef\u00a0: choisissez un nouveau mot de passe"
    assert "le compte Certeef «\u00a0camille\u00a0»" in message.body
    assert "Le lien ne sert qu’une fois" in message.body
