"""Admin screens for webhooks: endpoints administrators manage, and every delivery's outcome."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from treatment_pages.models.webhooks import EVENT_CHOICES, WebhookDelivery, WebhookEndpoint
from treatment_pages.webhooks.secrets import new_webhook_secret, validate_webhook_secret


class WebhookEndpointForm(forms.ModelForm):
    """The secret is write-only: a new endpoint's form offers a fresh one to copy to the receiver;
    an existing endpoint's field stays empty (the stored secret is never shown back) and a value
    typed there replaces it."""

    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=EVENT_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked to receive every event."),
    )
    new_secret = forms.CharField(
        label=_("Signing secret"),
        required=False,
        strip=True,
        validators=[validate_webhook_secret],
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "events", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["new_secret"]
        if self.instance.pk is None:
            field.required = True
            field.initial = new_webhook_secret()
            field.help_text = _(
                "Copy this secret to the receiver now: it is stored encrypted and never shown again. "
                "The receiver checks each delivery's webhook-signature with it (Standard Webhooks)."
            )
        else:
            field.label = _("New signing secret")
            field.help_text = _(
                "The current secret is never shown. To rotate it, paste a new one here (e.g. %(example)s) "
                "and give the receiver the same; leave empty to keep the current one."
            ) % {"example": new_webhook_secret()}

    def save(self, commit=True):
        if self.cleaned_data.get("new_secret"):
            self.instance.secret = self.cleaned_data["new_secret"]
        return super().save(commit=commit)


class YesNoColumn(Column):
    """A true/false column shown as a tick or cross with the word "Yes" or "No" (not "True")."""

    cell_template_name = "treatment_pages/admin/yes_no_cell.html"


class WebhookEndpointViewSet(ModelViewSet):
    """Endpoints: only users with the model's permissions (administrators) see this."""

    model = WebhookEndpoint
    icon = "link-external"
    menu_label = _("Endpoints")
    form_fields = ["url", "description", "events", "is_active"]
    list_display = ["__str__", "url", YesNoColumn("is_active", label=_("Active"), sort_key="is_active")]

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
