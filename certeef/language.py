"""The interface language: the user's choice (stored on their profile), else the browser's
(Django's LocaleMiddleware reads Accept-Language and the language cookie), else French.

The profile is read once, at login, into the session, so that no page pays a query for it;
choosing a language writes the profile, the session and Django's language cookie (the cookie is
what an anonymous visitor of the login page keeps)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from certeef.models import UserProfile

if TYPE_CHECKING:
    from typing import Any

    from django.contrib.auth.models import User

SESSION_KEY = "certeef_language"


def _supported(language: str | None) -> str:
    return language if language in dict(settings.LANGUAGES) else ""


@receiver(user_logged_in, dispatch_uid="certeef_language_on_login")
def remember_language_on_login(
    sender: type[User], request: HttpRequest | None, user: User, **kwargs: Any
) -> None:
    if request is None or not hasattr(request, "session"):
        return
    language = (
        UserProfile.objects.filter(user=user).values_list("language", flat=True).first() or ""
    )
    # "" is remembered too: the profile was read, the browser's language decides.
    request.session[SESSION_KEY] = _supported(language)


class UserLanguageMiddleware:
    """After AuthenticationMiddleware: a logged-in user's own choice wins over the browser's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = ""
        if request.user.is_authenticated:
            language = _supported(request.session.get(SESSION_KEY))
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


def language_choose(*, user: User, language: str) -> None:
    """Store a user's language on their profile (created on demand)."""
    UserProfile.objects.update_or_create(user=user, defaults={"language": _supported(language)})


@require_POST
def choose_language(request: HttpRequest) -> HttpResponse:
    """The header's language menu: Django's set_language (cookie, redirect to `next`), plus,
    for a logged-in user, their profile and session."""
    language = _supported(request.POST.get("language"))
    if language and request.user.is_authenticated:
        language_choose(user=request.user, language=language)
        request.session[SESSION_KEY] = language
    return set_language(request)
