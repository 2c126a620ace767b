"""``manage.py load_demo``: the demo clinic, built once however often it runs."""

import io

from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.images import get_image_model
from wagtail.models import Page, Revision, Site

from cms_site.models import HomePage
from tests.conftest import ensure_wagtail_base_rows
from treatment_pages.models import ClinicContactSettings, TreatmentPage


def snapshot():
    """Everything load_demo creates, as comparable values."""
    return {
        "pages": list(
            Page.objects.order_by("path").values_list("path", "title", "slug", "live", "latest_revision_id")
        ),
        "revisions": list(Revision.objects.order_by("pk").values_list("pk", "object_id")),
        "users": list(get_user_model().objects.order_by("pk").values_list("username", "password")),
        "images": list(get_image_model().objects.order_by("pk").values_list("pk", "title", "file")),
        "sites": list(Site.objects.values_list("hostname", "port", "root_page_id", "is_default_site")),
        "contact": list(
            ClinicContactSettings.objects.values_list("site_id", "clinic_name", "phone", "email")
        ),
    }


def test_load_demo_builds_the_clinic_and_prints_the_admin_login(db):
    ensure_wagtail_base_rows()
    out = io.StringIO()

    call_command("load_demo", stdout=out)

    assert "username 'admin', password 'clinic-demo-2026'" in out.getvalue()
    assert "username 'jane.doe', password 'review-demo-2026'" in out.getvalue()
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.check_password("clinic-demo-2026")
    # The browser tests start signed in; the printed reviewer login must work as printed.
    reviewer = get_user_model().objects.get(username="jane.doe")
    assert reviewer.check_password("review-demo-2026") and reviewer.has_perm("wagtailadmin.access_admin")
    home = HomePage.objects.get()
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk
    assert list(TreatmentPage.objects.live().values_list("slug", flat=True).order_by("path")) == [
        "mesotherapy",
        "chemical-peel",
        "laser-hair-removal",
    ]
    # Wagtail's placeholder "Welcome" page is gone: the clinic's home page replaced it.
    assert not Page.objects.filter(depth=2).exclude(pk=home.pk).exists()


def test_running_load_demo_twice_changes_nothing(db):
    ensure_wagtail_base_rows()
    call_command("load_demo", stdout=io.StringIO())
    first = snapshot()

    call_command("load_demo", stdout=io.StringIO())

    assert snapshot() == first
    assert len(first["pages"]) == 7  # root, home, treatments, three articles, appointment form
    assert len(first["images"]) == 1


def test_load_demo_keeps_an_editors_changes(db):
    ensure_wagtail_base_rows()
    call_command("load_demo", stdout=io.StringIO())
    article = TreatmentPage.objects.get(slug="mesotherapy")
    article.title = "Mesotherapy explained"
    article.save_revision().publish()
    contact = ClinicContactSettings.objects.get()
    contact.phone = "+1 217 555 0100"
    contact.save()

    call_command("load_demo", stdout=io.StringIO())

    assert TreatmentPage.objects.get(slug="mesotherapy").title == "Mesotherapy explained"
    assert ClinicContactSettings.objects.get().phone == "+1 217 555 0100"
