"""Create the "Clinical reviewers" group whose members may approve the "Clinical review" task.

Members can sign in to the admin; what else they may do is the site's choice (Settings › Groups).
The name is the setting's default when this migration was written, never the host's setting
(a migration reads no host settings): a host that names another group in
TREATMENT_PAGES_CLINICAL_REVIEWERS_GROUP creates that group in Settings › Groups
(or with ``treatment_pages.review.service.ensure_clinical_reviewers_group()``).
"""

from django.db import migrations

GROUP_NAME = "Clinical reviewers"


def create_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    admin_type, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access_admin, _ = Permission.objects.get_or_create(
        content_type=admin_type, codename="access_admin", defaults={"name": "Can access Wagtail admin"}
    )
    group.permissions.add(access_admin)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("treatment_pages", "0006_clinical_review"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
