"""Create the demo clinic: settings, home, treatments index, articles, clinicians, logins.

Idempotent: whatever already exists (matched by slug, title or username) is
left exactly as it is, so running it twice changes nothing.
"""

import datetime
import io

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.images import get_image_model
from wagtail.models import GroupPagePermission, Page, Site, Workflow, WorkflowPage, WorkflowTask

from cms_site.demo_content import CLINICIANS, MESOTHERAPY_REFERENCES, articles
from cms_site.models import HomePage
from lead_forms.models import AppointmentFormField, AppointmentFormPage
from treatment_pages.models import (
    ArticleReference,
    ClinicalReviewTask,
    ClinicContactSettings,
    Clinician,
    TreatmentIndexPage,
    TreatmentPage,
)
from treatment_pages.review import seal as review_seal
from treatment_pages.review.service import add_months, ensure_clinical_reviewers_group

DEMO_ADMIN_USERNAME = "admin"
DEMO_ADMIN_PASSWORD = "clinic-demo-2026"  # noqa: S105 - a printed demo login, documented in the README
DEMO_REVIEWER_USERNAME = "jane.doe"
DEMO_REVIEWER_PASSWORD = "review-demo-2026"  # noqa: S105 - a printed demo login, documented in the README
DEMO_WORKFLOW_NAME = "Clinical sign-off"
DEMO_IMAGE_TITLE = "Treatment room (demo)"
DEMO_FORM_FIELDS = [
    {"label": "First name", "field_type": "singleline", "required": True},
    {"label": "Last name", "field_type": "singleline", "required": True},
    {"label": "City", "field_type": "singleline", "required": True},
    {"label": "State", "field_type": "singleline", "required": True},
    {"label": "Email", "field_type": "email", "required": True},
    {"label": "Phone", "field_type": "phone", "required": True, "help_text": "Including the area code."},
    {"label": "Please contact me by", "field_type": "radio", "required": False, "choices": "Email\nPhone"},
    {"label": "Receive our free newsletter", "field_type": "checkbox", "required": False},
    {
        "label": "I would like to",
        "field_type": "radio",
        "required": False,
        "choices": "Schedule a consultation\nAsk a question\nRequest a call back",
    },
    {
        "label": "Your comments",
        "field_type": "multiline",
        "required": False,
        "help_text": "Please do not include detailed medical information.",
    },
]


