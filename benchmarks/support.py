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
