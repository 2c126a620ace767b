"""Clinical review: an article's numbered references and the "Clinical review" workflow task."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
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
                ("approve", _("Approve clinically"), False),
                ("approve", _("Approve clinically with comment"), True),
            ]
        return []

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
        if action_name == "approve":
            # Stamped in a new latest revision first, so the workflow publishes the stamped article.
            content_object = task_state.workflow_state.content_object
            revision = stamp_review_revision(content_object, user)
            if revision is not None:
                task_state.revision = revision
                task_state.save(update_fields=["revision"])
                # The workflow publishes this instance's latest revision when it finishes.
                content_object.refresh_from_db(
                    fields=["latest_revision", "draft_title", "has_unpublished_changes"]
                )
        super().on_action(task_state, user, action_name, **kwargs)
