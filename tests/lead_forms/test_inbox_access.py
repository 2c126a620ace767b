"""Every admin URL that shows or changes appointment requests, walked for every admin role.

The URLs are read from the URL resolver (the inbox's ModelAdmin, Wagtail's form-submission
views and the app's own admin URLs), so a view added later is walked too: only staff with
the patient-data permission get an answer other than 403, 404 or the login page, nobody
gets a 500, and an id that cannot be a request is a 404.
"""

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from lead_forms.models import AppointmentSubmission
from tests.factories import UserFactory
from tests.lead_forms.conftest import make_submission

pytestmark = pytest.mark.django_db

INBOX = "lead_forms_appointmentsubmission_modeladmin_"
# Admin URLs of the app that show nothing of a request (asserted below, not just skipped).
NOT_ABOUT_REQUESTS = {
    "lead_forms_idle_session",
    # Staff sign-in's second factor: the staff member's own authenticator and recovery codes.
    "lead_forms_two_factor_enrol",
    "lead_forms_two_factor_verify",
    "lead_forms_two_factor_recovery_codes",
}
# Wagtail's list of form pages: other form types may be listed to editors, appointment forms not.
FORM_PAGE_LISTS = {"wagtailforms:index", "wagtailforms:index_results"}

# What staff with the permission get on GET (without, with ?export=). A URL missing here fails
# the walk: say what it should do. "refused" is Wagtail's admin answer to PermissionDenied
# (a redirect to the dashboard with "Sorry, you do not have permission to access this area.").
REFUSED = "refused"
INBOX_REDIRECT = "to the inbox"
PERMITTED_GET = {
    INBOX + "index": (200, 200),
    INBOX + "create": (REFUSED, REFUSED),  # requests come from patients only
    INBOX + "edit": (REFUSED, REFUSED),  # and are never edited
    INBOX + "delete": (200, 200),  # the confirmation page
    INBOX + "inspect": (200, 200),
    INBOX + "history": (200, 200),
    INBOX + "status": (405, 405),  # POST only
    INBOX + "note": (405, 405),
    # Wagtail's list of form pages shows pages the user may edit: the coordinator edits none.
    "wagtailforms:index": (200, 200),
    "wagtailforms:index_results": (200, 200),
    "wagtailforms:list_submissions": (INBOX_REDIRECT, 200),  # its export stays
    "wagtailforms:list_submissions_results": (INBOX_REDIRECT, 200),
    "wagtailforms:delete_submissions": (200, 200),
    "lead_forms_delete_submissions": (200, 200),
}
PAGE_EDITORS_ONLY = {"wagtailforms:index", "wagtailforms:index_results"}
# Text, zero, negative, exponent, a non-ASCII digit, past 64 bits, past the 32-bit column.
BAD_IDS = ["abc", "0", "-1", "1e3", "\u0663", "99999999999999999999", "2147483648"]


