"""What one simulated administrator does during `make load` (bench/load.py): locust users.

Each one logs in through the log-in page as a browser does (the CSRF token of the form, then the
session cookie), works in one organisation, waits 1 to 3 seconds between actions as people do,
and follows the pages' own links and forms (parsed with lxml) rather than building URLs: what
it posts is what the page offered, tokens included. The writes go to a few *shared* sessions of
its organisation (the first ones of one page of the sessions list, the same for every user of
that organisation), so that several users enrol learners, add funding and move statuses on the
same sessions at once: the session locks of training/changes.py queue them.

A request counts as failed when the server answers an error (4xx, 5xx), or when a form it was
offered is refused with errors next to its fields: the page offered that choice, so refusing it
is a defect. A move that another user made first is not a failure: the application says so and
shows the allocation as it now is, as it should.
"""

from __future__ import annotations

import datetime
import itertools
import random
import re
from collections.abc import Callable
from decimal import Decimal
from http.cookiejar import Cookie
from typing import Any, ClassVar
from urllib.parse import urljoin

import lxml.html
from locust import HttpUser, between, task
from locust.clients import ResponseContextManager
from locust.exception import StopUser
from requests import Response
from requests.cookies import RequestsCookieJar

EXPORT_PREFIX = "export: "
LOG_IN = "log in"
LOG_IN_PAGE = "log-in page"
# What a user asks while arriving that is reported whenever it happens.
ARRIVAL_NAMES = (LOG_IN_PAGE, LOG_IN)
LOCAL_HOST = "127.0.0.1"

# Word fragments an administrator types in a search box (common in the seed's French names).
SEARCHES = ("mar", "ber", "dur", "lau", "pet", "rou", "mor", "lef", "gar", "ni", "an")
FUNDING_FILTERS = (
    {"funding_type": "cpf", "status": "approved"},
    {"funding_type": "cpf", "status": "pending"},
    {"status": "pending"},
    {"funding_type": "opco_skills_plan"},
    {"carrier": "individual", "status": "paid"},
    {"chase": "pending_30"},
)
# Types an add-funding form may offer that need nothing more than an amount (CPF needs a case
# number unique in the organisation: left to the tests of that rule).
PLAIN_TYPES_FIRST = ("self_funded", "france_travail", "employer", "opco_skills_plan")
SHARED_SESSIONS = 2
# The users browse in French (the product's default language).
ALREADY_ENROLLED = "Cet apprenant est déjà inscrit à cette session."


class LocalCookieJar(RequestsCookieJar):
    """Debug off, the session and CSRF cookies are `Secure`. Browsers send those to
    http://127.0.0.1 (a potentially trustworthy origin); the `requests` cookie jar sends them on
    https only. Do as the browser does, for this address alone."""

    def set_cookie(self, cookie: Cookie, *args: Any, **kwargs: Any) -> None:
        if cookie.domain == LOCAL_HOST:
            cookie.secure = False
        super().set_cookie(cookie, *args, **kwargs)


def french_amount(rng: random.Random) -> str:
    """An amount typed the French way: `1 250,50`."""
    amount = Decimal(rng.randrange(5_000, 250_000)) / 100
    whole, cents = f"{amount:.2f}".split(".")
    groups = f"{int(whole):,}".replace(",", " ")
    return f"{groups},{cents}"


def form_fields(form: lxml.html.FormElement) -> dict[str, str]:
    """What the browser would send for this form as it is shown (no button pressed)."""
    return {name: value or "" for name, value in form.form_values()}


def form_errors(page: str) -> list[str]:
    """The errors a re-shown form carries next to its fields or above them
    (templates/includes/field.html, form_errors.html); not the page's messages."""
    tree = lxml.html.fromstring(page)
    errors = tree.xpath(
        "//p[contains(concat(' ', normalize-space(@class), ' '), ' error ')"
        " and not(contains(concat(' ', normalize-space(@class), ' '), ' message '))]"
    )
    return [" ".join(error.text_content().split()) for error in errors]


def refusal(page: str) -> str:
    """Why a form was refused, for the failure's message."""
    return "; ".join(form_errors(page))[:300] or "the form came back without a visible error"


