from .clinicians import Clinician
from .pages import TreatmentIndexPage, TreatmentPage
from .ratings import Rating, RatingSummary
from .review import ArticleChangeNote, ArticleReference, ClinicalReviewTask, ReviewSeal
from .settings import ClinicContactSettings
from .webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "ArticleChangeNote",
    "ArticleReference",
    "ClinicContactSettings",
    "Clinician",
    "ClinicalReviewTask",
    "Rating",
    "RatingSummary",
    "ReviewSeal",
    "TreatmentIndexPage",
    "TreatmentPage",
    "WebhookDelivery",
    "WebhookEndpoint",
]
