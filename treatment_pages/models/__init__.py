from .pages import TreatmentIndexPage, TreatmentPage
from .settings import ClinicContactSettings

__all__ = ["ClinicContactSettings", "TreatmentIndexPage", "TreatmentPage"]
