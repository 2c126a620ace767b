"""``migrate lead_forms zero`` refuses while appointment requests or form pages exist.

Un-migrating the app drops the encrypted requests without a trace and leaves form pages
whose admin edit view answers 500. Checked on ``pre_migrate``, before any migration runs, and
only when the plan un-applies the initial migration: a rollback to an earlier release's
migration keeps the tables and is left alone. docs/uninstall.md gives the steps.
"""

from django.core.management.base import CommandError
from django.db.models.signals import pre_migrate

HOW_TO_UNINSTALL = (
    "un-migrating it would drop the requests (patient data) without a trace and leave pages the "
    "admin cannot open. First export the requests (python manage.py export_appointment_requests "
    "--output requests.csv --spam include), delete them (python manage.py purge_appointment_requests "
    "--all), delete the appointment form pages in the admin's page explorer, then run this migrate "
    "again (docs/uninstall.md)."
)


def unapplies_initial_migration(plan, app_label):
    """Whether ``plan`` (the migrate command's list of (migration, backwards)) empties ``app_label``."""
    return any(
        backwards and migration.app_label == app_label and migration.initial for migration, backwards in plan
    )


def refuse_uninstall_while_data_exists(sender, plan=None, using="default", **kwargs):
    if not plan or not unapplies_initial_migration(plan, sender.label):
        return
    from lead_forms.models import AppointmentFormPage, AppointmentSubmission

    held = []
    if requests := AppointmentSubmission.objects.using(using).count():
        held.append(f"{requests} appointment request(s)")
    if pages := AppointmentFormPage.objects.using(using).count():
        held.append(f"{pages} appointment form page(s)")
    if held:
        raise CommandError(f"lead_forms still holds {' and '.join(held)}: {HOW_TO_UNINSTALL}")


def connect(app_config):
    pre_migrate.connect(refuse_uninstall_while_data_exists, sender=app_config, dispatch_uid=__name__)
