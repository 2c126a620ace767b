import gc
import os
import shutil
import sqlite3
import sys
import tempfile

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models.signals import post_migrate
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Collection, Locale, Page, Site
from xdist import is_xdist_controller

from tests import migrated_template

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# tests/apps runs on the apps' own minimal settings, in a pytest run of its own
# (`pytest tests/apps --ds=tests.apps.settings`, as `make test` does).
APPS_SETTINGS = "tests.apps.settings"
collect_ignore = [] if os.environ.get("DJANGO_SETTINGS_MODULE") == APPS_SETTINGS else ["apps"]

MIGRATED_TEMPLATE = pytest.StashKey[migrated_template.MigratedTemplate]()


def pytest_configure(config):
    # The suite keeps many long-lived objects (Django's and Wagtail's models and blocks,
    # the demo's pages), which Python's cyclic collector, at its default thresholds, walks
    # again and again. Rarer collections took about a tenth off the suite's CPU time
    # (measured A/B on the same machine); nothing here measures memory.
    gc.set_threshold(50_000, 20, 50)
    # The suite starts many Python processes (pytest-xdist's workers, the migrated template's
    # builder, fresh hosts, `manage.py check`, `migrate`). Where the environment says not to
    # write bytecode, each compiled Django and Wagtail again: about 4 s of CPU a process, half
    # of a `manage.py check`. They share the cache, as under `make test` (see Makefile).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sys.dont_write_bytecode = False


def pytest_collection_finish(session):
    # What is alive now (Django, Wagtail, the test modules) stays alive for the whole run:
    # out of the collector's sight, later collections have less to walk.
    gc.freeze()


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session):
    """Under xdist, the controller starts migrating the run's one test database (tests/migrated_template.py)."""
    if is_xdist_controller(session):
        folder = tempfile.mkdtemp(prefix="clinic-migrated-")
        session.config.stash[MIGRATED_TEMPLATE] = migrated_template.MigratedTemplate.start(
            folder, cwd=session.config.rootpath
        )


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    template = node.config.stash.get(MIGRATED_TEMPLATE, None)
    if template is not None:
        node.workerinput["migrated_template"] = template.worker_input()


def pytest_unconfigure(config):
    template = config.stash.get(MIGRATED_TEMPLATE, None)
    if template is not None:
        template.stop()
        shutil.rmtree(template.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def _migrated_template(request):
    """The run's migrated template, on an xdist worker (None otherwise)."""
    worker_input = getattr(request.config, "workerinput", {}).get("migrated_template")
    if worker_input is None:
        return None
    try:
        return migrated_template.wait_for_template(worker_input)
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, _migrated_template):
    """pytest-django's hook before the test databases are created: start from the template."""
    if _migrated_template is not None:
        migrated_template.use_template(settings.DATABASES["default"], _migrated_template)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, _migrated_template):
    """pytest-django's test databases, copies of the run's migrated template under xdist.

    In the reference site's suite, the flush that ends each test that commits no longer
    re-creates content types and permissions (post_migrate): each such test starts from the
    demo snapshot (``demo_site``), which holds them. Re-creating them cost about 150 ms a
    test on PostgreSQL, 50 ms on SQLite.
    """
    if _migrated_template is not None:
        with django_db_blocker.unblock():
            migrated_template.copy_template_into(connection, _migrated_template)
    remakers = post_migrate_remakers() if django_apps.is_installed("cms_site") else []
    for receiver in remakers:
        post_migrate.disconnect(**receiver)
    yield
    for receiver in remakers:
        post_migrate.connect(**receiver)


def post_migrate_remakers():
    """The post_migrate receivers that re-create content types and permissions after a flush."""
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes
    from wagtail.snippets.models import create_extra_permissions

    return [
        {"receiver": create_contenttypes},
        {"receiver": create_permissions, "dispatch_uid": "django.contrib.auth.management.create_permissions"},
        {"receiver": create_extra_permissions, "sender": django_apps.get_app_config("wagtailsnippets")},
    ]


def commits(item):
    """Whether a test commits (and flushes the database after itself), as pytest-django decides it."""
    marker = item.get_closest_marker("django_db")
    return bool(
        (marker and marker.kwargs.get("transaction"))
        or {"transactional_db", "live_server"} & set(item.fixturenames)
    )


