"""System checks of the deployment (`manage.py check --deploy`): what settings.py cannot refuse
at start-up but production needs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.checks import Tags, Warning, register

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from django.apps import AppConfig

PLACEHOLDER_SENDER_DOMAIN = "@localhost"


@register(Tags.security, deploy=True)
def check_email_settings(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[Warning]:
    """Password reset sends e-mail: without a mail server, users are told a link is on its way
    that never leaves."""
    problems = []
    mailer = settings.MAILERS.get("default", {})
    if mailer.get("BACKEND") == settings.SMTP_BACKEND and not mailer["OPTIONS"]["host"]:
        problems.append(
            Warning(
                "No SMTP server is configured: password reset e-mails cannot be sent.",
                hint="Set DJANGO_EMAIL_HOST (and DJANGO_EMAIL_HOST_USER, "
                "DJANGO_EMAIL_HOST_PASSWORD, DJANGO_EMAIL_PORT as your provider says).",
                id="certeef.W001",
            )
        )
    if settings.DEFAULT_FROM_EMAIL.rstrip(">").endswith(PLACEHOLDER_SENDER_DOMAIN):
        problems.append(
            Warning(
                f"E-mails are sent from a placeholder address ({settings.DEFAULT_FROM_EMAIL}).",
                hint="Set DJANGO_DEFAULT_FROM_EMAIL, e.g. 'Certeef <noreply@example.fr>'.",
                id="certeef.W002",
            )
        )
    return problems
