"""Migration 0010 encrypts the webhook secrets stored in plain text before, and going back decrypts them."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from treatment_pages.models import WebhookEndpoint

BEFORE = [("treatment_pages", "0009_body_blocks_faq_and_steps")]
SECRET = "whsec_" + "c2VjcmV0" * 4


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes("treatment_pages")


def raw_columns():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT * FROM treatment_pages_webhookendpoint WHERE url = %s", ["https://old.example/hook"]
        )
        return " ".join(str(value) for value in cursor.fetchone())


@pytest.mark.django_db(transaction=True)
def test_plain_secrets_are_encrypted_and_come_back_on_the_way_down(demo_site):
    executor = migrate(BEFORE)
    try:
        OldEndpoint = executor.loader.project_state(BEFORE).apps.get_model(
            "treatment_pages", "WebhookEndpoint"
        )
        OldEndpoint.objects.create(url="https://old.example/hook", secret=SECRET)
        OldEndpoint.objects.create(url="https://bad.example/hook", secret="a")
        assert SECRET in raw_columns()

        migrate(latest())

        assert SECRET.removeprefix("whsec_") not in raw_columns()
        assert WebhookEndpoint.objects.get(url="https://old.example/hook").secret == SECRET
        # Kept as it was (its deliveries then fail with "signing secret invalid: set a new one").
        assert WebhookEndpoint.objects.get(url="https://bad.example/hook").secret == "a"

        migrate(BEFORE)
        assert SECRET in raw_columns()
    finally:
        migrate(latest())
