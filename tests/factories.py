"""factory_boy factories for the project's models (values are lazy, never computed at import)."""

import factory
import wagtail_factories
from django.apps import apps
from django.contrib.auth import get_user_model

from lead_forms.models import AppointmentFormField, AppointmentFormPage
from treatment_pages.models import TreatmentIndexPage, TreatmentPage


class UserFactory(factory.django.DjangoModelFactory):
    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("a-long-test-password")

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)


# The reference site's home page, when cms_site is installed (not on the apps' own test settings).
if apps.is_installed("cms_site"):

    class HomePageFactory(wagtail_factories.PageFactory):
        title = "Home"
        slug = factory.Sequence(lambda n: f"home-{n}")

        class Meta:
            model = "cms_site.HomePage"


class TreatmentIndexPageFactory(wagtail_factories.PageFactory):
    title = "Treatments"
    slug = factory.Sequence(lambda n: f"treatments-{n}")
    intro = factory.Faker("sentence")

    class Meta:
        model = TreatmentIndexPage


class TreatmentPageFactory(wagtail_factories.PageFactory):
    title = factory.Faker("sentence", nb_words=3)
    slug = factory.Sequence(lambda n: f"treatment-{n}")
    intro = factory.Faker("paragraph")
    body = factory.LazyFunction(list)

    class Meta:
        model = TreatmentPage


class AppointmentFormPageFactory(wagtail_factories.PageFactory):
    title = "Request an appointment"
    slug = factory.Sequence(lambda n: f"request-{n}")
    to_address = ""

    class Meta:
        model = AppointmentFormPage


class AppointmentFormFieldFactory(factory.django.DjangoModelFactory):
    page = factory.SubFactory(AppointmentFormPageFactory)
    sort_order = factory.Sequence(int)
    label = factory.Sequence(lambda n: f"Field {n}")
    field_type = "singleline"
    required = True

    class Meta:
        model = AppointmentFormField


def steps_block(*steps, title="Before your visit"):
    """A "prevention_steps" body block value: ``steps`` are (text, [sub-points]) pairs."""
    return (
        "prevention_steps",
        {"title": title, "steps": [{"text": text, "sub_points": list(points)} for text, points in steps]},
    )


def next_steps_block(form_page, show_form=True):
    """A "next_steps" body block linking to (and with ``show_form`` embedding) ``form_page``."""
    return (
        "next_steps",
        {
            "heading": "Next steps",
            "text": "Book a consultation.",
            "page": form_page,
            "link_text": "Request an appointment",
            "show_form": show_form,
        },
    )


def api_token_for(user, name="Staff tooling"):
    """A Wagtail 8 bearer token for ``user``; returns (APIToken row, plaintext key)."""
    from wagtail.models import APIToken

    return APIToken.create_token(user=user, name=name)
