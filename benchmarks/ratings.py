#!/usr/bin/env python
"""Votes per second through gunicorn on PostgreSQL, and a check that none is lost.

Creates (drops and recreates) its own PostgreSQL database, migrates it, loads the demo
content, starts gunicorn with production settings (2 workers on 127.0.0.1), then lets
50 concurrent clients cast votes for 10 seconds. Every vote comes from a new reader (no
voter cookie), so every accepted vote must add exactly one row. Prints votes per second
and latency percentiles, checks that the stored count equals the accepted votes and that
each page's summary equals the aggregate over its rows, and writes
benchmarks/results/ratings.json.

    .venv/bin/python benchmarks/ratings.py [--clients 50] [--seconds 10] [--port 8210]
"""

import argparse
import http.client
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg
from support import patient_data_keys, recreate_postgres_database

# One pair for every process of a run (migrate, load_demo, the servers).
PATIENT_DATA_KEYS = patient_data_keys()

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (>1: gthread)")
    parser.add_argument("--port", type=int, default=8210, help="any free port on 127.0.0.1")
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clinic_ratings_bench"
        ),
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/4"))
    return parser.parse_args()


def server_env(args, media_root):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="cms_site.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        **PATIENT_DATA_KEYS,
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=args.database_url,
        REDIS_URL=args.redis_url,
        CACHE_KEY_PREFIX=f"ratings-bench-{secrets.token_hex(4)}",
        SECURE_SSL_REDIRECT="false",  # plain HTTP on loopback
        RATINGS_VOTE_RATE="100000000/m",  # 50 clients share 127.0.0.1: measure throughput, not the limit
        RATINGS_NEW_VOTERS_PER_ADDRESS="0",  # every vote is a new reader from 127.0.0.1: no limit
        MEDIA_ROOT=media_root,
        LOG_LEVEL="WARNING",
    )
    return env


def manage(env, *command):
    subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def article_ids(url):
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT page_ptr_id FROM treatment_pages_treatmentpage ORDER BY page_ptr_id"
        ).fetchall()
    return [row[0] for row in rows]


def request(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheader("Set-Cookie", ""), response.read()
    finally:
        conn.close()


def wait_until_up(port, path, process, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn exited during start-up")
        try:
            if request(port, "GET", path)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer in time")


def run_clients(args, pages):
    deadline_box = {}
    results = [[] for _ in range(args.clients)]  # (latency seconds, status, score)
    start = threading.Barrier(args.clients + 1)

    def client(index):
        # As the widget's script posts from the article: same-origin, no voter cookie
        # (every vote is a new reader).
        headers = {
            "Accept": "application/json",
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": f"http://127.0.0.1:{args.port}",
            "Sec-Fetch-Site": "same-origin",
        }
        start.wait()
        n = index
        while time.monotonic() < deadline_box["at"]:
            page_id = pages[n % len(pages)]
            score = n % 5 + 1
            began = time.perf_counter()
            status, _, _ = request(args.port, "POST", f"/ratings/{page_id}/vote/", f"score={score}", headers)
            results[index].append((time.perf_counter() - began, status, page_id, score))
            n += args.clients

    threads = [threading.Thread(target=client, args=(index,)) for index in range(args.clients)]
    for thread in threads:
        thread.start()
    deadline_box["at"] = time.monotonic() + args.seconds
    began = time.monotonic()
    start.wait()
    for thread in threads:
        thread.join()
    return [item for batch in results for item in batch], time.monotonic() - began


def stored_state(url):
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT count(*), coalesce(sum(score), 0) FROM treatment_pages_rating").fetchone()
        mismatched = conn.execute(
            """
            SELECT s.page_id FROM treatment_pages_ratingsummary s
            LEFT JOIN (SELECT page_id, count(*) AS n, sum(score) AS total
                       FROM treatment_pages_rating GROUP BY page_id) r ON r.page_id = s.page_id
            WHERE s.count <> coalesce(r.n, 0) OR s.total <> coalesce(r.total, 0)
            """
        ).fetchall()
        summary_count = conn.execute(
            "SELECT coalesce(sum(count), 0) FROM treatment_pages_ratingsummary"
        ).fetchone()
    return {
        "rows": rows[0],
        "total": rows[1],
        "summary_count": summary_count[0],
        "mismatched_pages": mismatched,
    }


def percentile(sorted_values, fraction):
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


def main():
    args = parse_args()
    media_root = tempfile.mkdtemp(prefix="ratings-bench-media-")
    env = server_env(args, media_root)

    print(f"Preparing {args.database_url.rsplit('/', 1)[1]} (drop, create, migrate, demo content)...")
    recreate_postgres_database(args.database_url)
    manage(env, "migrate", "--noinput")
    manage(env, "load_demo")
    pages = article_ids(args.database_url)

    gunicorn = subprocess.Popen(
        [
            str(Path(PYTHON).with_name("gunicorn")),
            "cms_site.wsgi",
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{args.port}",
            "--threads",
            str(args.threads),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_until_up(args.port, f"/ratings/{pages[0]}/", gunicorn)
        print(
            f"gunicorn: {args.workers} workers x {args.threads} threads on 127.0.0.1:{args.port}; {args.clients} clients for {args.seconds:g}s"
        )
        samples, elapsed = run_clients(args, pages)
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        try:
            gunicorn.wait(timeout=20)
        except subprocess.TimeoutExpired:
            gunicorn.kill()

    accepted = [sample for sample in samples if sample[1] == 200]
    statuses = {}
    for sample in samples:
        statuses[sample[1]] = statuses.get(sample[1], 0) + 1
    latencies = sorted(sample[0] * 1000 for sample in samples)
    stored = stored_state(args.database_url)
    checks = {
        "stored rows == accepted votes": stored["rows"] == len(accepted),
        "summary counts == accepted votes": stored["summary_count"] == len(accepted),
        "stored score total == accepted scores": stored["total"] == sum(sample[3] for sample in accepted),
        "every summary == aggregate of its rows": not stored["mismatched_pages"],
        "no request refused or failed": set(statuses) == {200},
    }
    result = {
        "clients": args.clients,
        "workers": args.workers,
        "threads_per_worker": args.threads,
        "seconds": round(elapsed, 2),
        "requests": len(samples),
        "accepted_votes": len(accepted),
        "statuses": {str(key): value for key, value in sorted(statuses.items())},
        "votes_per_second": round(len(accepted) / elapsed, 1),
        "latency_ms": {
            "median": round(statistics.median(latencies), 2) if latencies else None,
            "p99": round(percentile(latencies, 0.99), 2),
            "max": round(latencies[-1], 2) if latencies else None,
        },
        "stored_rows": stored["rows"],
        "checks": checks,
    }

    print()
    print(f"{'metric':<40} {'value':>12}")
    print(f"{'-' * 40} {'-' * 12}")
    for label, value in (
        ("votes accepted", result["accepted_votes"]),
        ("votes per second", result["votes_per_second"]),
        ("median latency (ms)", result["latency_ms"]["median"]),
        ("99th percentile latency (ms)", result["latency_ms"]["p99"]),
        ("max latency (ms)", result["latency_ms"]["max"]),
        ("stored rows", result["stored_rows"]),
        ("HTTP statuses", json.dumps(result["statuses"])),
    ):
        print(f"{label:<40} {value!s:>12}")
    print()
    for label, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {label}")

    out = ROOT / "benchmarks" / "results" / "ratings.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nWrote {out.relative_to(ROOT)}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
