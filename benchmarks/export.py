"""Export speed and memory: the project's streamed exports next to stock Wagtail's CSV export.

    nice .venv/bin/python benchmarks/export.py [--database-url postgres://postgres@127.0.0.1:5432/clinic_inbox_bench]
                                               [--sizes 100000] [--pairs 3]

In a database of its own (created if missing; SQLite works too with sqlite:////path/file.db):
1. migrate, ``load_demo`` (its appointment form has the ten demo fields);
2. top the form's requests up to the size with ``bulk_create``, answers as the form stores them
   (phones already formatted: ``lead_forms.submissions.phones.clean_phone`` runs when a request arrives),
   then ``ANALYZE`` the tables (PostgreSQL), as autovacuum would after such a load;
3. measure, each export in a fresh child process so memory figures do not mix, in alternated pairs
   (A then B, ``--pairs`` times, so both see the same moments of a shared machine):
   - "stock" / "project csv": Wagtail's own ``SubmissionsListView`` with ``?export=csv`` (called with
     RequestFactory as a superuser) over this project's encrypted requests, against the staff
     inbox's ``?export=csv`` through its URL's view, also with RequestFactory (no middleware either side);
   - "project csv" / "project xlsx": the inbox's CSV against its XLSX (built in a temporary file);
   - once each, for information: "stock (plain)", Wagtail's view over the same answers in plain
     text in its own ``FormSubmission`` table, and "decryption", the time spent opening the answers;
   each child reports wall time, its own CPU time, time to first byte and peak RSS growth
   (sampled every 5 ms, from just before the request);
4. print each ratio's median and spread (min-max over the pairs) and write benchmarks/results/export.json.

Targets at 100,000 rows (issue 29): project CSV at most 0.5x stock's CSV on the same requests,
XLSX at most 1.5x the project's CSV, peak memory growth at most 30 MB for both.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/clinic_inbox_bench"
# (A, B) measured alternately, each pair's ratio B/A.
PAIRS = [("stock", "project csv"), ("project csv", "project xlsx")]
ONCE = ["stock (plain)", "decryption"]
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def setup_django(database_url):
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms_site.settings.test"
    # Measure the XLSX build itself rather than the admin's refusal of large ones.
    os.environ["LEAD_FORMS_XLSX_MAX_ROWS"] = "10000000"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def ensure_database(database_url):
    """Create the PostgreSQL benchmark database if it does not exist (never drops anything)."""
    if not database_url.startswith("postgres"):
        return
    import psycopg

    base, name = database_url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


# ---------------------------------------------------------------- parent: prepare and seed


def prepare(database_url):
    ensure_database(database_url)
    setup_django(database_url)
    from django.core.management import call_command

    from lead_forms.models import AppointmentFormPage

    call_command("migrate", verbosity=0)
    if not AppointmentFormPage.objects.exists():
        from tests.conftest import ensure_wagtail_base_rows

        ensure_wagtail_base_rows()
        with open(os.devnull, "w") as devnull:
            call_command("load_demo", stdout=devnull)
    return AppointmentFormPage.objects.first()


def answers(n):
    """Realistic answers of request ``n`` (accents included)."""
    return {
        "first_name": f"Renée{n}",
        "last_name": "Müller-Øster",
        "city": "Saint-Étienne",
        "state": "Vermont",
        "email": f"patient{n}@example.org",
        "phone": f"(217) 555-{n % 10000:04d}",  # as the form stores it (formatted on arrival)
        "please_contact_me_by": "Email" if n % 2 else "Phone",
        "receive_our_free_newsletter": bool(n % 3),
        "i_would_like_to": "Schedule a consultation",
        "your_comments": "=1+1 I would like to know more about the treatment, and whether it hurts." * 2,
    }


def seed(page, size):
    """Top ``page`` up to ``size`` non-spam requests (bulk_create, realistic answers, accents included)."""
    from lead_forms.models import AppointmentSubmission
    from lead_forms.models.submissions import new_reference

    existing = AppointmentSubmission.objects.filter(page=page)
    have = existing.count()
    if have > size:  # left by an earlier run with larger sizes: start again
        existing.delete()
        have = 0
    fields = list(page.get_form_fields())
    batch = []
    for n in range(have, size):
        data = answers(n)
        submission = AppointmentSubmission(
            page=page, form_data=data, reference=new_reference(), notification_status="sent"
        )
        submission.fill_contact_columns(fields)
        batch.append(submission)
        if len(batch) == 5000:
            AppointmentSubmission.objects.bulk_create(batch)
            batch = []
    if batch:
        AppointmentSubmission.objects.bulk_create(batch)
    seed_plain(page, size)
    analyse_tables()
    return AppointmentSubmission.objects.filter(page=page).count()


def analyse_tables():
    """Refresh PostgreSQL's statistics after the bulk load, as autovacuum would on a live site.

    Without them the planner guesses a few thousand rows and picks plans (the inbox's
    filtered counts and searches) two to three times slower than it uses in production.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in (
            "lead_forms_appointmentsubmission",
            "lead_forms_searchtoken",
            "wagtailforms_formsubmission",
        ):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def seed_plain(page, size):
    """The same answers in Wagtail's own plain-text ``FormSubmission`` table, for "stock (plain)"."""
    from wagtail.contrib.forms.models import FormSubmission

    plain = FormSubmission.objects.filter(page=page)
    have = plain.count()
    if have > size:
        plain.delete()
        have = 0
    batch = []
    for n in range(have, size):
        batch.append(FormSubmission(page=page, form_data=answers(n)))
        if len(batch) == 5000:
            FormSubmission.objects.bulk_create(batch)
            batch = []
    if batch:
        FormSubmission.objects.bulk_create(batch)


