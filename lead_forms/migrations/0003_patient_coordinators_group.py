"""Create the "view appointment requests" permission and the "Patient coordinators" group,
and fill the new contact columns of requests stored before they existed."""

from django.db import migrations

GROUP_NAME = "Patient coordinators"
CODENAME = "view_appointment_requests"
PERMISSION_NAME = "Can view, export and delete appointment requests (patient data)"


def _permission(apps, app_label, model, codename, name):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": name}
    )
    return permission


def create_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    # Created here rather than left to post_migrate, so the group can be granted it now.
    view_requests = _permission(apps, "lead_forms", "appointmentsubmission", CODENAME, PERMISSION_NAME)
    access_admin = _permission(apps, "wagtailadmin", "admin", "access_admin", "Can access Wagtail admin")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    group.permissions.add(view_requests, access_admin)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


def fill_contact_columns(apps, schema_editor):
    # Historical models lack AppointmentSubmission.fill_contact_columns; this mirrors its rules.
    Submission = apps.get_model("lead_forms", "AppointmentSubmission")
    FormField = apps.get_model("lead_forms", "AppointmentFormField")
    fields_by_page = {}
    for field in FormField.objects.order_by("page_id", "sort_order"):
        fields_by_page.setdefault(field.page_id, []).append(field)
    for submission in Submission.objects.filter(name="", email="", phone="").iterator(chunk_size=500):
        data = submission.form_data or {}
        names, email, phone, method = [], "", "", ""
        for field in fields_by_page.get(submission.page_id, []):
            value = data.get(field.clean_name)
            value = ", ".join(map(str, value)) if isinstance(value, list) else str(value or "").strip()
            if not value:
                continue
            if field.field_type == "singleline" and "name" in field.clean_name:
                names.append(value)
            elif field.field_type == "email" and not email:
                email = value
            elif field.field_type == "phone" and not phone:
                phone = value
            elif field.field_type in {"radio", "dropdown"} and "contact" in field.clean_name and not method:
                method = value
        Submission.objects.filter(pk=submission.pk).update(
            name=" ".join(names)[:255], email=email[:254], phone=phone[:32], contact_method=method[:100]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("lead_forms", "0002_inbox_status_contact_columns_retention"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_group, remove_group),
        migrations.RunPython(fill_contact_columns, migrations.RunPython.noop),
    ]
