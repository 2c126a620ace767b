"""factory_boy factories for the project's models (values are lazy, never computed at import)."""

import factory
import wagtail_factories
from django.contrib.auth import get_user_model

from treatment_pages.models import TreatmentIndexPage, TreatmentPage


class UserFactory(factory.django.DjangoModelFactory):
    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("a-long-test-password")

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)


class HomePageFactory(wagtail_factories.PageFactory):
    title = "Home"
    slug = factory.Sequence(lambda n: f"home-{n}")

    class Meta:
        # By label, so the apps' own test settings (no cms_site) can import this module.
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


def api_token_for(user, name="Staff tooling"):
    """A Wagtail 8 bearer token for ``user``; returns (APIToken row, plaintext key)."""
    from wagtail.models import APIToken

    return APIToken.create_token(user=user, name=name)
