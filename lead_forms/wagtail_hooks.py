"""Wagtail discovers hooks here; the staff inbox's admin wiring lives in ``lead_forms.inbox``."""

from lead_forms.inbox import wagtail_hooks  # noqa: F401 - registers the hooks
