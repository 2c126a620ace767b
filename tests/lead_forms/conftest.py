import itertools
import random
import re
import time

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import Client
from django_ratelimit import ALL
from django_ratelimit.core import _get_window, _make_cache_key, _split_rate

from lead_forms.conf import app_settings
from lead_forms.models import AppointmentFormPage
from lead_forms.models.pages import RATE_LIMIT_SETTINGS

VALID_DATA = {
    "first_name": "Zelda",
    "last_name": "Quillfeather",
    "city": "Marblehead",
    "state": "Vermont",
    "email": "zelda.quill@example.org",
    "phone": "(217) 555-0199",
    "please_contact_me_by": "Phone",
    "receive_our_free_newsletter": "on",
    "i_would_like_to": "Ask a question",
    "your_comments": "Sensitive-comment-xyzzy about my knee",
}

_counter = itertools.count(1)


@pytest.fixture
def form_page(demo_site):
    return AppointmentFormPage.objects.get(slug="request-an-appointment")


@pytest.fixture
def make_client_ip():
    """Hands out client IPs no other test uses; their rate-limit counters are deleted afterwards.

    Only the keys these IPs created are removed, so a shared Redis is left alone. Each IP's
    rate-limit window has at least 30 seconds left, so a test's requests are counted in one
    window on a slow machine too (django-ratelimit staggers the windows' ends by key).
    """
    issued = []
    _count, period = _split_rate(getattr(settings, "LEAD_FORMS_RATE_LIMIT", "5/m"))

    def make():
        while True:
            ip = f"198.51.{random.randint(0, 255)}.{next(_counter) % 250 + 1}"
            if _get_window(ip, period) - time.time() >= 30:
                break
        issued.append(ip)
        return ip

    yield make
    clear_rate_limit(*issued)


def clear_rate_limit(*ips):
    """Delete the submission rate-limit counters of ``ips`` (and nothing else in the cache):
    accepted requests and every send."""
    cache = caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]
    keys = []
    for group, setting in RATE_LIMIT_SETTINGS.items():
        rate = getattr(app_settings, setting)
        _count, period = _split_rate(rate)
        for ip in ips:
            window = _get_window(ip, period)
            # This window and the one before, in case the test crossed a window's end.
            keys += [_make_cache_key(group, w, rate, ip, ALL) for w in (window, window - period)]
    cache.delete_many(keys)


@pytest.fixture
def client_ip(make_client_ip):
    return make_client_ip()


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def hidden_value(html, name):
    match = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)" name="{re.escape(name)}"', html
    )
    assert match, f"no {name} in the page"
    return match.group(1)


def open_form(client, page, ip):
    """GET the form like a browser; return the tokens a real post would carry."""
    response = client.get(page.url, REMOTE_ADDR=ip)
    assert response.status_code == 200
    html = response.content.decode()
    return {
        "csrfmiddlewaretoken": hidden_value(html, "csrfmiddlewaretoken"),
        "form-token": hidden_value(html, "form-token"),
    }


def post_form(client, page, ip, data, tokens=None, follow=False):
    """POST ``data`` as a browser would; ``follow`` also fetches the thank-you page it redirects to."""
    tokens = open_form(client, page, ip) if tokens is None else tokens
    return client.post(page.url, {**tokens, **data}, REMOTE_ADDR=ip, follow=follow)


# --- Staff inbox ------------------------------------------------------------------------


def make_submission(page, **form_data):
    """Store a request the way the form does (contact columns filled from the answers)."""
    from lead_forms.models import AppointmentSubmission

    extra = {key: form_data.pop(key) for key in ("is_spam", "spam_reason", "status") if key in form_data}
    # Stored answers are cleaned: the phone as digits with a leading +.
    data = {**VALID_DATA, "phone": "+12175550199", "receive_our_free_newsletter": True, **form_data}
    submission = AppointmentSubmission(page=page, form_data=data, **extra)
    submission.fill_contact_columns(page.get_form_fields())
    submission.save()
    return submission


@pytest.fixture
def second_form(home_page):
    """A second appointment form with its own fields, for cross-form checks."""
    from lead_forms.models import AppointmentFormField

    page = AppointmentFormPage(title="Second opinion", slug="second-opinion")
    home_page.add_child(instance=page)
    for order, (label, field_type) in enumerate([("Full name", "singleline"), ("Email", "email")]):
        AppointmentFormField.objects.create(page=page, sort_order=order, label=label, field_type=field_type)
    return page


@pytest.fixture
def coordinator(demo_site):
    """A front-desk user in the migration-made "Patient coordinators" group, with no page rights."""
    from lead_forms.inbox.permissions import ensure_coordinators_group
    from tests.factories import UserFactory

    user = UserFactory(username="frontdesk", first_name="Fran", last_name="Desk")
    # The migration made the group; transactional (browser) tests flush it, so restore it if needed.
    user.groups.add(ensure_coordinators_group())
    return user


@pytest.fixture
def page_editor(home_page):
    """Can add, edit and publish every page (including the forms), but lacks the patient-data permission."""
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import GroupPagePermission

    from tests.factories import UserFactory

    group = Group.objects.create(name="Site editors")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.create(
            group=group, page=home_page, permission=Permission.objects.get(codename=codename)
        )
    user = UserFactory(username="pageeditor")
    user.groups.add(group)
    return user


@pytest.fixture
def superuser(db):
    from tests.factories import UserFactory

    return UserFactory(username="root", is_superuser=True, is_staff=True)
