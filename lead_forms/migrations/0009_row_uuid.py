"""Give every appointment request and staff note a random ``row_uuid``.

The encrypted values are bound to it from 0010 on (lead_forms.models.encrypted).
Added nullable, filled in batches (one short UPDATE per row, no decryption), then
made required and unique.
"""

import uuid

from django.db import migrations, models

BATCH_SIZE = 1000
HELP = "Random id binding this row's encrypted values to it (lead_forms.models.encrypted)."


def fill_row_uuids(apps, schema_editor):
    for name in ("AppointmentSubmission", "StaffNote"):
        model = apps.get_model("lead_forms", name)
        rows = model._default_manager.filter(row_uuid__isnull=True).only("pk")
        while True:
            batch = list(rows.order_by("pk")[:BATCH_SIZE])
            if not batch:
                break
            for row in batch:
                model._default_manager.filter(pk=row.pk).update(row_uuid=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [
        ("lead_forms", "0008_submissions_protect_their_form_page"),
    ]

    operations = [
        migrations.AddField(
            model_name="appointmentsubmission",
            name="row_uuid",
            field=models.UUIDField(editable=False, null=True, help_text=HELP),
        ),
        migrations.AddField(
            model_name="staffnote",
            name="row_uuid",
            field=models.UUIDField(editable=False, null=True, help_text=HELP),
        ),
        migrations.RunPython(fill_row_uuids, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="appointmentsubmission",
            name="row_uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, help_text=HELP),
        ),
        migrations.AlterField(
            model_name="staffnote",
            name="row_uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, help_text=HELP),
        ),
    ]
