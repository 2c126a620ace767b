"""``manage.py check`` on a host missing a piece the apps need: each app names it and the fix."""

import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from tests.apps import settings as host

# From Django 6.0, `manage.py check` runs the model checks against every database (a JSONField
# asks SQLite whether it supports JSON), as it does in a host: the tests let it.
pytestmark = pytest.mark.django_db


def check_output(*tags, **overrides):
    """What ``manage.py check [--tag ...]`` prints for the minimal host with ``overrides`` applied."""
    with override_settings(**overrides):
        try:
            call_command("check", *(f"--tag={tag}" for tag in tags), stdout=open("/dev/null", "w"))  # noqa: SIM115
        except SystemCheckError as error:
            return str(error)
    return ""


def processors_without(processor):
    engine = {**host.TEMPLATES[0], "OPTIONS": {**host.TEMPLATES[0]["OPTIONS"]}}
    engine["OPTIONS"]["context_processors"] = [
        name for name in engine["OPTIONS"]["context_processors"] if name != processor
    ]
    return [engine]


def test_the_minimal_host_passes_every_check():
    assert check_output() == ""


def manage_py_check(*without):
    """``manage.py check`` in a fresh process, on the minimal host without the ``without`` apps."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.apps.settings_without",
        "HOST_WITHOUT": ",".join(without),
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "django", "check"], env=env, capture_output=True, text=True, timeout=120
    )
    return result.returncode, result.stdout + result.stderr


def test_apps_missing_from_installed_apps_are_named_with_the_fix():
    status, output = manage_py_check("wagtail.contrib.settings", "wagtail_modeladmin")

    assert status == 1
    for app, missing in [
        ("treatment_pages", "wagtail.contrib.settings"),
        ("treatment_pages", "wagtail_modeladmin"),
        ("lead_forms", "wagtail.contrib.settings"),
        ("lead_forms", "wagtail_modeladmin"),
    ]:
        assert f"({app}.E001) {app} needs {missing} in INSTALLED_APPS" in output
        assert f'HINT: Add "{missing}" to INSTALLED_APPS.' in output


def test_lead_forms_names_wagtails_forms_app_when_missing():
    status, output = manage_py_check("wagtail.contrib.forms")

    assert status == 1
    assert "(lead_forms.E001) lead_forms needs wagtail.contrib.forms in INSTALLED_APPS" in output


def test_treatment_pages_names_wagtails_snippets_app_when_missing():
    # Without it every admin page answered 500 while `check` was clean.
    status, output = manage_py_check("wagtail.snippets")

    assert status == 1
    assert "(treatment_pages.E001) treatment_pages needs wagtail.snippets in INSTALLED_APPS" in output
    assert 'HINT: Add "wagtail.snippets" to INSTALLED_APPS.' in output


@pytest.mark.parametrize("other", ["treatment_pages", "lead_forms"])
def test_each_app_passes_the_checks_without_the_other(other):
    status, output = manage_py_check(other)

    assert status == 0, output
    assert "System check identified no issues" in output


@pytest.mark.parametrize(
    "processor",
    ["wagtail.contrib.settings.context_processors.settings", "django.template.context_processors.request"],
)
def test_a_missing_context_processor_is_named(processor):
    output = check_output(TEMPLATES=processors_without(processor))

    assert "treatment_pages.E002" in output
    assert f"need the {processor} context processor" in output


def test_the_apps_urls_not_included_are_named():
    output = check_output(ROOT_URLCONF="tests.apps.urls_without_apps")

    assert "treatment_pages.E003" in output
    assert 'include("treatment_pages.urls")' in output


@pytest.mark.parametrize(("app", "code"), [("lead_forms", "E002"), ("treatment_pages", "E004")])
def test_a_per_process_cache_for_rate_limits_without_debug_is_named(app, code):
    output = check_output(SILENCED_SYSTEM_CHECKS=["django_ratelimit.E003"])

    assert f"{app}.{code}" in output
    assert "LocMemCache: each process keeps its own count" in output


def test_a_shared_cache_or_debug_satisfies_the_rate_limit_check():
    redis = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"}}
    assert check_output(SILENCED_SYSTEM_CHECKS=["django_ratelimit.E003"], CACHES=redis) == ""
    assert check_output(SILENCED_SYSTEM_CHECKS=["django_ratelimit.E003"], DEBUG=True) == ""


@pytest.mark.parametrize(
    ("setting", "code"),
    [
        ("TREATMENT_PAGES_BASE_TEMPLATE", "treatment_pages.E005"),
        ("LEAD_FORMS_BASE_TEMPLATE", "lead_forms.E003"),
    ],
)
def test_a_base_template_the_host_lacks_is_named(setting, code):
    output = check_output(**{setting: "layouts/page.html"})

    assert code in output
    assert "'layouts/page.html', which no template directory has" in output
    assert setting in output


def test_a_contact_settings_seam_naming_no_model_is_named():
    output = check_output(LEAD_FORMS_CONTACT_SETTINGS="clinic.ContactDetails")

    assert "lead_forms.E004" in output
    assert "'clinic.ContactDetails', which is not an installed model" in output


def test_sqlite_without_immediate_transactions_is_named_with_the_readme_line():
    from treatment_pages.checks import check_sqlite_write_lock

    deferred = {"default": {**host.DATABASES["default"], "OPTIONS": {}}}
    with override_settings(DATABASES=deferred):
        (warning,) = check_sqlite_write_lock(None)
    assert warning.id == "treatment_pages.W002"
    assert '"database is locked"' in warning.msg
    assert 'DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"' in warning.hint

    # The README's settings block sets it, so the host it builds is not warned.
    assert host.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert check_sqlite_write_lock(None) == []
