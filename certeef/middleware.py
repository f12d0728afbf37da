"""What every response of the application shares at the HTTP layer.

- `PrivatePagesMiddleware`: a page or an export made for a logged-in user is theirs alone. It is
  sent with `Cache-Control: private, no-store`, so that neither a shared proxy nor the browser's
  disk keeps a copy (a learner list or a BPF left in a shared computer's cache).
- `HtmxMiddleware`: django-htmx's, with two additions that make every view's
  `if request.htmx: <partial>` safe without the view doing anything:
  * a *history restore* request (htmx 2 sends `HX-History-Restore-Request` when the user goes
    Back to a URL it pushed and its own cache no longer has the page) wants the whole page, not
    the partial: `request.htmx` is false for it;
  * a response whose content depended on `request.htmx` (a view or a template asked) varies on
    the htmx headers (`Vary: HX-Request, HX-History-Restore-Request`), so that no cache ever
    answers a full page load with a fragment, or the reverse.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.cache import patch_cache_control, patch_vary_headers
from django_htmx.middleware import HtmxDetails as BaseHtmxDetails

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest
    from django.http.response import HttpResponseBase

    from certeef.http import CerteefRequest

HTMX_VARY_HEADERS = ("HX-Request", "HX-History-Restore-Request")


class PrivatePagesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        # Read after the view: a log-in has just authenticated the user, a log-out has not.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response


class HtmxDetails(BaseHtmxDetails):
    """`request.htmx`, true only for an htmx request that wants a fragment, and remembering
    whether anyone asked."""

    consulted = False

    def __bool__(self) -> bool:
        self.consulted = True
        return super().__bool__() and not self.history_restore_request


class HtmxMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: CerteefRequest) -> HttpResponseBase:
        details = HtmxDetails(request)
        request.htmx = details
        response = self.get_response(request)
        if details.consulted:
            patch_vary_headers(response, HTMX_VARY_HEADERS)
        return response
