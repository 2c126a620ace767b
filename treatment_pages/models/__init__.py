from .pages import TreatmentIndexPage, TreatmentPage
from .ratings import Rating, RatingSummary
from .settings import ClinicContactSettings
from .webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "ClinicContactSettings",
    "Rating",
    "RatingSummary",
    "TreatmentIndexPage",
    "TreatmentPage",
    "WebhookDelivery",
    "WebhookEndpoint",
]
