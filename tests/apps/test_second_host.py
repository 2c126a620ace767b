"""A second host, an existing site with ``wagtail.contrib.settings`` and its own form page:
its tests (tests/apps/second_host/) pass after the README's steps. They run in a process of
their own, on that host's settings: Django's app registry is made once per process."""

import os
import subprocess
import sys
from pathlib import Path

from tests.apps.conftest import SECOND_HOST_SETTINGS

ROOT = Path(__file__).resolve().parents[2]


def test_an_existing_site_with_its_own_form_page_and_wagtail_contrib_settings_passes_its_tests():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": SECOND_HOST_SETTINGS}
    result = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/apps/second_host",
            f"--ds={SECOND_HOST_SETTINGS}",
            "-q",
            "-rxX",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout
