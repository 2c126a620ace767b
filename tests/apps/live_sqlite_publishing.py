"""Run by ``test_sqlite_publishing.py`` in its own pytest process on ``tests.apps.settings_sqlite_file``.

An editor publishes an article while Wagtail's autosave (every half second after an edit) saves
the draft: two admin requests at once on a threaded server, as ``runserver`` is, over SQLite.
"""

import http.cookiejar
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from wagtail.signals import page_published
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from tests.factories import UserFactory
from tests.two_factor import current_code, fresh_authenticator

ROUNDS = 3


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def article_form(article, title, form_page):
    return nested_form_data(
        {
            "title": title,
            "change_note": "New title.",
            "slug": article.slug,
            "intro": article.intro,
            "hero_image": "",
            "hero_image_alt": "",
            "last_reviewed": "",
            "references": inline_formset([]),
            "body": streamfield(
                [
                    (
                        "next_steps",
                        {
                            "heading": "Book now",
                            "text": "See whether it suits you.",
                            "page": str(form_page.pk),
                            "link_text": "Request an appointment",
                            "show_form": "",
                        },
                    )
                ]
            ),
        }
    )


@pytest.fixture
def slow_publish():
    """The publish transaction stays open a moment after its writes (an article's publish does more
    than a plain page's: its webhooks, purges and fragment-cache work), so the two requests overlap
    every round rather than in some."""

    def linger(**kwargs):
        time.sleep(0.4)

    page_published.connect(linger, dispatch_uid="live_sqlite_linger")
    yield
    page_published.disconnect(dispatch_uid="live_sqlite_linger")


@pytest.mark.django_db(transaction=True)
def test_publishing_while_autosave_saves_the_draft_never_answers_500(
    live_server, article, form_page, slow_publish
):
    user = UserFactory(username="editor", is_superuser=True, is_staff=True)
    authenticator = fresh_authenticator(user)
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirects)
    login = opener.open(f"{live_server.url}/admin/login/")
    assert login.status == 200
    token = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
    signed_in = urllib.parse.urlencode(
        {"username": user.username, "password": "a-long-test-password", "csrfmiddlewaretoken": token}
    ).encode()
    try:
        opener.open(f"{live_server.url}/admin/login/", signed_in)
    except urllib.error.HTTPError as redirect:
        assert redirect.code == 302, redirect.code
    # A superuser may read patient data: the authenticator's code after the password.
    token = next(cookie.value for cookie in jar if cookie.name == "csrftoken")  # signing in changed it
    code = urllib.parse.urlencode(
        {"code": current_code(authenticator), "csrfmiddlewaretoken": token}
    ).encode()
    try:
        opener.open(f"{live_server.url}/admin/lead-forms/two-factor/verify/", code)
    except urllib.error.HTTPError as redirect:
        assert redirect.code == 302, redirect.code
    edit_url = f"{live_server.url}/admin/pages/{article.pk}/edit/"
    assert opener.open(edit_url).status == 200
    token = next(cookie.value for cookie in jar if cookie.name == "csrftoken")

    def post(action, results, key):
        data = article_form(article, f"Mesotherapy {time.time()}", form_page)
        if action:
            data[action] = action
        request = urllib.request.Request(  # noqa: S310 - the live server's http:// URL
            edit_url, urllib.parse.urlencode(data).encode(), {"X-CSRFToken": token}
        )
        try:
            answer = opener.open(request)
            results[key] = answer.status
            if answer.status == 200:  # the form again, with what was wrong
                print(key, re.findall(r"error-message[^>]*>\s*([^<]+)", answer.read().decode()))
        except urllib.error.HTTPError as answer:
            results[key] = answer.code

    for _ in range(ROUNDS):
        results = {}
        publish = threading.Thread(target=post, args=("action-publish", results, "publish"))
        autosave = threading.Thread(target=post, args=("", results, "draft"))
        publish.start()
        time.sleep(0.1)
        autosave.start()
        publish.join()
        autosave.join()
        # Both saved: each redirects (a validation error would answer 200, a lock 500).
        assert results == {"publish": 302, "draft": 302}, results
