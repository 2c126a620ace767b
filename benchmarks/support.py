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


def spread(values):
    """Median and range of a benchmark's repeated figures: ``{"median", "min", "max", "n"}``."""
    import statistics

    values = list(values)
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def ratio_text(values, unit="x"):
    """``1.23x (1.10-1.40 over 3 pairs)``: how a ratio is reported, never one run alone."""
    figures = spread(values)
    return (
        f"{figures['median']:.2f}{unit} ({figures['min']:.2f}-{figures['max']:.2f} over {figures['n']} pairs)"
    )


def process_tree_cpu_seconds(pid):
    """CPU seconds (user + system) used so far by process ``pid`` and every live descendant
    (a gunicorn master and its workers), read from /proc: the server's cost of a run,
    whatever the neighbours on a shared machine do to wall time."""
    import os

    ticks = os.sysconf("SC_CLK_TCK")
    parents, usage = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command: state, ppid, ... utime (14th field overall), stime (15th).
        parents[int(entry)] = int(fields[1])
        usage[int(entry)] = int(fields[11]) + int(fields[12])
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, ppid in parents.items() if ppid == parent and child not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(usage.get(member, 0) for member in tree) / ticks