class Command(BaseCommand):
    help = "Load the demo clinic content and create a demo admin login (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--hostname", default="localhost", help="Host name of the demo site (when created)."
        )
        parser.add_argument("--port", type=int, default=80, help="Port of the demo site (when created).")

    @transaction.atomic
    def handle(self, *args, **options):
        home = self.ensure_home_page(options["hostname"], options["port"])
        site = Site.objects.get(is_default_site=True)
        self.ensure_contact_settings(site)
        index = self.ensure_child(
            home,
            TreatmentIndexPage,
            slug="treatments",
            title="Treatments",
            intro="<p>Read about the treatments our doctors offer, what to expect and how to prepare.</p>",
            show_in_menus=True,
        )
        image = self.ensure_demo_image()
        next_steps_page = self.get_next_steps_page(home, index)
        self.ensure_appointment_page_setting(site, next_steps_page)
        reviewer_user = self.ensure_reviewer_user()
        clinicians = self.ensure_clinicians(reviewer_user)
        review = self.demo_reviews(clinicians)
        for slug, fields in articles(next_steps_page.pk, image.pk):
            page = self.ensure_child(index, TreatmentPage, slug=slug, **fields, **review.get(slug, {}))
            if slug in review:
                self.ensure_review_seal(page)
        self.ensure_review_workflow(index)
        self.ensure_admin_user()

        self.stdout.write(self.style.SUCCESS("Demo content is ready."))
        self.stdout.write(f"  Site:  {site.root_url}/")
        self.stdout.write("  Admin: /admin/")
        self.stdout.write(f"  Login: username {DEMO_ADMIN_USERNAME!r}, password {DEMO_ADMIN_PASSWORD!r}")
        self.stdout.write(
            f"  Clinical reviewer: username {DEMO_REVIEWER_USERNAME!r}, password {DEMO_REVIEWER_PASSWORD!r}"
        )

    def ensure_reviewer_user(self):
        """A clinical reviewer's login (Dr Jane Doe), in the "Clinical reviewers" group."""
        user_model = get_user_model()
        user = user_model.objects.filter(username=DEMO_REVIEWER_USERNAME).first()
        if user is None:
            user = user_model.objects.create_user(
                username=DEMO_REVIEWER_USERNAME,
                email="jane.doe@riverside-clinic.example",
                password=DEMO_REVIEWER_PASSWORD,
                first_name="Jane",
                last_name="Doe",
            )
            user.groups.add(ensure_clinical_reviewers_group())
        return user

    def ensure_clinicians(self, reviewer_user):
        """The two demo clinicians, published; the first is the reviewer login's clinician."""
        clinicians = []
        for number, fields in enumerate(CLINICIANS):
            clinician = Clinician.objects.filter(name=fields["name"]).first()
            if clinician is None:
                clinician = Clinician(**fields, user=reviewer_user if number == 0 else None)
                clinician.save()
                clinician.save_revision().publish()
            clinicians.append(clinician)
        return clinicians

    def demo_reviews(self, clinicians):
        """Review fields per article slug: mesotherapy reviewed with references, the peel overdue."""
        today = timezone.localdate()
        reviewed = add_months(today, -2)
        overdue_since = add_months(today, -14)
        return {
            "mesotherapy": {
                "medical_reviewer": clinicians[0],
                "last_reviewed": reviewed,
                "next_review_due": add_months(reviewed, 12),
                "references": [
                    ArticleReference(sort_order=order, **reference)
                    for order, reference in enumerate(MESOTHERAPY_REFERENCES)
                ],
            },
            "chemical-peel": {
                "medical_reviewer": clinicians[1],
                "last_reviewed": overdue_since,
                "next_review_due": add_months(overdue_since, 12),
            },
        }

    def ensure_review_seal(self, page):
        """The demo's reviews signed as a clinician would have: sealed for the published text."""
        if review_seal.review_status(page) != review_seal.NOT_REVIEWED:
            return
        page.refresh_from_db()  # its live revision, which publishing set in the database
        review_seal.sign(
            page,
            reviewer=page.medical_reviewer,
            reviewed_on=page.last_reviewed,
            revision=page.live_revision,
            note="Checked against current guidance.",
            at=timezone.make_aware(datetime.datetime.combine(page.last_reviewed, datetime.time(12))),
        )

    def ensure_review_workflow(self, index):
        """The "Clinical sign-off" workflow (one "Clinical review" task) on the treatments section."""
        if WorkflowPage.objects.filter(page=index).exists():
            return
        workflow, created = Workflow.objects.get_or_create(name=DEMO_WORKFLOW_NAME)
        if created:
            task = ClinicalReviewTask.objects.create(name="Clinical review")
            WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
        WorkflowPage.objects.create(workflow=workflow, page=index)
        # The approver publishes the signed-off article, so reviewers may edit and publish here.
        reviewers = ensure_clinical_reviewers_group()
        for codename in ("change_page", "publish_page"):
            GroupPagePermission.objects.get_or_create(
                group=reviewers, page=index, permission=Permission.objects.get(codename=codename)
            )

    def get_next_steps_page(self, home, index):
        """The page the articles' "Next steps" link to: the appointment request form."""
        contact = ClinicContactSettings.for_site(Site.objects.get(is_default_site=True))
        return self.ensure_child(
            home,
            AppointmentFormPage,
            slug="request-an-appointment",
            title="Request an appointment",
            intro=(
                "<p>Tell us how to reach you and what you would like to do, and our patient "
                "coordinator will get back to you within one working day.</p>"
            ),
            thank_you_text=(
                "<p>Our patient coordinator will contact you within one working day, by the "
                "method you chose.</p>"
            ),
            privacy_notice=(
                "Only our patient coordinator and doctors read your request. We use it to arrange "
                "your appointment and delete it after a year."
            ),
            to_address=contact.email,
            subject="New appointment request",
            form_fields=[
                AppointmentFormField(sort_order=order, **field)
                for order, field in enumerate(DEMO_FORM_FIELDS)
            ],
        )

    def ensure_home_page(self, hostname, port):
        """Replace Wagtail's placeholder welcome page with the clinic's HomePage."""
        home = HomePage.objects.first()
        if home:
            return home
        root = Page.get_first_root_node()
        # Wagtail's migrations leave a plain "Welcome" page with the slug "home".
        placeholders = list(root.get_children().exact_type(Page).filter(numchild=0))
        for placeholder in placeholders:
            placeholder.slug = f"placeholder-{placeholder.pk}"
            placeholder.save(update_fields=["slug"])
        home = root.add_child(
            instance=HomePage(
                title="Welcome to Riverside Skin & Wellness Clinic",
                slug="home",
                intro=(
                    "<p>Doctor-led skin treatments in a calm, friendly clinic. Read about our "
                    "treatments, then request an appointment online or call us.</p>"
                ),
            )
        )
        home.save_revision().publish()
        Site.objects.update_or_create(
            is_default_site=True,
            defaults={
                "hostname": hostname,
                "port": port,
                "root_page": home,
                "site_name": "Riverside Skin & Wellness Clinic",
            },
        )
        for placeholder in placeholders:
            placeholder.delete()
        return home

    def ensure_contact_settings(self, site):
        contact = ClinicContactSettings.for_site(site)
        if contact.clinic_name:
            return contact
        contact.clinic_name = "Riverside Skin & Wellness Clinic"
        contact.street_address = "42 Riverside Walk, Suite 3"
        contact.city = "Springfield"
        contact.state = "IL"
        contact.postcode = "62701"
        contact.phone = "+1 (217) 555-0142"
        contact.email = "appointments@riverside-clinic.example"
        contact.opening_hours = "Monday to Friday: 8:30am - 6pm\nSaturday: 9am - 1pm\nSunday: closed"
        contact.save()
        return contact

    def ensure_appointment_page_setting(self, site, form_page):
        """The header link and the home page's call to action lead to the appointment form."""
        contact = ClinicContactSettings.for_site(site)
        if contact.appointment_page_id is None:
            contact.appointment_page = form_page
            contact.save(update_fields=["appointment_page"])

    def ensure_child(self, parent, model, slug, **fields):
        existing = model.objects.child_of(parent).filter(slug=slug).first()
        if existing:
            return existing
        page = parent.add_child(instance=model(slug=slug, **fields))
        page.save_revision().publish()
        return page

    def ensure_demo_image(self):
        image_model = get_image_model()
        existing = image_model.objects.filter(title=DEMO_IMAGE_TITLE).first()
        if existing:
            return existing
        # Drawn here so the demo needs no binary files in the repository.
        picture = PILImage.new("RGB", (1200, 700), (222, 236, 238))
        draw = ImageDraw.Draw(picture)
        draw.rectangle((0, 520, 1200, 700), fill=(190, 210, 205))
        draw.rectangle((120, 120, 420, 420), fill=(255, 255, 250), outline=(150, 170, 170), width=6)
        draw.rounded_rectangle((600, 360, 1050, 470), radius=40, fill=(11, 93, 107))
        draw.rectangle((640, 470, 660, 560), fill=(80, 80, 80))
        draw.rectangle((990, 470, 1010, 560), fill=(80, 80, 80))
        buffer = io.BytesIO()
        picture.save(buffer, format="JPEG", quality=85)
        image = image_model(title=DEMO_IMAGE_TITLE)
        image.file = ImageFile(buffer, name="treatment-room.jpg")
        image.save()
        return image

    def ensure_admin_user(self):
        user_model = get_user_model()
        if not user_model.objects.filter(username=DEMO_ADMIN_USERNAME).exists():
            user_model.objects.create_superuser(
                username=DEMO_ADMIN_USERNAME,
                email="admin@riverside-clinic.example",
                password=DEMO_ADMIN_PASSWORD,
            )
