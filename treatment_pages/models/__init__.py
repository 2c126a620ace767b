from .pages import TreatmentIndexPage, TreatmentPage
from .ratings import Rating, RatingSummary
from .settings import ClinicContactSettings

__all__ = ["ClinicContactSettings", "Rating", "RatingSummary", "TreatmentIndexPage", "TreatmentPage"]
