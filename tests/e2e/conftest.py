"""Browser journeys: headless system Chromium through Playwright, axe-core on every page.

Playwright's own browser download cannot work here, so the tests drive Debian's Chromium
(`scripts/ensure-chromium` installs it; the Makefile's test targets call that). The server is
pytest-django's `live_server`; its tests are transactional, so the database is flushed after
each one and the shipped reference data is loaded again around every test.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "a-long-test-password"
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


def _load_reference_data(django_db_blocker: Any) -> None:
    from homeward.reference.loader import load_reference_data

    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture(autouse=True)
def _reference_data(django_db_blocker: Any) -> None:
    """The shipped reference data, loaded again after the previous test's flush."""
    _load_reference_data(django_db_blocker)


@pytest.fixture(autouse=True, scope="module")
def _reference_data_after_module(django_db_blocker: Any) -> Iterator[None]:
    """The reference data back once the module's last flush is done (pytest-django's own autouse
    fixtures flush after every function-scoped fixture of ours is torn down), so the other
    tests of this worker find it as the session set it up."""
    yield
    _load_reference_data(django_db_blocker)


@pytest.fixture(scope="module")
def browser(django_db_setup: Any) -> Iterator[Any]:
    """Chromium for one test module.

    Playwright's synchronous API keeps an event loop on this thread while it runs, which
    Django takes for an async context; the ORM calls made between browser steps are ordinary
    synchronous calls, so that check is lifted while the browser is open, and only then. The
    test database exists before (`django_db_setup`), and Playwright stops after each module,
    so the other tests of this worker run as usual.
    """
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure-chromium (make test does)")
    before = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if before is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = before


class Visit:
    """A browser tab on the live server that checks every page it sees with axe-core."""

    def __init__(self, page: Any, base_url: str, name: str, *, javascript: bool = True) -> None:
        self.page = page
        self.javascript = javascript
        self.base_url = base_url
        self.name = name
        self.shots = 0
        self.failed_responses: list[str] = []
        self.csp_violations: list[str] = []
        page.on("response", self._response)
        page.on("console", self._console)

    def _console(self, message: Any) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.csp_violations.append(message.text)

    def _response(self, response: Any) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.failed_responses.append(f"{response.status} {response.url}")

    def goto(self, path: str) -> Any:
        return self.page.goto(self.base_url + path)

    def check(self, label: str) -> None:
        """Zero axe-core violations of WCAG 2.2 AA, no failed asset, and a screenshot kept.

        With JavaScript turned off axe-core cannot run in the page; those pages are the same
        ones the other tests check with it on.
        """
        self.page.wait_for_load_state("load")
        violations = self._axe_violations() if self.javascript else []
        self.shots += 1
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^a-z0-9]+", "-", f"{self.name}-{self.shots:02d}-{label}".lower()).strip("-")
        self.page.screenshot(path=str(SCREENSHOTS / f"{slug}.png"), full_page=True)
        assert not violations, f"axe-core on {label} ({self.page.url}):\n" + "\n".join(violations)
        assert not self.failed_responses, f"failed requests on {label}: {self.failed_responses}"
        assert not self.csp_violations, f"content security policy violations on {label}: {self.csp_violations}"

    def _axe_violations(self) -> list[str]:
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            # Evaluated rather than added as a <script>: a strict CSP would block an inline script.
            self.page.evaluate(AXE.read_text(encoding="utf-8"))
        result = self.page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
        )
        return [
            f"{v['id']} ({v['impact']}): {v['help']} at {[node['target'] for node in v['nodes']][:5]}"
            for v in result["violations"]
        ]

    def sign_in(self, username: str, password: str = PASSWORD) -> None:
        self.goto("/")
        self.check("sign in")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password", exact=True).fill(password)
        self.page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def visit(browser: Any, live_server: Any, request: pytest.FixtureRequest) -> Iterator[Callable[..., Visit]]:
    contexts: list[Any] = []

    def open_tab(*, width: int = 1200, height: int = 900, name: str = "", javascript: bool = True) -> Visit:
        context = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB",
                                      timezone_id="Europe/London", java_script_enabled=javascript)
        contexts.append(context)
        return Visit(context.new_page(), live_server.url, name or request.node.name, javascript=javascript)

    yield open_tab
    for context in contexts:
        context.close()


@pytest.fixture
def demo_people(transactional_db: Any) -> dict[str, Any]:
    """A few people as the demonstration has them, with a known password."""
    from homeward.accounts.services import user_create

    people = {}
    for username, role, team, first, last in [
        ("coordinator", "coordinator", "Missing Children Team", "Priya", "Shah"),
        ("sw.north", "social_worker", "Children in Care North", "Nadia", "Osei"),
    ]:
        people[username] = user_create(username=username, role=role, password=PASSWORD, team_name=team,
                                       first_name=first, last_name=last, validate=False)
    return people


def last_friday_night(now: datetime) -> datetime:
    """The most recent Friday 23:15 in Europe/London that is at least an hour ago."""
    from homeward.common.timeutil import LONDON

    local = now.astimezone(LONDON)
    day = local.date()
    while True:
        candidate = datetime(day.year, day.month, day.day, 23, 15, tzinfo=LONDON)
        if candidate.weekday() == 4 and candidate <= local - timedelta(hours=1):
            return candidate
        day -= timedelta(days=1)
