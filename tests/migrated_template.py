"""One migrated test database per run, which every pytest-xdist worker's database copies.

Wagtail's and the apps' ~220 migrations cost about 8 s of CPU, and each worker used to run
them for a test database of its own. Under xdist the controller now starts this module in a
process of its own as the workers start; it migrates the test database once, and each
worker's test database starts as a copy of it (tests/conftest.py):

* SQLite: the migrated in-memory database, saved to a file, is copied into each worker's
  in-memory database with SQLite's online backup;
* PostgreSQL: the migrated test database is the template each worker's database is created
  from (Django's ``TEST["TEMPLATE"]``).

The copies hold exactly what the migrations made (Wagtail's groups, root page and workflow,
the apps' groups, the migration history), so tests that run migrations still can.

The process keeps the template until the run ends (its stdin closes), then drops it.
"""

import gc
import json
import os
import sqlite3
import subprocess
import sys
import time
import traceback
from pathlib import Path

READY = "ready.json"
FAILED = "failed.txt"


class MigratedTemplate:
    """The controller's handle on the process that builds and keeps the template."""

    def __init__(self, folder, process):
        self.folder, self.process = folder, process

    @classmethod
    def start(cls, folder, cwd):
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "tests.migrated_template", str(folder)],
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
        )
        return cls(folder, process)

    def worker_input(self):
        """What a worker needs to find the template (xdist's ``workerinput``)."""
        return {"folder": str(self.folder), "pid": self.process.pid}

    def stop(self):
        self.process.stdin.close()
        self.process.wait(timeout=120)


def wait_for_template(worker_input, timeout=600):
    """The built template's description, once the builder says it is ready.

    Raises RuntimeError with the builder's traceback when it failed.
    """
    folder = Path(worker_input["folder"])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (folder / READY).exists():
            return json.loads((folder / READY).read_text())
        if (folder / FAILED).exists():
            raise RuntimeError(f"Migrating the test database failed:\n{(folder / FAILED).read_text()}")
        try:
            os.kill(worker_input["pid"], 0)
        except ProcessLookupError:
            raise RuntimeError("The process migrating the test database ended without a word.") from None
        time.sleep(0.05)
    raise RuntimeError(f"The test database was still being migrated after {timeout} s.")


def use_template(database_settings, template):
    """Point a worker's test database settings at the template (before it is created)."""
    database_settings.setdefault("TEST", {})
    # The tables come from the template, not from the migrations (created from the models
    # and then replaced on SQLite, already there on PostgreSQL).
    database_settings["TEST"]["MIGRATE"] = False
    if template["vendor"] == "postgresql":
        database_settings["TEST"]["TEMPLATE"] = template["name"]


def copy_template_into(connection, template):
    """Make a worker's new SQLite test database an exact copy of the template."""
    if template["vendor"] != "sqlite":
        return
    from django.contrib.contenttypes.models import ContentType

    connection.ensure_connection()
    source = sqlite3.connect(template["name"])
    try:
        source.backup(connection.connection)
    finally:
        source.close()
    # Content types cached while the tables were being created have other ids.
    ContentType.objects.clear_cache()


def build(folder):
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases

    old_config = setup_databases(verbosity=0, interactive=False, serialized_aliases=[])
    if connection.vendor == "sqlite":
        name = str(folder / "migrated.sqlite3")
        copy = sqlite3.connect(name)
        try:
            connection.connection.backup(copy)
        finally:
            copy.close()
    else:
        name = connection.settings_dict["NAME"]
        # A database with open connections (the pool's included) cannot be a template.
        connection.close()
        connection.close_pool()
    pending = folder / f"{READY}.pending"
    pending.write_text(json.dumps({"vendor": connection.vendor, "name": name}))
    pending.replace(folder / READY)
    return old_config


def main(folder):
    from django.test.utils import teardown_databases

    folder = Path(folder)
    # The workers wait for this build. Migrations make and drop thousands of model classes,
    # which the cyclic garbage collector walks again and again: without it the build takes a
    # quarter less time (about 300 MB more memory until the collection after it).
    gc.disable()
    try:
        old_config = build(folder)
    except BaseException:
        (folder / FAILED).write_text(traceback.format_exc())
        raise
    gc.enable()
    gc.collect()
    sys.stdin.read()  # until the run ends
    teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main(sys.argv[1])
