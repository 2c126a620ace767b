"""No schema change: ``migrate lead_forms zero`` (or any earlier target) refuses while the
database still holds appointment requests or appointment form pages.

Going back past this migration drops the encrypted requests without a word and leaves form
pages whose admin edit view answers 500. The refusal says how to export and purge the
requests and delete the pages first (README: "Uninstalling").
"""

from django.core.management.base import CommandError
from django.db import migrations

DELETE_REQUESTS = "from lead_forms.models import AppointmentSubmission; AppointmentSubmission.objects.all().delete()"
HOW_TO_UNINSTALL = (
    "un-migrating it would drop the requests (patient data) without a trace and leave pages the "
    "admin cannot open. First export the requests (python manage.py export_appointment_requests "
    f"--output requests.csv --spam include), then delete them (python manage.py shell -c '{DELETE_REQUESTS}'), "
    "then delete the appointment form pages in the admin's page explorer, and run this migrate again."
)


def refuse_while_data_exists(apps, schema_editor):
    requests = apps.get_model("lead_forms", "AppointmentSubmission").objects.count()
    pages = apps.get_model("lead_forms", "AppointmentFormPage").objects.count()
    if not (requests or pages):
        return
    held = []
    if requests:
        held.append(f"{requests} appointment request(s)")
    if pages:
        held.append(f"{pages} appointment form page(s)")
    raise CommandError(f"lead_forms still holds {' and '.join(held)}: {HOW_TO_UNINSTALL}")


class Migration(migrations.Migration):
    dependencies = [
        ("lead_forms", "0008_submissions_protect_their_form_page"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, refuse_while_data_exists, elidable=False),
    ]
