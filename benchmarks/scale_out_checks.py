"""Checks run by benchmarks/scale_out.sh against two app servers sharing PostgreSQL and Redis.

    python benchmarks/scale_out_checks.py http://127.0.0.1:8310 http://127.0.0.1:8311

Prints PASS/FAIL per check and exits 1 if any failed. Talks to the servers only
over HTTP (and, to publish through the real page editor, headless Chromium), as a
load balancer would send readers and editors to either one.
"""

import os
import re
import sys
import time
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import requests

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "clinic-demo-2026"  # noqa: S105 - the demo login load_demo prints
ARTICLE_PATH = "/treatments/mesotherapy/"
INDEX_PATH = "/treatments/"
FORM_PATH = "/request-an-appointment/"
APPOINTMENT = {
    "first_name": "Ada",
    "last_name": "Scaleout",
    "city": "Springfield",
    "state": "Illinois",
    "email": "ada.scaleout@example.org",
    "phone": "(217) 555-0123",
    "please_contact_me_by": "Email",
    "i_would_like_to": "Ask a question",
    "your_comments": "Sent through one server, read on the other.",
}
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
# As the TLS-terminating load balancer forwards a reader's request for https://clinic.example/.
PUBLIC_HOST = "clinic.example"
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


class BalancedClient:
    """A browser-like client for https://clinic.example/ whose requests may land on either server.

    The servers are reached on loopback HTTP with the public Host header and
    ``X-Forwarded-Proto: https``, as the TLS-terminating balancer forwards them;
    cookies (Secure ones included) are kept here and sent to both, which
    requests' own jar would refuse (wrong domain, not HTTPS).
    """

    def __init__(self, client_ip="198.51.100.10"):
        self.cookies = {}
        # The balancer appends the reader's address (TRUSTED_PROXIES: loopback).
        self.client_ip = client_ip

    def request(self, method, url, **kwargs):
        headers = {
            **PROXY_HEADERS,
            "Host": PUBLIC_HOST,
            "X-Forwarded-For": self.client_ip,
            **kwargs.pop("headers", {}),
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        timeout = kwargs.pop("timeout", 10)
        response = requests.request(
            method, url, headers=headers, allow_redirects=False, timeout=timeout, **kwargs
        )
        for header in response.raw.headers.getlist("Set-Cookie"):
            cookie = SimpleCookie(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def get(self, url, **kwargs):
        return self.request("GET", url, **kwargs)

    def post(self, url, **kwargs):
        return self.request("POST", url, **kwargs)


def new_session(client_ip="198.51.100.10"):
    return BalancedClient(client_ip)


class Checks:
    def __init__(self, server_a, server_b):
        self.a = server_a.rstrip("/")
        self.b = server_b.rstrip("/")
        self.results = []

    def check(self, name, passed, detail=""):
        self.results.append(passed)
        print(f"{'PASS' if passed else 'FAIL'}  {name}" + (f"  ({detail})" if detail else ""), flush=True)

    def skip(self, name, reason):
        print(f"SKIP  {name}  ({reason})", flush=True)

    def run(self, *checks):
        for check in checks:
            try:
                check()
            except Exception as exc:  # a crashed check is a failed check, and the others still run
                self.check(check.__doc__.strip().splitlines()[0], False, f"{type(exc).__name__}: {exc}")
        return all(self.results)

    # Checks

    def health(self):
        """Both servers report their database and cache healthy."""
        answers = [requests.get(f"{server}/healthz", timeout=5) for server in (self.a, self.b)]
        self.check(
            "both servers healthy (/healthz)",
            all(answer.status_code == 200 for answer in answers),
            ", ".join(f"{answer.status_code} {answer.json()['checks']}" for answer in answers),
        )

    def shared_login(self):
        """An editor who logs in on A is logged in on B (sessions in Redis + PostgreSQL)."""
        editor = self.admin_session(self.a)
        dashboard = editor.get(self.b + "/admin/")
        self.check(
            "login on A is valid on B",
            dashboard.status_code == 200 and "Dashboard" in dashboard.text,
            f"B answered {dashboard.status_code}",
        )

    def publish_invalidates_both(self):
        """Publishing through the page editor on A retires the cached fragments (Redis) on A and B."""
        reader = new_session()
        for server in (self.a, self.b):
            reader.get(server + ARTICLE_PATH, timeout=10)
            reader.get(server + INDEX_PATH, timeout=10)
        new_title = f"Mesotherapy, updated {time.strftime('%H:%M:%S')}"
        self.publish_title_in_browser(self.a, new_title)
        after = {server: reader.get(server + ARTICLE_PATH, timeout=10) for server in (self.a, self.b)}
        index_b = reader.get(self.b + INDEX_PATH, timeout=10)
        self.check(
            "publish on A shows on A and B",
            all(new_title in response.text for response in after.values()) and new_title in index_b.text,
            f"new title on B's article and index: {new_title in after[self.b].text and new_title in index_b.text}",
        )

    def vote_on_a_visible_on_b(self):
        """A reader's vote sent to A shows in the summary B serves."""
        name = "vote on A is visible on B"
        reader = new_session(client_ip="203.0.113.20")
        article = reader.get(self.a + ARTICLE_PATH).text
        form = re.search(r'<form[^>]*action="([^"]+)"[^>]*data-rating-form', article)
        if not form:
            self.skip(name, "no rating widget on the article in this build")
            return
        onlooker = new_session(client_ip="203.0.113.21")
        onlooker.get(self.b + ARTICLE_PATH)
        vote = reader.post(
            self.a + form.group(1),
            data={"score": "4", "next": ARTICLE_PATH},
            # The browser says the form was posted from the site's own page.
            headers={"Origin": f"https://{PUBLIC_HOST}", "Sec-Fetch-Site": "same-origin"},
        )
        after = onlooker.get(self.b + ARTICLE_PATH)
        summary = re.search(r"[^>]*out of 5[^<]*", after.text)
        self.check(
            name,
            vote.status_code in (200, 302, 303) and "4.0 out of 5" in after.text and "1 rating" in after.text,
            f"vote answered {vote.status_code}; B shows {summary.group().strip() if summary else None!r}",
        )

    def rate_limit_across_servers(self):
        """The form's per-IP limit counts requests sent to A and to B together."""
        patient = new_session(client_ip="203.0.113.7")
        patient.get(self.a + FORM_PATH)
        token = csrf_token(patient.get(self.a + FORM_PATH).text)
        statuses = []
        for attempt in range(6):
            server = (self.a, self.b)[attempt % 2]
            answer = patient.post(
                server + FORM_PATH,
                data={"csrfmiddlewaretoken": token},  # empty form: refused with errors, but counted
                headers={"Referer": f"https://{PUBLIC_HOST}{FORM_PATH}"},
            )
            statuses.append(answer.status_code)
        other = new_session(client_ip="203.0.113.99")
        other_answer = other.get(self.b + FORM_PATH)
        other_token = csrf_token(other_answer.text)
        other_post = other.post(
            self.b + FORM_PATH,
            data={"csrfmiddlewaretoken": other_token},
            headers={"Referer": f"https://{PUBLIC_HOST}{FORM_PATH}"},
        )
        self.check(
            "rate limit counts requests on A and B together (6th refused)",
            statuses == [200, 200, 200, 200, 200, 429] and other_post.status_code == 200,
            f"A/B alternating: {statuses}; another client on B: {other_post.status_code}",
        )

    def request_stored_on_b_is_in_the_admin_of_a(self):
        """An appointment request sent through B is listed in A's admin, and the worker notifies."""
        patient = new_session(client_ip="203.0.113.8")
        form = patient.get(self.a + FORM_PATH).text
        fields = {
            "csrfmiddlewaretoken": csrf_token(form),
            "form-token": re.search(r'name="form-token" value="([^"]+)"', form).group(1),
            **APPOINTMENT,
        }
        time.sleep(3.5)  # a person takes longer than the time-trap's minimum
        sent = patient.post(
            self.b + FORM_PATH, data=fields, headers={"Referer": f"https://{PUBLIC_HOST}{FORM_PATH}"}
        )
        assert sent.status_code == 303, f"B answered {sent.status_code}, not 303 to the thank-you page"
        # The signed thank-you link B made opens on A too (the servers share SECRET_KEY).
        location = urlsplit(sent.headers["Location"])
        landing = patient.get(self.a + location.path + (f"?{location.query}" if location.query else ""))
        reference = re.search(r"AR-[A-Z0-9]+", landing.text)
        assert landing.status_code == 200 and reference, (
            f"A's thank-you page answered {landing.status_code} without a reference"
        )
        reference = reference.group()

        staff = self.admin_session(self.a)
        # The staff inbox (every form's requests, newest first), searched by reference.
        listing = staff.get(self.a + "/admin/lead_forms/appointmentsubmission/", params={"q": reference}).text
        notified = self.wait_for_worker(reference)
        self.check(
            "request sent through B is listed in A's inbox; the worker sent the notification",
            reference in listing and "Scaleout" in listing and notified,
            f"{reference}: in A's list {reference in listing}, notification by db_worker {notified}",
        )

    def wait_for_worker(self, reference, seconds=30):
        log = os.environ.get("SCALEOUT_WORKER_LOG")
        if not log:
            return False
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with open(log, encoding="utf-8", errors="replace") as handle:
                if reference in handle.read():
                    return True
            time.sleep(0.5)
        return False

    # Helpers

    def admin_session(self, server):
        session = new_session()
        token = csrf_token(session.get(server + "/admin/login/").text)
        answer = session.post(
            server + "/admin/login/",
            data={"csrfmiddlewaretoken": token, "username": ADMIN_USERNAME, "password": ADMIN_PASSWORD},
            headers={"Referer": f"https://{PUBLIC_HOST}/admin/login/"},
        )
        assert answer.status_code == 302, f"admin login on {server} answered {answer.status_code}"
        return session

    def publish_title_in_browser(self, server, title):
        """Log in to the admin on ``server`` and publish a new title for the article, as an editor would."""
        from playwright.sync_api import sync_playwright

        page_id = self.article_id(server)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                context = browser.new_context(extra_http_headers=PROXY_HEADERS)
                page = context.new_page()
                page.set_default_timeout(20_000)
                page.goto(server + "/admin/login/")
                page.get_by_label("Username").fill(ADMIN_USERNAME)
                page.get_by_label("Password").fill(ADMIN_PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_url(server + "/admin/")
                page.goto(f"{server}/admin/pages/{page_id}/edit/")
                page.locator("#id_title").fill(title)
                with page.expect_navigation():
                    # "Publish" sits in the footer's action dropdown.
                    page.evaluate("document.querySelector('button[name=\"action-publish\"]').click()")
                page.wait_for_load_state("networkidle")
            finally:
                browser.close()

    def article_id(self, server):
        editor = self.admin_session(server)
        explorer = editor.get(server + "/admin/pages/search/", params={"q": "Mesotherapy"}, timeout=10).text
        match = re.search(r"/admin/pages/(\d+)/edit/", explorer)
        assert match, "could not find the mesotherapy article in the admin"
        return int(match.group(1))


def csrf_token(html):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    checks = Checks(argv[1], argv[2])
    passed = checks.run(
        checks.health,
        checks.shared_login,
        checks.publish_invalidates_both,
        checks.vote_on_a_visible_on_b,
        checks.rate_limit_across_servers,
        checks.request_stored_on_b_is_in_the_admin_of_a,
    )
    print(f"{sum(checks.results)} passed, {len(checks.results) - sum(checks.results)} failed")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