def pytest_collection_modifyitems(config, items):
    """Long tests first among those that commit; skip ``postgres`` tests on SQLite.

    pytest-django has put the tests that commit last, together. Its order within them would
    leave a long one (the editor in a browser, the fuzz run, 400 voters) to run alone at the
    end while the other worker has nothing left to take.
    """
    committing = [index for index, item in enumerate(items) if commits(item)]
    if django_apps.is_installed("cms_site"):
        # What django_db_setup relies on: a test that commits starts from the demo snapshot.
        without_demo = [
            items[index].nodeid for index in committing if "demo_site" not in items[index].fixturenames
        ]
        if without_demo:
            raise pytest.UsageError(
                "Tests that commit must ask for `demo_site` (they start from the demo snapshot): "
                + ", ".join(without_demo)
            )
    if committing:
        first, last = committing[0], committing[-1] + 1
        items[first:last] = sorted(
            items[first:last], key=lambda item: item.get_closest_marker("slow") is None
        )

    # The PostgreSQL pass (DATABASE_URL=postgres://...) runs them.
    if getattr(settings, "DATABASE_IS_POSTGRES", False):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: run with DATABASE_URL=postgres://...")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def ensure_wagtail_base_rows():
    """Recreate the rows Wagtail's migrations insert (locale, root page, root collection).

    Transactional tests (the browser tests) flush the database after each test,
    which removes them too.
    """
    Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    if not Page.get_first_root_node():
        Page.add_root(instance=Page(title="Root", slug="root"))
    if not Collection.get_first_root_node():
        Collection.add_root(name="Root")


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    """Each test starts with fresh page fragments: fragments cached by another test's
    (rolled back) content must not answer this one's requests."""
    from django.core.cache import caches

    from treatment_pages.caching.policy import VERSION_KEYS

    # Cached navigation, breadcrumbs, clinic settings and article bodies of another test's
    # pages (same ids) are retired: the versions start again from the clock, later than any before.
    caches["default"].delete_many(VERSION_KEYS)


@pytest.fixture(autouse=True)
def _sent_answers_of_this_test_only(monkeypatch):
    """Each test remembers only the answers it sent itself (lead_forms.submissions.spam).

    The same answers sent again within an hour are the first request, and tests send the
    same sample answers over and over: a record left by an earlier test (in the shared
    cache, under its own rolled-back references) must not turn this test's first send
    into a repeat.
    """
    import uuid

    from lead_forms.submissions import spam

    monkeypatch.setattr(spam, "SENT_ANSWERS_KEY", f"{spam.SENT_ANSWERS_KEY}:test-{uuid.uuid4().hex}")


@pytest.fixture(autouse=True)
def _force_login_gives_the_second_factor(monkeypatch):
    """``client.force_login(user)`` signs in as a person who also gave their second factor.

    Most tests sign staff in with ``force_login`` (and tests/browser.py's ``start_signed_in``)
    to test what they do once signed in; lead_forms would otherwise send every patient-data
    user among them to the code page (lead_forms.staff_sign_in.two_factor). The second factor's own tests
    sign in through the forms, which this does not touch.
    """
    from django.apps import apps
    from django.test import Client

    if not apps.is_installed("django_otp.plugins.otp_static"):
        return
    from tests.two_factor import force_login_with_second_factor

    monkeypatch.setattr(Client, "force_login", force_login_with_second_factor(Client.force_login))


def load_demo_site():
    ensure_wagtail_base_rows()
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


class DemoSnapshot:
    """A copy of the test database right after the demo was built, to restore it cheaply.

    Transactional tests (browser, live server) flush the database after themselves;
    the next test that asks for the demo gets these rows back in a fraction of a
    second instead of building the demo again (about two seconds each time). Same
    rows, same ids: content types and permissions included, whatever the flush's
    post-migrate signals recreated in between.
    """

    SCHEMA = "demo_snapshot"

    def __init__(self, connection):
        self.connection = connection
        connection.ensure_connection()
        if connection.vendor == "sqlite":
            # The in-memory test database, copied with SQLite's online backup.
            self.copy = sqlite3.connect(":memory:", check_same_thread=False)
            connection.connection.backup(self.copy)
        else:
            self.tables = connection.introspection.django_table_names(only_existing=True)
            with connection.cursor() as cursor:
                cursor.execute(f"DROP SCHEMA IF EXISTS {self.SCHEMA} CASCADE; CREATE SCHEMA {self.SCHEMA}")
                for table in self.tables:
                    name = connection.ops.quote_name(table)
                    cursor.execute(f"CREATE TABLE {self.SCHEMA}.{name} AS TABLE {name}")

    def restore(self):
        connection = self.connection
        if connection.vendor == "sqlite":
            self.copy.backup(connection.connection)
        else:
            quoted = [connection.ops.quote_name(table) for table in self.tables]
            models = [model for model in django_apps.get_models() if model._meta.db_table in self.tables]
            # The test backend's flush (DELETEs, tests/postgresql), then the saved rows.
            # Table names from Django's introspection, quoted.
            statements = [
                *connection.ops.sql_flush(no_style(), self.tables),
                *(f"INSERT INTO {name} SELECT * FROM {self.SCHEMA}.{name};" for name in quoted),  # noqa: S608
                *connection.ops.sequence_reset_sql(no_style(), models),
            ]
            with transaction.atomic(), connection.cursor() as cursor:
                # One round trip for the lot.
                cursor.execute("\n".join(statements))
        ContentType.objects.clear_cache()


