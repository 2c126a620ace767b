"""Django's ``dumpdata``, refusing to write patient data in clear text unless asked to.

The encrypted fields give serializers the plain values (that is what a fixture
is for), so ``dumpdata`` of appointment requests or staff notes writes names,
emails and answers into a file nothing protects. This command overrides Django's
own (an app's command of the same name takes precedence over ``django.core``'s,
see ``django.core.management.get_commands``) and refuses whenever the dump would
include a model with encrypted fields (an app label, a model label, or no label
at all) unless ``--include-patient-data`` is given; ``--exclude`` works as usual.

Back up with a database dump instead (``pg_dump``): it holds ciphertext only,
and the keys are stored apart (docs/security.md, "Backups").
"""

from django.core.management import CommandError
from django.core.management.commands import dumpdata

from lead_forms.encryption.rotation import encrypted_models

FLAG = "--include-patient-data"


class Command(dumpdata.Command):
    help = (
        f"{dumpdata.Command.help} Refuses to dump appointment requests or staff notes (patient data, "
        f"written in clear text) unless {FLAG} is given; back up with a database dump instead."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            FLAG,
            action="store_true",
            dest="include_patient_data",
            help="Also dump patient data (appointment requests, staff notes) in clear text.",
        )

    def handle(self, *app_labels, **options):
        if not options.get("include_patient_data"):
            included = patient_data_models(app_labels, options.get("exclude") or [])
            if included:
                raise CommandError(
                    f"This dump would write patient data in clear text ({', '.join(included)}). "
                    f"Exclude it (--exclude {' --exclude '.join(included)}), back up with a database dump "
                    f"(ciphertext only, see docs/security.md), or give {FLAG} if a clear-text file is "
                    "really what you need (and protect it as patient data)."
                )
        return super().handle(*app_labels, **options)


def patient_data_models(app_labels, excludes):
    """Labels (``lead_forms.appointmentsubmission``) of the models with encrypted fields a dump would include."""
    labels = {label.lower() for label in app_labels}
    excluded = {label.lower() for label in excludes}
    found = []
    for model, _names in encrypted_models():
        app_label, label = model._meta.app_label, model._meta.label_lower
        wanted = not labels or app_label in labels or label in labels
        if wanted and app_label not in excluded and label not in excluded:
            found.append(label)
    return found
