"""Log-in throttling (django-axes): five wrong passwords for a username from one address lock
that username out from there, on the application's log-in and the admin's."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

LIMIT = 5
LOCKED_MESSAGE = "Too many failed log-in attempts: this username is locked for 15 minutes."


def post_login(client: Client, username: str, password: str, url: str | None = None):
    return client.post(url or reverse("login"), {"username": username, "password": password})


def fail(client: Client, username: str, times: int, url: str | None = None) -> None:
    for _ in range(times):
        response = post_login(client, username, "wrong-password", url)
        assert response.status_code in (200, 429)


def test_the_right_password_after_a_few_failures_logs_in(admin_user):
    client = Client()
    fail(client, "admin", LIMIT - 1)
    response = post_login(client, "admin", PASSWORD)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(admin_user.pk)
    # A success starts the count again.
    assert not AccessAttempt.objects.filter(username="admin").exists()


def test_five_failures_lock_the_username_even_for_the_right_password(admin_user):
    client = Client()
    fail(client, "admin", LIMIT)
    response = post_login(client, "admin", PASSWORD)
    assert response.status_code == 429
    assert SESSION_KEY not in client.session
    # The log-in page again, in the product's layout, with a message saying why and how long.
    assert LOCKED_MESSAGE in response.text
    assert "ask an administrator to unlock it" in response.text
    assert 'name="password"' in response.text
    assert response.templates[0].name == "registration/login.html"


def test_the_lockout_is_for_this_username_from_this_address(admin_user, organization):
    colleague = make_user(organization, username="colleague")
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    fail(attacker, "admin", LIMIT)
    # A colleague at the same address is not locked out …
    assert post_login(attacker, "colleague", PASSWORD).status_code == 302
    assert attacker.session[SESSION_KEY] == str(colleague.pk)
    # … nor is the user at their own address.
    office = Client(REMOTE_ADDR="198.51.100.20")
    assert post_login(office, "admin", PASSWORD).status_code == 302


def test_the_admin_log_in_is_throttled_too(superuser_client):
    username = superuser_client.user.username
    client = Client()
    admin_login = reverse("admin:login")
    fail(client, username, LIMIT, url=admin_login)
    response = post_login(client, username, PASSWORD, url=admin_login)
    assert response.status_code == 429
    assert LOCKED_MESSAGE in response.text
    assert SESSION_KEY not in client.session


def test_failures_on_both_log_in_pages_add_up(admin_user):
    client = Client()
    fail(client, "admin", 3)
    fail(client, "admin", 2, url=reverse("admin:login"))
    assert post_login(client, "admin", PASSWORD).status_code == 429


def test_an_administrator_unlocks_a_username_with_a_command(admin_user, capsys):
    client = Client()
    fail(client, "admin", LIMIT)
    assert post_login(client, "admin", PASSWORD).status_code == 429
    call_command("axes_reset_username", "admin")
    response = post_login(client, "admin", PASSWORD)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(admin_user.pk)


def test_force_login_is_not_throttled(client, admin_user):
    fail(Client(), "admin", LIMIT)
    # Tests log in with force_login, which asks no backend: the suite is never locked out.
    client.force_login(admin_user)
    assert client.get(reverse("dashboard")).status_code == 200


def test_the_lockout_message_speaks_french(admin_user, french):
    client = Client()
    fail(client, "admin", LIMIT)
    response = post_login(client, "admin", PASSWORD)
    assert response.status_code == 429
    assert "Trop de tentatives de connexion échouées" in response.text
    assert "bloqué pendant 15 minutes" in response.text
    assert "demandez à un administrateur de le débloquer" in response.text
    assert "Mot de passe oublié\u00a0?" in response.text


def test_behind_a_proxy_the_client_address_is_read_from_x_forwarded_for(admin_user, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"  # every request reaches the app from the proxy
    attacker = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.7")
    fail(attacker, "admin", LIMIT)
    assert post_login(attacker, "admin", PASSWORD).status_code == 429
    # A forged address on the left does not help: the proxy appended the real one.
    forged = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.99, 203.0.113.7")
    assert post_login(forged, "admin", PASSWORD).status_code == 429
    # The user, from their own address through the same proxy, is not locked out.
    office = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert post_login(office, "admin", PASSWORD).status_code == 302
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"
