import logging

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.functional import cached_property
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, PageChooserPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Site

from treatment_pages.conf import appointment_page_types

logger = logging.getLogger(__name__)

phone_validator = RegexValidator(
    r"^\+?[0-9 ()./-]{6,30}$",
    "Enter a phone number using digits, spaces, brackets, dots, dashes and an optional leading +.",
)


@register_setting(icon="site")
class ClinicContactSettings(BaseSiteSetting):
    """The clinic's contact details, shown in the footer and every "Next steps" block,
    and its appointment page, linked from the site header and the home page."""

    clinic_name = models.CharField(max_length=120)
    street_address = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=100, blank=True)
    postcode = models.CharField("ZIP / postcode", max_length=20, blank=True)
    phone = models.CharField(max_length=40, blank=True, validators=[phone_validator])
    email = models.EmailField(blank=True)
    opening_hours = models.TextField(blank=True, help_text="One line per day or range of days.")
    appointment_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Where patients request an appointment: linked from the site header and the home page.",
    )
    # Every page's header links the appointment page: loaded with the settings, in one query.
    select_related = ["appointment_page"]

    panels = [
        FieldPanel("clinic_name"),
        MultiFieldPanel(
            [FieldPanel("street_address"), FieldPanel("city"), FieldPanel("state"), FieldPanel("postcode")],
            heading="Address",
        ),
        MultiFieldPanel([FieldPanel("phone"), FieldPanel("email")], heading="Contact"),
        FieldPanel("opening_hours"),
        PageChooserPanel("appointment_page", page_type=appointment_page_types() or None),
    ]

    class Meta:
        verbose_name = "Clinic contact details"

    def __str__(self):
        return self.clinic_name or "Clinic contact details"

    def clean(self):
        super().clean()
        allowed = {label.lower() for label in appointment_page_types()}
        page = self.appointment_page
        if page is not None and allowed and page.specific_class._meta.label_lower not in allowed:
            raise ValidationError({"appointment_page": "Choose an appointment request form page."})

    @classmethod
    def for_site(cls, site):
        """Contract as ``BaseSiteSetting.for_site``: the site's settings, created if missing.

        Every page's header and footer show them, so they are kept in the cache between
        requests under :func:`~treatment_pages.caching.policy.clinic_settings_version`, which
        a save of the settings or of a site, or a change to the appointment page, bumps.
        """
        from treatment_pages.caching.policy import FRAGMENT_SECONDS, clinic_settings_version

        if site is None:
            return super().for_site(site)
        version = clinic_settings_version()
        key = f"treatment_pages:clinic-settings:{site.pk}:{version}"
        instance = None
        if version is not None:
            try:
                instance = cache.get(key)
            except Exception:
                logger.warning("cache unavailable: clinic settings read from the database", exc_info=True)
        if instance is None:
            instance = super().for_site(site)
            if version is not None:
                try:
                    cache.set(key, instance, FRAGMENT_SECONDS)
                except Exception:
                    logger.warning("cache unavailable: clinic settings not kept", exc_info=True)
        return instance

    @cached_property
    def live_appointment_page(self):
        """The appointment page if it is published (else None: no link to a page that is not there)."""
        page = self.appointment_page
        return page if page is not None and page.live else None

    @classmethod
    def for_api(cls, request=None):
        """The settings for the request's site (cached on the request), else the default site's.

        None when there is no site at all.
        """
        if request is not None:
            return cls.for_request(request)
        site = Site.objects.filter(is_default_site=True).first()
        return cls.for_site(site) if site else None

    @property
    def phone_href(self):
        """The phone number as a ``tel:`` URI: digits and a leading + only."""
        digits = "".join(ch for ch in self.phone if ch.isdigit())
        return f"tel:{'+' if self.phone.strip().startswith('+') else ''}{digits}"

    @property
    def city_line(self):
        """ "City, State ZIP" with whichever parts are filled in."""
        region = " ".join(part for part in (self.state, self.postcode) if part)
        return ", ".join(part for part in (self.city, region) if part)

    @property
    def opening_hours_lines(self):
        return [line.strip() for line in self.opening_hours.splitlines() if line.strip()]
