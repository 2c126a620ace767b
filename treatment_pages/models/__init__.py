from .clinicians import Clinician
from .feedback import PageFeedback
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
    "PageFeedback",
    "Rating",
    "RatingSummary",
    "ReviewSeal",
    "TreatmentIndexPage",
    "TreatmentPage",
    "WebhookDelivery",
    "WebhookEndpoint",
]
