"""Clinical review: an article's numbered references and the "Clinical review" workflow task."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.models import Orderable, Task, TaskState

from treatment_pages import conf

doi_validator = RegexValidator(
    r"^10\.\d{4,9}/\S+$", _("Enter a DOI such as 10.1000/xyz123 (without https://doi.org/).")
)


class ArticleReference(Orderable):
    """One numbered source an article rests on; paragraphs cite it as [1], [2]... in list order."""

    page = ParentalKey("treatment_pages.TreatmentPage", on_delete=models.CASCADE, related_name="references")
    title = models.CharField(_("title"), max_length=300)
    publisher = models.CharField(
        _("publisher"), max_length=200, blank=True, help_text=_("Journal, organisation or publisher.")
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    doi = models.CharField(_("DOI"), max_length=200, blank=True, validators=[doi_validator])

    panels = [
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("publisher"), FieldPanel("year")]),
        FieldRowPanel([FieldPanel("url"), FieldPanel("doi")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("reference")
        verbose_name_plural = _("references")

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if not self.url and not self.doi:
            raise ValidationError({"url": _("Give the source's URL or its DOI, so readers can find it.")})

    @property
    def link(self):
        """Where the reference leads: its URL, else the DOI resolver's address."""
        return self.url or (f"https://doi.org/{self.doi}" if self.doi else "")


class ClinicalReviewTask(Task):
    """A workflow step only members of the "Clinical reviewers" group can approve.

    Approving it records the approver (when they are a clinician) as the article's medical
    reviewer, today as ``last_reviewed`` and the next due date, in a new revision that the
    workflow then publishes. Superusers are not exempt: a clinical sign-off is a clinician's.
    """

    class Meta:
        verbose_name = _("Clinical review")
        verbose_name_plural = _("Clinical review tasks")

    @classmethod
    def get_description(cls):
        return _("Members of the “Clinical reviewers” group sign the article off medically")

    def user_is_reviewer(self, user):
        if not user or not user.is_authenticated or not user.is_active:
            return False
        cache = getattr(user, "_clinical_reviewer", None)
        if cache is None:
            cache = user.groups.filter(name=conf.clinical_reviewers_group()).exists()
            user._clinical_reviewer = cache
        return cache

    def user_can_access_editor(self, obj, user):
        return self.user_is_reviewer(user)

    def locked_for_user(self, obj, user):
        # Editors cannot change an article while a clinician is checking it.
        return not (user.is_superuser or self.user_is_reviewer(user))

    def user_can_lock(self, obj, user):
        return self.user_is_reviewer(user)

    def get_actions(self, obj, user):
        if self.user_is_reviewer(user):
            return [
                ("reject", _("Request changes"), True),
                # A modal: the reviewer writes the public change note ("Page history") there.
                ("approve", _("Approve clinically"), True),
            ]
        return []

    def get_form_for_action(self, action):
        if action == "approve":
            from treatment_pages.review.forms import ClinicalApprovalForm

            return ClinicalApprovalForm
        return super().get_form_for_action(action)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        if self.user_is_reviewer(user):
            return self.task_states.filter(status=TaskState.STATUS_IN_PROGRESS)
        return TaskState.objects.none()

    @transaction.atomic
    def on_action(self, task_state, user, action_name, **kwargs):
        """Contract as ``Task.on_action``; a non-reviewer's action is refused (PermissionDenied)."""
        from treatment_pages.review.service import stamp_review_revision  # the service imports the models

        if not self.user_is_reviewer(user):
            raise PermissionDenied(_("Only clinical reviewers can act on a clinical review."))
        change_note = kwargs.pop("change_note", "")
        if action_name == "approve":
            # Stamped in a new latest revision first, so the workflow publishes the stamped article.
            content_object = task_state.workflow_state.content_object
            revision = stamp_review_revision(content_object, user, note=change_note)
            if revision is not None:
                task_state.revision = revision
                task_state.save(update_fields=["revision"])
                # The workflow publishes this instance's latest revision when it finishes.
                content_object.refresh_from_db(
                    fields=["latest_revision", "draft_title", "has_unpublished_changes"]
                )
        super().on_action(task_state, user, action_name, **kwargs)


class ReviewSeal(models.Model):
    """What a clinician signed: a fingerprint of the article's clinical content at sign-off.

    One row per article, outside its revisions (publishing an old revision cannot bring an old
    seal back). ``signed_fingerprint`` is the content the reviewer approved (carried forward
    when an editor marks a change non-clinical); ``live_fingerprint`` is the content published
    now, updated at every publish. The seal holds while the two are equal; the review queue
    compares them in the database ("changed since review"). See ``treatment_pages.review.seal``.
    """

    page = models.OneToOneField(
        "treatment_pages.TreatmentPage",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="review_seal",
    )
    signed_fingerprint = models.CharField(max_length=64, blank=True)
    live_fingerprint = models.CharField(max_length=64, blank=True)
    signed_revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewer = models.ForeignKey(
        "treatment_pages.Clinician", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_on = models.DateField(null=True, blank=True)
    # When it was signed: reader feedback after this moment can bring the article back for review.
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("review seal")
        verbose_name_plural = _("review seals")

    def __str__(self):
        return f"Review seal of page {self.page_id}"

    @property
    def is_signed(self):
        return bool(self.signed_fingerprint)

    @property
    def holds_for_live_content(self):
        return self.is_signed and self.signed_fingerprint == self.live_fingerprint


class ArticleChangeNote(models.Model):
    """One entry of an article's public "Page history": a review or a change, with its note.

    The note is public (readers see it under the byline); who made a non-clinical mark is
    shown to staff only (the edit screen's review panel and Wagtail's page history).
    """

    REVIEWED = "reviewed"
    CLINICAL_CHANGE = "clinical"
    NON_CLINICAL_CHANGE = "non_clinical"
    KIND_CHOICES = [
        (REVIEWED, _("Clinical review")),
        (CLINICAL_CHANGE, _("Clinical change")),
        (NON_CLINICAL_CHANGE, _("Non-clinical change")),
    ]

    page = models.ForeignKey(
        "treatment_pages.TreatmentPage", on_delete=models.CASCADE, related_name="change_notes"
    )
    kind = models.CharField(max_length=20, choices=KIND_CHOICES)
    note = models.CharField(_("change note"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("change note")
        verbose_name_plural = _("change notes")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.note}"