# ---------------------------------------------------------------- child: one measured export


def rss_bytes():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE_SIZE


class PeakSampler(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.peak = rss_bytes()
        self.running = True

    def run(self):
        while self.running:
            self.peak = max(self.peak, rss_bytes())
            time.sleep(0.005)

    def stop(self):
        self.running = False
        self.join()
        self.peak = max(self.peak, rss_bytes())


def measure(exporter, database_url):
    setup_django(database_url)
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory
    from django.urls import resolve, reverse
    from wagtail.contrib.forms.models import FormSubmission
    from wagtail.contrib.forms.views import SubmissionsListView

    from lead_forms.models import AppointmentFormPage

    class PlainSubmissionsListView(SubmissionsListView):
        def get_base_queryset(self):
            return FormSubmission.objects.filter(page=self.form_page)

    page = AppointmentFormPage.objects.first()
    user, _ = get_user_model().objects.get_or_create(
        username="benchmark-admin", defaults={"is_superuser": True, "is_staff": True}
    )
    factory = RequestFactory()
    inbox_url = reverse("lead_forms_appointmentsubmission_modeladmin_index")
    inbox_view = resolve(inbox_url).func

    if exporter == "decryption":
        return measure_decryption(page)

    def call():
        if exporter in ("project csv", "project xlsx"):
            # Through the inbox URL's view, like stock's below with RequestFactory: no middleware on either side.
            request = factory.get(inbox_url, {"export": exporter.removeprefix("project ")})
            request.user = user
            return inbox_view(request)
        request = factory.get(f"/admin/forms/submissions/{page.pk}/", {"export": "csv"})
        request.user = user
        if exporter == "stock":
            return SubmissionsListView.as_view()(request, form_page=page)
        return PlainSubmissionsListView.as_view()(request, form_page=page)

    # Warm up imports, URL resolvers, template loaders and the DB connection on a tiny request.
    AppointmentFormPage.objects.count()
    import gc

    gc.collect()
    baseline = rss_bytes()
    sampler = PeakSampler()
    sampler.start()
    cpu_start = time.process_time()
    start = time.perf_counter()
    response = call()
    first_byte = None
    size = 0
    lines = 0
    content = response.streaming_content if response.streaming else [response.content]
    for chunk in content:
        if first_byte is None and chunk:
            first_byte = time.perf_counter() - start
        size += len(chunk)
        lines += chunk.count(b"\n")
    response.close()
    assert response.status_code == 200, f"{exporter}: HTTP {response.status_code}"
    total = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    sampler.stop()
    return {
        "exporter": exporter,
        "status": response.status_code,
        "seconds": round(total, 3),
        "cpu_seconds": round(cpu, 3),
        "first_byte_seconds": round(first_byte or total, 3),
        "peak_memory_growth_mb": round((sampler.peak - baseline) / 2**20, 1),
        "bytes": size,
        # CSV only (an XLSX is a zip): lines after the header.
        "data_rows": lines - 1 if exporter != "project xlsx" else None,
    }


def measure_decryption(page):
    """Time spent decrypting every request's answers, apart from reading them and parsing JSON."""
    from django.db.models import TextField
    from django.db.models.functions import Cast

    from lead_forms.encryption.crypto import get_keyring
    from lead_forms.models import AppointmentSubmission

    keyring = get_keyring()
    field = AppointmentSubmission._meta.get_field("form_data")
    rows = (
        AppointmentSubmission.objects.filter(page=page)
        .annotate(sealed=Cast("form_data", TextField()))
        .values_list("sealed", "row_uuid")
        .iterator(chunk_size=2000)
    )
    clock = time.perf_counter
    start = clock()
    decrypting = 0.0
    count = 0
    for sealed, row_uuid in rows:
        before = clock()
        keyring.decrypt(sealed, field.associated_data(row_uuid))
        decrypting += clock() - before
        count += 1
    total = clock() - start
    return {
        "exporter": "decryption",
        "status": 200,
        "seconds": round(decrypting, 3),
        "cpu_seconds": round(decrypting, 3),
        "read_seconds": round(total - decrypting, 3),
        "first_byte_seconds": 0.0,
        "peak_memory_growth_mb": 0.0,
        "bytes": 0,
        "data_rows": count,
    }


# ---------------------------------------------------------------- main


def run_child(exporter, database_url):
    child = subprocess.run(
        [sys.executable, __file__, "--child", exporter, "--database-url", database_url],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    # The site's JSON log lines share stdout: the result is the line naming its exporter.
    for line in reversed(child.stdout.splitlines()):
        if line.startswith('{"exporter"'):
            return json.loads(line)
    raise RuntimeError(f"{exporter}: no result in {child.stdout[-500:]!r}")


def spread(values):
    """Median and (min, max) of ``values``."""
    return statistics.median(values), (min(values), max(values))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        print("\n" + json.dumps(measure(args.child, args.database_url)), flush=True)
        return

    page = prepare(args.database_url)
    report = {"database": "postgresql" if args.database_url.startswith("postgres") else "sqlite", "sizes": []}
    for size in sorted(args.sizes):
        rows = seed(page, size)
        print(f"{rows} requests seeded", file=sys.stderr)
        runs, ratios = [], {}
        for first, second in PAIRS:
            key = f"{second} / {first}"
            ratios[key] = {"wall": [], "cpu": []}
            for pair in range(args.pairs):
                a, b = run_child(first, args.database_url), run_child(second, args.database_url)
                for result in (a, b):
                    runs.append({**result, "rows": rows, "pair": pair, "compared": key})
                    print(
                        f"  {result['exporter']:<14} {result['seconds']:>7.2f} s wall {result['cpu_seconds']:>7.2f} s CPU "
                        f"+{result['peak_memory_growth_mb']} MB",
                        file=sys.stderr,
                    )
                ratios[key]["wall"].append(b["seconds"] / a["seconds"])
                ratios[key]["cpu"].append(b["cpu_seconds"] / a["cpu_seconds"])
        for exporter in ONCE:
            runs.append({**run_child(exporter, args.database_url), "rows": rows})

        print(f"\n{rows} requests, {args.pairs} alternated pairs (median [min-max]):")
        summary = {}
        for key, values in ratios.items():
            wall, wall_range = spread(values["wall"])
            cpu, cpu_range = spread(values["cpu"])
            summary[key] = {
                "wall_median": wall,
                "wall_range": wall_range,
                "cpu_median": cpu,
                "cpu_range": cpu_range,
            }
            print(
                f"  {key:<28} wall {wall:.2f}x [{wall_range[0]:.2f}-{wall_range[1]:.2f}]  "
                f"CPU {cpu:.2f}x [{cpu_range[0]:.2f}-{cpu_range[1]:.2f}]"
            )
        by_exporter = {}
        for run in runs:
            by_exporter.setdefault(run["exporter"], []).append(run)
        for exporter, measured in by_exporter.items():
            seconds, seconds_range = spread([r["seconds"] for r in measured])
            memory = max(r["peak_memory_growth_mb"] for r in measured)
            print(
                f"  {exporter:<14} {seconds:>7.2f} s [{seconds_range[0]:.2f}-{seconds_range[1]:.2f}], "
                f"peak memory growth up to {memory} MB, first byte {min(r['first_byte_seconds'] for r in measured)} s"
            )
        targets = {
            "csv_at_most_0_5x_stock": summary["project csv / stock"]["wall_median"] <= 0.5,
            "xlsx_at_most_1_5x_csv": summary["project xlsx / project csv"]["wall_median"] <= 1.5,
            "memory_at_most_30_mb": all(
                r["peak_memory_growth_mb"] <= 30
                for r in runs
                if r["exporter"] in ("project csv", "project xlsx")
            ),
        }
        for name, ok in targets.items():
            print(f"  {'PASS' if ok else 'FAIL'}  {name}")
        report["sizes"].append({"rows": rows, "ratios": summary, "runs": runs, "targets": targets})
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "export.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nWrote {RESULTS / 'export.json'}")


if __name__ == "__main__":
    main()