@pytest.fixture(scope="session")
def _demo_in_test_database(django_db_setup, django_db_blocker):
    """Builds the demo once per run, committed in the test database, when a test first asks for it.

    Session-scoped fixtures are set up before the test's own transaction opens, so the
    demo survives each test's rollback: tests share it and cannot change it for each other.
    """
    if connection.in_atomic_block:
        # Built inside a test's transaction, the demo would be rolled back with it (and
        # SQLite's backup would wait forever on that transaction).
        pytest.fail("Ask for `demo_site` in the test's arguments, not with request.getfixturevalue().")
    with django_db_blocker.unblock():
        load_demo_site()
        return DemoSnapshot(connection)


@pytest.fixture
def demo_site(_demo_in_test_database, db):
    """The demo clinic exactly as ``manage.py load_demo`` builds it."""
    from cms_site.models import HomePage

    if not HomePage.objects.exists():
        # A transactional test (browser, live server) flushed the database after itself:
        # these run last (pytest-django orders them so) and get the demo back from the snapshot.
        _demo_in_test_database.restore()
    return Site.objects.get(is_default_site=True)


@pytest.fixture
def home_page(demo_site):
    from cms_site.models import HomePage

    return HomePage.objects.get()


@pytest.fixture
def treatment_index(demo_site):
    from treatment_pages.models import TreatmentIndexPage

    return TreatmentIndexPage.objects.get(slug="treatments")


@pytest.fixture
def mesotherapy(demo_site):
    from treatment_pages.models import TreatmentPage

    return TreatmentPage.objects.get(slug="mesotherapy")


@pytest.fixture
def article_with_form(mesotherapy):
    """The mesotherapy article with its "Next steps" block showing the appointment form inline."""
    body = mesotherapy.body.raw_data
    for block in body:
        if block["type"] == "next_steps":
            block["value"]["show_form"] = True
    mesotherapy.body = body
    mesotherapy.save_revision().publish()
    return mesotherapy


@pytest.fixture
def root_page(db):
    return Page.get_first_root_node()


@pytest.fixture
def editor_without_autosave(settings):
    """Turns off the page editor's autosave, for browser tests that type and then save.

    Autosave posts the form half a second after each change. Behind the live server the
    server's threads share the test's one in-memory SQLite connection, so an autosave still
    running when the test clicks "Save draft" breaks the other request's savepoints
    ("no such savepoint"). Each server thread has its own connection in production.
    """
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0


@pytest.fixture(scope="session")
def _chromium():
    """One headless Chromium for the whole run; skipped locally (never in CI) if it is missing."""
    from tests.browser import AXE_SCRIPT, CHROMIUM, CHROMIUM_ARGS, FULL_CHROMIUM

    missing = [str(path) for path in (CHROMIUM, FULL_CHROMIUM, AXE_SCRIPT) if not os.path.exists(path)]
    if missing:
        if IN_CI:
            pytest.fail(f"Browser tests need {', '.join(missing)} (see .ci/run and `make browser-deps`).")
        pytest.skip(
            f"Browser tests need {', '.join(missing)}: apt-get install chromium chromium-headless-shell; npm ci"
        )

    from playwright.sync_api import expect, sync_playwright

    from tests.browser import TIMEOUT_MS

    expect.set_options(timeout=TIMEOUT_MS)

    # Playwright's sync API runs an event loop in this thread; the ORM calls the
    # tests make between browser steps are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(_chromium):
    """A fresh browser context (own cookies and storage) and page per test.

    The browser asks for reduced motion, as many people's do. The product's pages have no
    motion to reduce; Wagtail's admin pulses its menu badges and animates its panels, which
    kept a tenth of a core busy for every second a test spent on an admin page.
    """
    from tests.browser import TIMEOUT_MS, wait_for_idle_live_server

    context = _chromium.new_context(viewport={"width": 1200, "height": 900}, reduced_motion="reduce")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    context.close()
    wait_for_idle_live_server()
