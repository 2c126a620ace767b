from .clinicians import Clinician
from .pages import TreatmentIndexPage, TreatmentPage
from .ratings import Rating, RatingSummary
from .review import ArticleReference, ClinicalReviewTask
from .settings import ClinicContactSettings
from .webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "ArticleReference",
    "ClinicContactSettings",
    "Clinician",
    "ClinicalReviewTask",
    "Rating",
    "RatingSummary",
    "TreatmentIndexPage",
    "TreatmentPage",
    "WebhookDelivery",
    "WebhookEndpoint",
]