def _walk(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace and (
                f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            )
            yield from _walk(pattern.url_patterns, inner or namespace)
        elif pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, set(pattern.pattern.regex.groupindex)


def request_urls():
    """(URL name, its keyword arguments) of every admin URL about appointment requests."""
    found = {}
    for name, kwargs in _walk(get_resolver().url_patterns):
        about_requests = name.startswith("lead_forms_") or name.startswith("wagtailforms:")
        if about_requests and name not in NOT_ABOUT_REQUESTS and reverse_is_admin(name, kwargs):
            found[name] = kwargs
    return found


def reverse_is_admin(name, kwargs):
    sample = {key: "1" for key in kwargs}
    return reverse(name, kwargs=sample).startswith("/admin/")


def url_for(name, kwargs, submission, page_id=None, instance_pk=None):
    values = {}
    for key in kwargs:
        if key == "instance_pk":
            values[key] = instance_pk if instance_pk is not None else submission.pk
        elif key == "page_id":
            values[key] = page_id if page_id is not None else submission.page_id
        else:
            pytest.fail(f"{name} takes {key!r}: teach this test what to put there")
    url = reverse(name, kwargs=values)
    if name == "wagtailforms:delete_submissions" or name == "lead_forms_delete_submissions":
        url += f"?selected-submissions={submission.pk}"
    return url


def group_user(username, *group_names):
    user = UserFactory(username=username)
    for group_name in group_names:
        user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def roles(coordinator, page_editor, superuser):
    """Every kind of admin user, and whether they may read patient data."""
    plain = UserFactory(username="plainadmin")
    plain.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return {
        "superuser": (superuser, True),
        "coordinator": (coordinator, True),
        "editor": (group_user("editor", "Editors"), False),
        "moderator": (group_user("moderator", "Moderators"), False),
        "clinical reviewer": (group_user("reviewer", "Clinical reviewers"), False),
        "site editor with form page rights": (page_editor, False),
        "plain admin user": (plain, False),
        "anonymous": (None, False),
    }


@pytest.fixture
def submission(form_page):
    return make_submission(form_page, first_name="Historypatient", last_name="Quill")


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def content(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def outcome(response):
    """The answer as PERMITTED_GET names it."""
    if response.status_code != 302:
        return response.status_code
    location = response["Location"]
    if location.split("?")[0] == reverse("wagtailadmin_home"):
        return REFUSED
    if location.startswith(reverse(INBOX + "index")):
        return INBOX_REDIRECT
    if location.startswith(reverse("wagtailadmin_login")):
        return "login"
    return location


def refusal(response, user):
    """True when ``response`` refuses: 403, 404, Wagtail's "no permission" redirect, or the login page."""
    answer = outcome(response)
    return answer in (403, 404, REFUSED) or (user is None and answer == "login")


def test_the_walk_finds_every_view_of_a_request():
    names = set(request_urls())
    # The history view the audit found open (M3) is among the walked URLs, and so is every
    # view this test knows what to expect from: none was lost from the resolver.
    assert INBOX + "history" in names
    assert names == set(PERMITTED_GET), (
        f"new admin URL(s) {sorted(names - set(PERMITTED_GET))}: add what permitted staff get to PERMITTED_GET"
    )


def answer_problem(response, role, user, permitted, name, export, submission):
    """What is wrong with ``response`` for this user and URL, or None."""
    if response.status_code >= 500:
        return "server error"
    if permitted:
        expected = PERMITTED_GET[name][1 if export else 0]
        if name in PAGE_EDITORS_ONLY and role == "coordinator":
            expected = REFUSED
        return None if outcome(response) == expected else f"expected {expected}"
    body = content(response)
    if b"Historypatient" in body or submission.reference.encode() in body:
        return "shows the request"
    if name in PAGE_EDITORS_ONLY and response.status_code == 200:
        # Other form types may be listed; the appointment form is not.
        if f"/admin/forms/submissions/{submission.page_id}/".encode() in body:
            return "lists the appointment form"
        return None
    return None if refusal(response, user) else "not refused"


def test_only_staff_with_the_patient_data_permission_get_any_view_of_a_request(roles, submission):
    urls = request_urls()
    problems, walked = [], 0
    for role, (user, permitted) in roles.items():
        client = client_for(user)
        for name, kwargs in urls.items():
            url = url_for(name, kwargs, submission)
            for export in ("", "csv", "xlsx"):
                full = url if not export else url + ("&" if "?" in url else "?") + f"export={export}"
                response = client.get(full)
                walked += 1
                if problem := answer_problem(response, role, user, permitted, name, export, submission):
                    problems.append((role, full, response.status_code, problem))
    assert problems == []
    assert walked == len(roles) * len(urls) * 3
    # The history (M3): the coordinator reads it, an editor is refused.
    history = reverse(INBOX + "history", args=[submission.pk])
    assert client_for(roles["coordinator"][0]).get(history).status_code == 200
    assert outcome(client_for(roles["editor"][0]).get(history)) == REFUSED


def test_nobody_without_the_permission_changes_or_deletes_a_request(roles, submission):
    urls = request_urls()
    data = {"status": "closed", "note": "Looked at by someone who should not", "next": "/admin/"}
    for role, (user, permitted) in roles.items():
        if permitted:
            continue
        client = client_for(user)
        for name, kwargs in urls.items():
            response = client.post(url_for(name, kwargs, submission), data)
            where = (role, name, response.status_code)
            assert response.status_code < 500, where
            assert refusal(response, user) or response.status_code == 405, where
    submission.refresh_from_db()
    assert submission.status == AppointmentSubmission.Status.NEW
    assert not submission.notes.exists()
    assert not submission.status_changes.exists()


@pytest.mark.parametrize("bad_id", BAD_IDS)
def test_an_id_that_is_no_readable_request_is_a_404_not_a_500(bad_id, roles, submission):
    """``inspect/abc`` and ``history/abc`` answered 500; a huge form page id must not either."""
    urls = request_urls()
    client = client_for(roles["coordinator"][0])
    walked = 0
    for name, kwargs in urls.items():
        if "instance_pk" in kwargs:
            url, allowed = url_for(name, kwargs, submission, instance_pk=bad_id), (404,)
        elif "page_id" in kwargs and bad_id.isascii() and bad_id.isdigit():
            # (<int:page_id> matches digits only: the resolver answers 404 to the rest itself.)
            # No such form page: Wagtail's own views refuse or answer 404.
            url, allowed = url_for(name, kwargs, submission, page_id=bad_id), (404, REFUSED)
        else:
            continue
        for method in (client.get, client.post):
            response = method(url)
            walked += 1
            assert outcome(response) in allowed, (name, bad_id, response.status_code)
    assert walked >= 2 * len([name for name, kwargs in urls.items() if "instance_pk" in kwargs])


def test_a_request_id_that_does_not_exist_is_a_404_next_to_one_that_does(roles, submission, second_form):
    other = make_submission(second_form, first_name="Otherpatient")
    missing = other.pk + 1000
    client = client_for(roles["coordinator"][0])
    for action in ("inspect", "history", "delete"):
        assert client.get(reverse(INBOX + action, args=[missing])).status_code == 404
        assert client.get(reverse(INBOX + action, args=[other.pk])).status_code == 200
    # Without the permission, ids cannot be enumerated: a request and no request answer alike.
    editor = client_for(roles["editor"][0])
    for action in ("inspect", "history", "delete"):
        existing = editor.get(reverse(INBOX + action, args=[other.pk]))
        absent = editor.get(reverse(INBOX + action, args=[missing]))
        assert (existing.status_code, existing["Location"]) == (absent.status_code, absent["Location"])


def test_the_admin_urls_left_out_of_the_walk_show_nothing_of_a_request(roles, submission):
    for name in NOT_ABOUT_REQUESTS:
        for _role, (user, _permitted) in roles.items():
            response = client_for(user).get(reverse(name))
            assert response.status_code < 500
            assert submission.reference.encode() not in content(response)
            assert b"Historypatient" not in content(response)
