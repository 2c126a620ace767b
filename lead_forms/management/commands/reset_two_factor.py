"""Forget a staff member's authenticator and recovery codes, when they lost both.

They set up a new authenticator at their next sign-in (lead_forms.staff_sign_in.two_factor), after their
password: reset only once you know it is them asking.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Delete USERNAME's authenticator app and recovery codes: they set up new ones at their next sign-in."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        from django_otp import devices_for_user

        user_model = get_user_model()
        try:
            user = user_model.objects.get(**{user_model.USERNAME_FIELD: username})
        except user_model.DoesNotExist:
            raise CommandError(f"No user {username!r}.") from None
        devices = list(devices_for_user(user, confirmed=None))
        for device in devices:
            device.delete()
        self.stdout.write(
            f"Deleted {len(devices)} second-factor device(s) of {username!r}: they set up a new "
            "authenticator at their next sign-in."
        )
