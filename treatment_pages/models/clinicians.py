from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import DraftStateMixin, RevisionMixin
from wagtail.search import index


class ClinicianQuerySet(models.QuerySet):
    def live(self):
        return self.filter(live=True)


class Clinician(DraftStateMixin, RevisionMixin, index.Indexed, models.Model):
    """A person who writes or clinically reviews articles: named in the article's byline."""

    name = models.CharField(
        _("name"), max_length=120, help_text=_("As patients should read it, e.g. “Dr Jane Doe”.")
    )
    credentials = models.CharField(
        _("credentials"), max_length=120, blank=True, help_text=_("Post-nominal letters, e.g. “MD, FAAD”.")
    )
    role = models.CharField(
        _("role"), max_length=120, blank=True, help_text=_("e.g. “Consultant dermatologist”.")
    )
    specialty = models.CharField(_("specialty"), max_length=120, blank=True)
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    bio = RichTextField(_("short bio"), blank=True, features=["bold", "italic", "link"])
    profile_url = models.URLField(
        _("profile URL"), blank=True, help_text=_("The clinician's profile page; the byline links to it.")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("admin user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="clinician",
        help_text=_(
            "The clinician's own admin login: approving a “Clinical review” task then names them as the "
            "article's reviewer, and review digests go to this user's email address."
        ),
    )

    objects = ClinicianQuerySet.as_manager()

    panels = [
        FieldPanel("name"),
        FieldPanel("credentials"),
        MultiFieldPanel([FieldPanel("role"), FieldPanel("specialty")], heading=_("Practice")),
        FieldPanel("photo"),
        FieldPanel("bio"),
        FieldPanel("profile_url"),
        FieldPanel("user"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("specialty"),
    ]

    class Meta:
        verbose_name = _("clinician")
        verbose_name_plural = _("clinicians")
        ordering = ["name"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        """Name and credentials as the byline shows them: “Dr Jane Doe, MD”."""
        return f"{self.name}, {self.credentials}" if self.credentials else self.name

    @property
    def credential_list(self):
        return [part.strip() for part in self.credentials.split(",") if part.strip()]
