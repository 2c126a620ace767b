"""Helpers for the rating tests: a reader is a browser with its own cookies and IP address."""

import random

from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse


def random_ip():
    """A client address no other test (or earlier run sharing Redis) has used for rate limits."""
    return f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


def vote_url(page):
    return reverse("treatment_pages:rating_vote", args=[page.pk])


class Reader:
    """A reader's browser: CSRF enforced as in production, its own cookies and IP address."""

    def __init__(self, ip=None):
        self.ip = ip or random_ip()
        self.client = Client(enforce_csrf_checks=True, REMOTE_ADDR=self.ip)

    def open(self, url):
        response = self.client.get(url)
        assert response.status_code == 200, response.status_code
        return BeautifulSoup(response.content, "html.parser")

    def widget(self, page):
        return self.open(page.url).select_one("#rating")

    def state(self, page):
        """What the widget's script fetches after load: the summary and this reader's own score."""
        response = self.client.get(reverse("treatment_pages:rating_state", args=[page.pk]))
        assert response.status_code == 200, response.status_code
        return response.json()

    def vote(self, page, score, *, json=False, next=None, **extra):
        """Post the widget's form as the browser would (``score=None`` leaves it out):
        from the site's own page, so with its ``Origin`` and ``Sec-Fetch-Site: same-origin``."""
        data = {"next": page.url + "#rating"}
        extra.setdefault("HTTP_ORIGIN", "http://testserver")
        extra.setdefault("HTTP_SEC_FETCH_SITE", "same-origin")
        if next is not None:
            data["next"] = next
        if score is not None:
            data["score"] = score
        if json:
            extra.setdefault("HTTP_ACCEPT", "application/json")
        return self.client.post(vote_url(page), data, **extra)


def summary_text(soup):
    return soup.select_one("[data-rating-text]").get_text(strip=True)


def visible_prompt(widget):
    prompt = widget.select_one("[data-rating-prompt]")
    return None if prompt.has_attr("hidden") else prompt.get_text(strip=True)


def checked_score(widget):
    checked = widget.select_one("input[name=score][checked]")
    return int(checked["value"]) if checked else None
