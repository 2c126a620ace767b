"""Helpers shared by the benchmark scripts (run as ``python benchmarks/<name>.py``)."""

import psycopg


def recreate_postgres_database(url):
    """Drop and create the database named at the end of a ``postgres://`` URL.

    Benchmarks start from an empty database of their own so runs compare.
    """
    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def patient_data_keys():
    """Fresh ``LEAD_FORMS_ENCRYPTION_KEYS`` and ``LEAD_FORMS_SEARCH_KEY`` for a benchmark's servers:
    production settings refuse to start without them."""
    import base64
    import secrets

    def new_key():
        return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()

    return {"LEAD_FORMS_ENCRYPTION_KEYS": new_key(), "LEAD_FORMS_SEARCH_KEY": new_key()}
