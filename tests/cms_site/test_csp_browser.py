"""The public site and the Wagtail admin work under their Content-Security-Policies."""

import pytest

from cms_site.management.commands.load_demo import DEMO_ADMIN_PASSWORD, DEMO_ADMIN_USERNAME
from tests.browser import leave_editor, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs before any page script (injected by the browser, so the CSP does not apply to it).
COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.__cspViolations.push(
        `${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`
    );
});
"""


@pytest.fixture
def watched_page(browser_page):
    """A browser page that records CSP violations from events and from the console."""
    browser_page.context.add_init_script(COLLECT_VIOLATIONS)
    console_errors = []
    browser_page.on(
        "console",
        lambda message: (
            console_errors.append(message.text)
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text
            else None
        ),
    )
    browser_page.console_csp_errors = console_errors
    return browser_page


def violations(page):
    return page.evaluate("window.__cspViolations") + page.console_csp_errors


def test_article_loads_its_scripts_and_styles_without_csp_violations(live_server, watched_page, mesotherapy):
    response = watched_page.goto(live_server.url + mesotherapy.url)
    watched_page.wait_for_load_state("networkidle")

    assert "object-src 'none'" in response.headers["content-security-policy"]
    # The site's own scripts ran: text-size.js swaps no-js for js, page tools work.
    assert "js" in watched_page.evaluate("document.documentElement.className").split()
    watched_page.get_by_role("button", name="Large text").click()
    assert "text-size-large" in watched_page.evaluate("document.documentElement.className")
    # The stylesheet applied (a rule from site.css, not the browser default).
    assert (
        watched_page.evaluate("getComputedStyle(document.querySelector('.skip-link')).position") == "absolute"
    )
    # The JSON-LD blocks (the article and its FAQ) are data, not scripts the policy has to allow.
    assert watched_page.locator('script[type="application/ld+json"]').count() == 2
    assert violations(watched_page) == []


@pytest.mark.slow
def test_admin_page_editor_works_under_the_admin_policy(
    live_server, watched_page, mesotherapy, editor_without_autosave
):
    page = watched_page
    sign_in(page, live_server.url, DEMO_ADMIN_USERNAME, DEMO_ADMIN_PASSWORD)

    response = page.goto(live_server.url + f"/admin/pages/{mesotherapy.pk}/edit/")
    page.wait_for_load_state("networkidle")
    assert "'unsafe-inline'" in response.headers["content-security-policy"]

    # The StreamField editor (JavaScript-built) shows the article's blocks.
    assert page.locator("[data-streamfield-child]").count() >= 5
    page.locator("#id_title").fill("Mesotherapy explained")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("has been updated").count() >= 1
    mesotherapy.refresh_from_db()
    assert mesotherapy.get_latest_revision().content["title"] == "Mesotherapy explained"
    assert violations(page) == []

    leave_editor(page)
