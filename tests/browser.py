"""Helpers for browser tests: headless Debian Chromium through Playwright, and axe-core."""

import json
import os
import threading
import time
from pathlib import Path

from django.core.signals import request_finished, request_started

# Screenshots (and the print PDF) are for people to look at, never read back: written
# only when SCREENSHOT_DIR names a folder, since taking them costs the browser real time.
SCREENSHOT_DIR = os.environ.get("SCREENSHOT_DIR", "")
AXE_SCRIPT = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
# Debian's build of Chromium's headless shell: the same engine without the browser around
# it, which is what Playwright's own headless runs use. A page costs it about 40% less CPU
# than the full browser (measured here), and the suite is CPU-bound.
CHROMIUM = "/usr/bin/chromium-headless-shell"
# The full browser, for what depends on the browser itself rather than the page: going back
# to a sent form restores it from the back/forward cache, which the headless shell lacks.
FULL_CHROMIUM = "/usr/bin/chromium"
# How long a browser step or an expect() waits for its condition before the test fails. Waits
# end as soon as the condition holds, so a generous limit costs a passing test nothing; a tight
# one failed tests on a machine whose cores other processes kept busy (Playwright's own
# default for expect() is 5 s).
TIMEOUT_MS = 30_000
# Without these flags Chromium tries to reach Google's hosts, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def axe_violations(page, impacts=("serious", "critical"), context=None, tags=None):
    """Run axe-core in ``page`` and return its violations of the given impacts.

    ``context`` narrows the check to a CSS selector (e.g. one widget) or an axe
    context object (``{"exclude": [[selector]]}``); ``tags`` runs only the rules
    of those tags (e.g. ``["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]``).
    """
    # Evaluated through the DevTools protocol rather than added as an inline <script>,
    # which the site's Content-Security-Policy (rightly) blocks.
    page.evaluate(AXE_SCRIPT.read_text())
    options = {"resultTypes": ["violations"]}
    if tags:
        options["runOnly"] = {"type": "tag", "values": list(tags)}
    result = page.evaluate(
        "async ([context, options]) => await axe.run(context || document, options)",
        [context, options],
    )
    return [violation for violation in result["violations"] if violation["impact"] in impacts]


def describe_violations(violations):
    """A readable summary for assertion messages: rule, impact and offending nodes."""
    return json.dumps(
        [
            {
                "rule": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [node["target"] for node in v["nodes"]][:5],
            }
            for v in violations
        ],
        indent=2,
    )


def sign_in(page, base_url, username, password):
    """Sign in through Wagtail's login form and wait for the dashboard.

    A user who owes a second factor (lead_forms.staff_sign_in.two_factor) gets a fresh authenticator
    first, and the helper types its current code on the page that asks for it.
    """
    from django.contrib.auth import get_user_model

    from lead_forms.staff_sign_in.two_factor import two_factor_required

    user = get_user_model().objects.get(username=username)
    device = None
    if two_factor_required(user):
        from tests.two_factor import fresh_authenticator

        device = fresh_authenticator(user)
    page.goto(base_url + "/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if device is not None:
        from tests.two_factor import current_code

        page.wait_for_url("**/two-factor/verify/**")
        page.get_by_label("Code").fill(current_code(device))
        page.get_by_role("button", name="Verify").click()
    page.wait_for_url(base_url + "/admin/")


def start_signed_in(page, base_url, username):
    """Give ``page``'s browser the session cookie of ``username`` signed in, as the login form would.

    For tests of what people do once signed in: skipping the form and the dashboard it
    redirects to saves about two seconds a test. test_csp_browser signs in through the form.
    """
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])


class _LiveServerRequests:
    """Which live-server threads are handling a request, from Django's request signals.

    The live server shares the test's in-memory SQLite database, whose shared cache refuses a
    write at once ("database table is locked", a 500) while another thread reads the same
    table. Tests read what the server wrote only while it handles no request, and a request
    that arrives meanwhile waits for the read to end before it starts.
    """

    def __init__(self):
        self.changed = threading.Condition()
        self.handling = set()
        request_started.connect(self.started, weak=False, dispatch_uid="tests.browser.started")
        request_finished.connect(self.finished, weak=False, dispatch_uid="tests.browser.finished")

    def started(self, sender, **kwargs):
        # The test client's requests run in the test's own thread, between its steps.
        if threading.current_thread() is not threading.main_thread():
            with self.changed:
                self.handling.add(threading.get_ident())

    def finished(self, sender, **kwargs):
        if threading.current_thread() is not threading.main_thread():
            with self.changed:
                self.handling.discard(threading.get_ident())
                self.changed.notify_all()


LIVE_SERVER_REQUESTS = _LiveServerRequests()


def wait_for_idle_live_server(timeout=TIMEOUT_MS / 1000):
    """Until the live server has answered the requests it started (a closed page's late fetch).

    The test's database is flushed after the test: a request still reading meanwhile makes
    the flush fail ("database table is locked").
    """
    deadline = time.monotonic() + timeout
    server = LIVE_SERVER_REQUESTS
    with server.changed:
        while server.handling and time.monotonic() < deadline:
            server.changed.wait(0.05)


def wait_until(condition, message, timeout=TIMEOUT_MS / 1000):
    """Wait until ``condition()`` is true, for what the browser cannot see (rows the live server writes).

    The condition is checked whenever the live server has answered a request (and at least
    every 50 ms), only while it handles none. Fails with ``message`` after ``timeout`` seconds.
    """
    from django.db import OperationalError

    deadline = time.monotonic() + timeout
    server = LIVE_SERVER_REQUESTS
    with server.changed:
        while True:
            try:
                if not server.handling and condition():
                    return
            except OperationalError:
                pass  # a lock the server left behind; the next check sees the rows
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{message} (waited {timeout:g} s)")
            server.changed.wait(min(remaining, 0.05))


def leave_editor(page):
    """Leave a page editor and wait until its session-release beacon has been handled.

    The live server deletes the editing session after the test's last step; the test
    database must not be flushed under it.
    """
    from wagtail.admin.models import EditingSession

    page.goto("about:blank")
    wait_until(lambda: not EditingSession.objects.exists(), "The editor never released its editing session")


def save_screenshot(target, name, **options):
    """Save ``target`` (a page or a locator) as ``SCREENSHOT_DIR/<name>.png`` when that is set."""
    if SCREENSHOT_DIR:
        Path(SCREENSHOT_DIR).mkdir(parents=True, exist_ok=True)
        target.screenshot(path=str(Path(SCREENSHOT_DIR) / f"{name}.png"), **options)
