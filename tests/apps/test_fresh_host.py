"""A new host without keys, in fresh processes: the commands it needs first run, `migrate`
needs no keys and reads no host settings, then `check` names the missing key settings with the fix,
and un-migrating an app refuses while it holds data (then succeeds once the data is gone)."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from lead_forms.encryption import crypto

BASE_DIR = Path(__file__).resolve().parent.parent.parent
KEYS = {"LEAD_FORMS_ENCRYPTION_KEYS": crypto.generate_key(), "LEAD_FORMS_SEARCH_KEY": crypto.generate_key()}

# A host that stores requests, then wants to uninstall: the steps an administrator takes, each
# as `manage.py` runs it (call_command), in one process with the keys set. Each step prints
# its outcome on a line of its own: a command that refuses raises CommandError, whose message
# manage.py would print before exiting with status 1.
UNINSTALL_STEPS = """
from django.core.management import CommandError, call_command
from wagtail.models import Page
from lead_forms.models import AppointmentFormPage, AppointmentSubmission
from treatment_pages.models import Rating


def step(name, *args):
    try:
        call_command(*args, verbosity=0)
    except CommandError as error:
        print(f"{name}: refused: {error}")
    else:
        print(f"{name}: done")


root = Page.objects.get(depth=1)
form = root.add_child(instance=AppointmentFormPage(title="Book", slug="book"))
AppointmentSubmission.objects.create(page=form, form_data={"name": "Quuxberta"})
Rating.objects.create(page=form, score=4, voter_key="v" * 64)
step("lead_forms zero with data", "migrate", "lead_forms", "zero")
step("treatment_pages zero with data", "migrate", "treatment_pages", "zero")
print("requests kept:", AppointmentSubmission.objects.count(), "ratings kept:", Rating.objects.count())

# Once the data is exported and gone, both apps un-migrate.
Rating.objects.all().delete()
AppointmentSubmission.objects.all().delete()
for page in AppointmentFormPage.objects.all():
    page.delete()
step("lead_forms zero without data", "migrate", "lead_forms", "zero")
step("treatment_pages zero without data", "migrate", "treatment_pages", "zero")
"""


def manage(tmp, *args, **environ):
    """``manage.py *args`` in a fresh process on the keyless minimal host (tests.apps.settings_without_keys)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("LEAD_FORMS_")}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.apps.settings_without_keys",
        HOST_DATABASE=str(tmp / "db.sqlite3"),
        HOST_STATIC_ROOT=str(tmp / "static"),
        **environ,
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return result.returncode, result.stdout + result.stderr


def rows(tmp, sql):
    with sqlite3.connect(tmp / "db.sqlite3") as db:
        return db.execute(sql).fetchall()


@pytest.fixture(scope="module")
def host(tmp_path_factory):
    return tmp_path_factory.mktemp("fresh_host")


def test_help_and_collectstatic_run_without_keys(host):
    status, output = manage(host, "help")
    assert status == 0, output
    assert "collectstatic" in output

    status, output = manage(host, "collectstatic", "--noinput")
    assert status == 0, output
    assert (host / "static" / "lead_forms").is_dir()


def test_a_fresh_migrate_needs_no_keys_and_reads_no_host_settings(host):
    status, output = manage(host, "migrate", "--noinput")

    assert status == 0, output
    groups = {name for (name,) in rows(host, "SELECT name FROM auth_group")}
    # The names the migrations were written with, not the host's TREATMENT_PAGES_CLINICAL_REVIEWERS_GROUP.
    assert {"Patient coordinators", "Clinical reviewers"} <= groups
    assert "Host's own reviewers" not in groups


def test_once_migrated_check_names_the_missing_key_settings_and_the_fix(host):
    if not rows(host, "SELECT 1 FROM sqlite_master WHERE name = 'lead_forms_appointmentsubmission'"):
        manage(host, "migrate", "--noinput")
    status, output = manage(host, "check")

    assert status != 0
    assert "(lead_forms.E011) LEAD_FORMS_ENCRYPTION_KEYS is not set" in output
    assert "Set the settings LEAD_FORMS_ENCRYPTION_KEYS and LEAD_FORMS_SEARCH_KEY" in output
    assert "secrets.token_bytes(32)" in output
    assert "LEAD_FORMS_THROWAWAY_KEYS = True" in output
    assert "KeyError" not in output and "Traceback" not in output

    status, output = manage(host, "check", **KEYS)
    assert status == 0, output


def test_uninstalling_refuses_while_data_exists_and_then_succeeds(host):
    if not rows(host, "SELECT 1 FROM sqlite_master WHERE name = 'lead_forms_appointmentsubmission'"):
        manage(host, "migrate", "--noinput")
    status, output = manage(host, "shell", "-c", UNINSTALL_STEPS, **KEYS)
    assert status == 0, output
    outcomes = dict(line.split(": ", 1) for line in output.splitlines() if ": " in line)

    refused = outcomes["lead_forms zero with data"]
    assert refused.startswith("refused: "), output
    assert "lead_forms still holds 1 appointment request(s) and 1 appointment form page(s)" in refused
    assert "export_appointment_requests" in refused and "page explorer" in refused
    refused = outcomes["treatment_pages zero with data"]
    assert refused.startswith("refused: "), output
    assert "treatment_pages still holds 1 reader rating(s)" in refused
    assert "requests kept: 1 ratings kept: 1" in output

    assert outcomes["lead_forms zero without data"] == "done", output
    assert outcomes["treatment_pages zero without data"] == "done", output
    for app in ("lead_forms", "treatment_pages"):
        assert not rows(host, f"SELECT name FROM sqlite_master WHERE name LIKE '{app}_%'")  # noqa: S608
