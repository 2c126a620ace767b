"""Admin screens for webhooks: endpoints administrators manage, and every delivery's outcome."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from treatment_pages.models.webhooks import EVENT_CHOICES, WebhookDelivery, WebhookEndpoint


class WebhookEndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=EVENT_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked to receive every event."),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "events", "is_active", "secret"]


class WebhookEndpointViewSet(ModelViewSet):
    """Endpoints: only users with the model's permissions (administrators) see this."""

    model = WebhookEndpoint
    icon = "link-external"
    menu_label = _("Endpoints")
    form_fields = ["url", "description", "events", "is_active", "secret"]
    list_display = ["__str__", "url", "is_active"]

    def get_form_class(self, for_update=False):
        return WebhookEndpointForm


class DeliveryPermissionPolicy(ModelPermissionPolicy):
    """Deliveries are records: nobody adds or edits one; administrators may delete old ones."""

    def user_has_permission(self, user, action):
        if action in {"add", "change"}:
            return False
        return super().user_has_permission(user, action)


# Registered before the viewset is built, so it replaces Wagtail's default policy.
register_permission_policy(WebhookDelivery, DeliveryPermissionPolicy(WebhookDelivery))


class WebhookDeliveryViewSet(ModelViewSet):
    """Deliveries, newest first, read only: what was sent where, and how it went."""

    model = WebhookDelivery
    icon = "history"
    menu_label = _("Deliveries")
    inspect_view_enabled = True
    list_display = [
        "event",
        "url",
        Column("status", label=_("Status"), accessor="get_status_display"),
        "attempts",
        "last_status_code",
        DateColumn("created_at", label=_("Created")),
    ]
    list_filter = ["status", "event", "endpoint"]
    inspect_view_fields = [
        "event",
        "url",
        "message_id",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "created_at",
        "last_attempt_at",
        "payload",
    ]
    # Required by the (never permitted) edit view; see DeliveryPermissionPolicy.
    form_fields = ["status"]


class WebhooksViewSetGroup(ViewSetGroup):
    menu_label = _("Webhooks")
    menu_icon = "link-external"
    add_to_settings_menu = True
    items = (WebhookEndpointViewSet("webhook_endpoints"), WebhookDeliveryViewSet("webhook_deliveries"))
