"""The test host is a ``wagtail start`` project plus the README's blocks, and those blocks are
safe to paste into a host that already has some of what they add."""

import ast
import copy
import os
from pathlib import Path
from unittest import mock

import wagtail

from tests.apps import settings as host
from tests.apps import settings_wagtail_start as base
from tests.apps.readme import run_block

TEMPLATE_SETTINGS = (
    Path(wagtail.__file__).parent / "project_template" / "project_name" / "settings" / "base.py"
)


def template_list(name):
    """The list ``name`` as wagtail start's settings/base.py writes it."""
    for node in ast.parse(TEMPLATE_SETTINGS.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"wagtail start's settings have no {name}")


def test_the_hosts_base_is_what_wagtail_start_writes_less_its_own_home_and_search_apps():
    assert base.wagtail_start_apps == [
        app for app in template_list("INSTALLED_APPS") if app not in {"home", "search"}
    ]
    assert base.MIDDLEWARE == template_list("MIDDLEWARE")
    # The README adds to wagtail start's middleware and removes or reorders none of it.
    assert [name for name in host.MIDDLEWARE if name in base.MIDDLEWARE] == base.MIDDLEWARE


def test_the_readme_settings_pasted_twice_list_each_app_middleware_and_context_processor_once():
    namespace = base.wagtail_start_settings()
    with mock.patch.dict(os.environ, base.README_ENVIRONMENT):
        run_block("settings", namespace)
        once = copy.deepcopy(
            {name: namespace[name] for name in ("INSTALLED_APPS", "TEMPLATES", "MIDDLEWARE")}
        )
        run_block("settings", namespace)

    assert {name: namespace[name] for name in once} == once
    assert len(set(namespace["INSTALLED_APPS"])) == len(namespace["INSTALLED_APPS"])
    assert {"treatment_pages", "lead_forms", "wagtail.contrib.settings"} <= set(namespace["INSTALLED_APPS"])


def test_the_test_host_got_the_apps_from_the_readme_not_from_its_own_list():
    added = [app for app in host.INSTALLED_APPS if app not in base.wagtail_start_apps]

    assert {"treatment_pages", "lead_forms"} <= set(added)
