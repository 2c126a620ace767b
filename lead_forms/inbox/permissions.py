"""Who may read patient data: the one place every view, export and API asks.

Appointment requests are patient data, so access follows one model permission,
``lead_forms.view_appointment_requests`` (granted to the "Patient coordinators"
group by migration), and never page permissions: an editor who can edit a form
page cannot read its requests without it, and a coordinator with it reads the
requests of every appointment form without page rights.

Reuse these functions (views, the API, commands) rather than testing the
permission yourself: they are also where object-level scoping happens, so a
submission id from outside the allowed set simply matches nothing.
"""

import functools

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from wagtail.models import Page

from ..models import AppointmentFormPage, AppointmentSubmission

PERMISSION_CODENAME = "view_appointment_requests"
# Ids are 32-bit in the database: anything else a client sends can only match nothing.
MAX_ID = 2**31 - 1
PERMISSION = f"lead_forms.{PERMISSION_CODENAME}"
GROUP_NAME = "Patient coordinators"


def user_can_view_requests(user):
    """True when ``user`` (signed in, active) may see, export, change and delete appointment requests."""
    return bool(user is not None and user.is_authenticated and user.is_active and user.has_perm(PERMISSION))


def forms_for_user(user):
    """The ``AppointmentFormPage`` queryset whose requests ``user`` may read (empty without the permission)."""
    if not user_can_view_requests(user):
        return AppointmentFormPage.objects.none()
    return AppointmentFormPage.objects.all()


# Where readable_form_ids keeps its answer on the user object, as Django keeps permissions (_perm_cache).
READABLE_FORMS_CACHE = "_lead_forms_readable_form_ids"


def readable_form_ids(user):
    """Ids of the forms whose requests ``user`` may read: asked of the database once per user object.

    A user object lives for one request, so a list of 50 requests checks access once,
    not once per row and button (``InboxPermissionHelper``).
    """
    ids = getattr(user, READABLE_FORMS_CACHE, None)
    if ids is None:
        ids = frozenset(forms_for_user(user).values_list("pk", flat=True))
        if user is not None:
            setattr(user, READABLE_FORMS_CACHE, ids)
    return ids


def user_can_read_submission(user, submission):
    """Whether ``user`` may read ``submission`` (an instance already loaded), with no query per call."""
    return user_can_view_requests(user) and submission.page_id in readable_form_ids(user)


def submissions_for_user(user, page=None):
    """The ``AppointmentSubmission`` queryset ``user`` may read, optionally limited to form ``page``.

    Always filter ids a client sends through this queryset
    (``submissions_for_user(user, page).filter(pk__in=ids)``): ids of another
    form, or of forms the user may not read, then match nothing.
    """
    queryset = AppointmentSubmission.objects.filter(page__in=forms_for_user(user).values("pk"))
    if page is not None:
        queryset = queryset.filter(page=page)
    return queryset


def as_id(value):
    """``value`` (an int or the text of a URL) as a database id, or None when it cannot be one.

    ``abc``, ``-1``, ``1.0`` and numbers past the 32-bit column match no row: they are
    answered as "not found" here rather than reaching the database (where a huge number
    overflows and text raises).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        number = int(value)
    else:
        return None
    return number if 1 <= number <= MAX_ID else None


def get_submission_for_user(user, pk):
    """The submission ``pk`` if ``user`` may read it, else None (callers answer 404, revealing nothing)."""
    pk = as_id(pk)
    if pk is None:
        return None
    return submissions_for_user(user).select_related("page").filter(pk=pk).first()


def require_patient_data_access(view):
    """Wrap an admin view of appointment requests: 403 without the permission, 404 for a request
    the user may not read or an id that cannot be one.

    Every URL of the inbox's ModelAdmin goes through it (``wagtail_hooks``), so a view
    wagtail-modeladmin adds (such as its history view, which checks nothing itself) is
    behind the permission without knowing about it. Wagtail's admin URLs already send
    signed-out visitors to the login page before this runs.
    """

    @functools.wraps(view)
    def guarded(request, *args, **kwargs):
        if not user_can_view_requests(request.user):
            raise PermissionDenied
        if "instance_pk" in kwargs and get_submission_for_user(request.user, kwargs["instance_pk"]) is None:
            raise Http404("No such appointment request.")
        return view(request, *args, **kwargs)

    return guarded


def ensure_coordinators_group():
    """The "Patient coordinators" group with its two permissions, created if missing.

    Migration 0003 creates it on every database; this restores it after it was
    deleted in the admin (or flushed by a test run).
    """
    from django.contrib.auth.models import Group, Permission

    group, _created = Group.objects.get_or_create(name=GROUP_NAME)
    group.permissions.add(
        Permission.objects.get(content_type__app_label="lead_forms", codename=PERMISSION_CODENAME),
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
    )
    return group


def filter_form_submissions_for_user(user, editable_forms):
    """Wagtail's ``filter_form_submissions_for_user`` hook: appointment forms follow the permission.

    Wagtail offers a form's submissions (list, export, delete) to whoever can
    edit the page. Appointment forms are removed for users without the
    permission and added for users with it, whatever their page permissions;
    other form types keep Wagtail's rule.
    """
    other_forms = editable_forms.not_type(AppointmentFormPage)
    if not user_can_view_requests(user):
        return other_forms
    appointment_forms = Page.objects.type(AppointmentFormPage)
    return Page.objects.filter(
        Q(pk__in=other_forms.values("pk")) | Q(pk__in=appointment_forms.values("pk"))
    ).order_by("path")
