"""No schema change: ``migrate treatment_pages zero`` (or any earlier target) refuses while
the database still holds treatment pages or reader ratings.

Going back past this migration would drop the ratings without a word and leave pages whose
admin edit view answers 500. The refusal says what to delete first (README: "Uninstalling").
"""

from django.core.management.base import CommandError
from django.db import migrations

PAGE_MODELS = ("TreatmentIndexPage", "TreatmentPage")
HOW_TO_UNINSTALL = (
    "un-migrating it would drop them and leave pages the admin cannot open. First export what "
    "you keep (Ratings › Ratings report has CSV/XLSX export), delete the ratings (Ratings › All ratings, "
    "select all, Delete), delete the treatment pages in the admin's page explorer, and run this "
    "migrate again."
)


def refuse_while_content_exists(apps, schema_editor):
    held = []
    pages = sum(apps.get_model("treatment_pages", name).objects.count() for name in PAGE_MODELS)
    if pages:
        held.append(f"{pages} treatment page(s)")
    ratings = apps.get_model("treatment_pages", "Rating").objects.count()
    if ratings:
        held.append(f"{ratings} reader rating(s)")
    if held:
        raise CommandError(f"treatment_pages still holds {' and '.join(held)}: {HOW_TO_UNINSTALL}")


class Migration(migrations.Migration):
    dependencies = [
        ("treatment_pages", "0009_body_blocks_faq_and_steps"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, refuse_while_content_exists, elidable=False),
    ]
