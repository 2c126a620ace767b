"""v3 API endpoints (django-ninja routers) for treatment pages; mounted by the project."""

from django.http import Http404
from ninja import Router, Schema

from treatment_pages.models import ClinicContactSettings

contact_router = Router(tags=["clinic"])


class ClinicContactSchema(Schema):
    """The clinic's contact details, as the footer and "Next steps" blocks show them."""

    clinic_name: str
    street_address: str
    city: str
    state: str
    postcode: str
    phone: str
    phone_href: str
    email: str
    opening_hours: list[str]


@contact_router.get(
    "/",
    response=ClinicContactSchema,
    url_name="clinic_contact",
    operation_id="clinic_contact",
    summary="The clinic's contact details",
)
def clinic_contact(request):
    contact = ClinicContactSettings.for_api(request)
    if contact is None or not contact.clinic_name:
        raise Http404("The clinic's contact details have not been set up.")
    return {
        "clinic_name": contact.clinic_name,
        "street_address": contact.street_address,
        "city": contact.city,
        "state": contact.state,
        "postcode": contact.postcode,
        "phone": contact.phone,
        "phone_href": contact.phone_href,
        "email": contact.email,
        "opening_hours": contact.opening_hours_lines,
    }
