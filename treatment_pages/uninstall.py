"""``migrate treatment_pages zero`` refuses while treatment pages or reader ratings exist.

Un-migrating the app drops the ratings without a word and leaves pages whose admin edit view
answers 500. Checked on ``pre_migrate``, before any migration runs, and only when the plan
un-applies the initial migration: a rollback to an earlier release's migration is left alone.
docs/uninstall.md gives the steps.
"""

from django.core.management.base import CommandError
from django.db.models.signals import pre_migrate

HOW_TO_UNINSTALL = (
    "un-migrating it would drop them and leave pages the admin cannot open. First export what "
    "you keep (Ratings › Ratings report has CSV/XLSX export), delete the ratings (Ratings › All "
    "ratings, select all, Delete), delete the treatment pages in the admin's page explorer, then "
    "run this migrate again (docs/uninstall.md)."
)


def unapplies_initial_migration(plan, app_label):
    """Whether ``plan`` (the migrate command's list of (migration, backwards)) empties ``app_label``."""
    return any(
        backwards and migration.app_label == app_label and migration.initial for migration, backwards in plan
    )


def refuse_uninstall_while_content_exists(sender, plan=None, using="default", **kwargs):
    if not plan or not unapplies_initial_migration(plan, sender.label):
        return
    from treatment_pages.models import Rating, TreatmentIndexPage, TreatmentPage

    held = []
    if pages := sum(model.objects.using(using).count() for model in (TreatmentIndexPage, TreatmentPage)):
        held.append(f"{pages} treatment page(s)")
    if ratings := Rating.objects.using(using).count():
        held.append(f"{ratings} reader rating(s)")
    if held:
        raise CommandError(f"treatment_pages still holds {' and '.join(held)}: {HOW_TO_UNINSTALL}")


def connect(app_config):
    pre_migrate.connect(refuse_uninstall_while_content_exists, sender=app_config, dispatch_uid=__name__)