class Administrator(HttpUser):
    """One administrator of one organisation. bench/load.py sets `logins` (one per
    organisation: the users are spread over them in turn), `shared_page` and `seed`."""

    abstract = True  # made concrete by `administrator_class`
    wait_time = between(1, 3)
    logins: ClassVar[list[tuple[str, str]]] = []
    shared_page: ClassVar[int] = 1
    seed: ClassVar[int] = 0
    _numbers = itertools.count()

    @staticmethod
    def arrived() -> None:
        """Called once a user has logged in (or failed to): the run's clock starts when all
        have."""

    @property
    def base_url(self) -> str:
        return self.host or ""

    def on_start(self) -> None:
        number = next(self._numbers)
        self.rng = random.Random(self.seed * 1000 + number)
        self.client.cookies = LocalCookieJar()
        self.client.headers["Accept-Language"] = "fr-FR,fr;q=0.9"
        username, password = self.logins[number % len(self.logins)]
        try:
            self.log_in(username, password)
            page = self.get(f"/training/sessions/?page={self.shared_page}", "sessions list")
            ids = re.findall(r'href="/training/sessions/(\d+)/"', page or "")
            self.shared_sessions = list(dict.fromkeys(ids))[:SHARED_SESSIONS]
            if not self.shared_sessions:
                raise StopUser
        finally:
            self.arrived()

    # -- the browser's part ------------------------------------------------------------------

    def get(self, path: str, name: str, *, htmx: bool = False) -> str | None:
        headers = {"HX-Request": "true"} if htmx else {}
        with self.client.get(path, name=name, headers=headers, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} for GET {path}")
                return None
            return response.text

    def post(
        self, path: str, data: dict[str, str], name: str, *, htmx: bool = False
    ) -> ResponseContextManager:
        """POST as the page's form (or htmx) would; redirects are left to the caller, which
        follows them as their own page."""
        headers = {"Origin": self.base_url, "Referer": urljoin(self.base_url, path)}
        if htmx:
            headers["HX-Request"] = "true"
        return self.client.post(
            path,
            data=data,
            name=name,
            headers=headers,
            allow_redirects=False,
            catch_response=True,
        )

    def follow(self, response: Response, name: str) -> None:
        self.get(response.headers["Location"], name)

    def log_in(self, username: str, password: str) -> None:
        page = self.get("/accounts/login/", LOG_IN_PAGE)
        if page is None:
            raise StopUser
        form = lxml.html.fromstring(page).forms[0]
        data = {**form_fields(form), "username": username, "password": password}
        with self.post("/accounts/login/", data, LOG_IN) as response:
            if response.status_code != 302:
                response.failure(f"log-in refused for {username} ({response.status_code})")
                raise StopUser
        self.follow(response, "dashboard")

    # -- reading -----------------------------------------------------------------------------

    @task(6)
    def dashboard(self) -> None:
        self.get("/", "dashboard")

    @task(4)
    def individuals(self) -> None:
        self.get(f"/individuals/?page={self.rng.randint(1, 5)}", "individuals list")

    @task(5)
    def individuals_search(self) -> None:
        # The search box updates the results as one types (htmx, the list's partial).
        self.get(f"/individuals/?q={self.rng.choice(SEARCHES)}", "individuals search", htmx=True)

    @task(6)
    def funding(self) -> None:
        filters = self.rng.choice(FUNDING_FILTERS)
        query = "&".join(f"{name}={value}" for name, value in filters.items())
        self.get(f"/funding/?{query}", "funding list, filtered")

    @task(4)
    def sessions(self) -> None:
        page = self.get(f"/training/sessions/?page={self.rng.randint(1, 20)}", "sessions list")
        ids = re.findall(r'href="/training/sessions/(\d+)/"', page or "")
        if ids:
            self.get(f"/training/sessions/{self.rng.choice(ids)}/", "session page")

    @task(4)
    def shared_session(self) -> None:
        self.get(f"/training/sessions/{self.shared()}/", "session page")

    @task(2)
    def bpf(self) -> None:
        self.get(f"/bpf/?year={self.rng.choice((2025, 2026))}", "BPF page")

    # -- writing on the shared sessions ------------------------------------------------------

    def shared(self) -> str:
        return self.rng.choice(self.shared_sessions)

    @task(4)
    def enrol(self) -> None:
        """Type a few letters in the session page's enrol box, enrol one of the suggestions."""
        session = self.shared()
        page = self.get(
            f"/training/sessions/{session}/enroll/suggestions/?learner_q={self.rng.choice(SEARCHES)}",
            "enrol: suggestions",
            htmx=True,
        )
        forms = lxml.html.fromstring(page).forms if page and page.strip() else []
        if not forms:
            return
        form = self.rng.choice(forms)
        with self.post(form.action, form_fields(form), "enrol") as response:
            if response.status_code == 200:
                # Another user enrolled the same learner a moment before: said, not a defect.
                errors = form_errors(response.text)
                if errors != [ALREADY_ENROLLED]:
                    response.failure(refusal(response.text))
                return
            if response.status_code != 302:
                response.failure(f"{response.status_code} for the enrolment")
                return
        self.follow(response, "session page")

    @task(4)
    def add_funding(self) -> None:
        """From a shared session's page, "+ Add funding" for an unfunded learner (their employer
        or themselves as an individual), then the form as it comes, with a type and an amount."""
        session = self.shared()
        page = self.get(f"/training/sessions/{session}/", "session page")
        links = re.findall(
            r'href="(/(?:individuals|companies)/\d+/funding/add/\?session=[^"]+)"', page or ""
        )
        if not links:
            return
        link = self.rng.choice(links).replace("&amp;", "&")
        form_page = self.get(link, "add funding: form")
        if form_page is None:
            return
        form = next(
            (f for f in lxml.html.fromstring(form_page).forms if "form_token" in f.fields), None
        )
        if form is None:
            return
        offered = [value for value in form.inputs["funding_type"].value_options if value]
        plain = [value for value in PLAIN_TYPES_FIRST if value in offered]
        choices = plain or [value for value in offered if value != "cpf"]
        if not choices:
            return
        data = {
            **form_fields(form),
            "funding_type": self.rng.choice(choices),
            "approved_amount": french_amount(self.rng),
        }
        with self.post(urljoin(link, form.action or link), data, "add funding") as response:
            if response.status_code != 302:
                detail = refusal(response.text) if response.status_code == 200 else ""
                response.failure(f"{response.status_code} for add funding {detail}")
                return
        self.follow(response, "funding tab")

    @task(6)
    def move_status(self) -> None:
        """The Funding page filtered on a shared session: approve a pending allocation in one
        click, or mark an approved one as paid through the row's small form (htmx)."""
        session = self.shared()
        if self.rng.random() < 0.5:
            page = self.get(f"/funding/?session={session}&status=pending", "funding list, session")
            forms = [
                form
                for form in (lxml.html.fromstring(page).forms if page else [])
                if form.action and form.action.endswith("/row/approved/")
            ]
            if forms:
                form = self.rng.choice(forms)
                with self.post(form.action, form_fields(form), "approve", htmx=True) as response:
                    if response.status_code != 200:
                        response.failure(f"{response.status_code} for approve")
            return
        page = self.get(f"/funding/?session={session}&status=approved", "funding list, session")
        links = re.findall(r'hx-get="(/funding/allocations/\d+/row/paid/\?[^"]+)"', page or "")
        if not links:
            return
        link = self.rng.choice(links).replace("&amp;", "&")
        row = self.get(link, "mark as paid: form", htmx=True)
        forms = lxml.html.fromstring(row).forms if row and "<form" in row else []
        if not forms:
            return  # another user paid it first: the row says so
        form = forms[0]
        data = {
            **form_fields(form),
            "paid_on": datetime.date.today().strftime("%d/%m/%Y"),
            "remittance_reference": f"VIR-{self.rng.randrange(10**6, 10**7)}",
        }
        with self.post(form.action, data, "mark as paid", htmx=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} for mark as paid")
            elif form_errors(response.text):
                response.failure(refusal(response.text))

    # -- now and then, a file ----------------------------------------------------------------

    @task(1)
    def export(self) -> None:
        path, name = self.rng.choice(
            (
                ("/funding/export.csv?funding_type=cpf&status=approved", "funding CSV"),
                (f"/funding/export.xlsx?session={self.shared()}", "funding XLSX, session"),
                ("/bpf/2025/export.pdf", "BPF PDF"),
            )
        )
        with self.client.get(path, name=EXPORT_PREFIX + name, catch_response=True) as response:
            if response.status_code != 200 or not response.content:
                response.failure(f"{response.status_code} for {path}")


def administrator_class(
    logins: list[tuple[str, str]], *, shared_page: int, seed: int, arrived: Callable[[], None]
) -> type[Administrator]:
    """The user class of one run, given the organisations' logins."""
    return type(
        "LoadAdministrator",
        (Administrator,),
        {
            "abstract": False,
            "logins": logins,
            "shared_page": shared_page,
            "seed": seed,
            "arrived": staticmethod(arrived),
            "_numbers": itertools.count(),
        },
    )
