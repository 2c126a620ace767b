"""The staff inbox at 100,000 requests next to stock Wagtail's form submissions list.

    nice .venv/bin/python benchmarks/inbox.py [--database-url postgres://postgres@127.0.0.1:5432/clinic_inbox_bench]
                                              [--size 100000] [--pairs 5]

Uses the export benchmark's database and seeding (``benchmarks/export.py``: the demo's appointment
form topped up to ``--size`` requests with ``bulk_create``). In one process, signed in as a
superuser, each page is rendered through its view with ``RequestFactory`` (no middleware on
either side), alternating with stock Wagtail's ``SubmissionsListView`` over the same requests
(A then B, ``--pairs`` times, after one warm-up of each):

- "list": the inbox's first page (50 rows, newest first);
- "status new": the list the dashboard links to (``?status=new``);
- "search phone" / "search reference" / "search name": ``?q=`` with a phone in the format the
  inbox shows, a reference without "AR-", and a name word.

Stock's list has no text search, so every inbox page is compared with stock's first page, at the
inbox's 50 rows per page (``SubmissionsListView`` ships with 20: compared at 20, the inbox would
be rendering two and a half times the rows). Printed per page: wall
time and process CPU time as ratios to stock (median and min-max over the pairs) and each
side's query count; written to ``benchmarks/results/inbox.json``.

Targets (issue 29 item 3): every inbox page no slower than stock's list (median wall ratio at
most 1.0) with at most stock's queries + 5.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.export import DEFAULT_DB, RESULTS, prepare, seed  # noqa: E402

PAGES = {
    "list": {},
    "status new": {"status": "new"},
    "search phone": {"q": "(217) 555-0142"},
    "search reference": None,  # filled in with a stored reference, without its "AR-"
    "search name": {"q": "Renée4242"},
}


def timed(render):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        cpu, wall = time.process_time(), time.perf_counter()
        response = render()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert response.status_code == 200, response.status_code
    return wall, cpu, len(queries.captured_queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--pairs", type=int, default=5)
    args = parser.parse_args()

    page = prepare(args.database_url)
    rows = seed(page, args.size)
    print(f"{rows} requests seeded", file=sys.stderr)

    from django.contrib.auth import get_user_model
    from django.test import RequestFactory
    from django.urls import resolve, reverse
    from wagtail.contrib.forms.views import SubmissionsListView

    from lead_forms.inbox.wagtail_hooks import AppointmentRequestAdmin
    from lead_forms.models import AppointmentSubmission

    user, _ = get_user_model().objects.get_or_create(
        username="benchmark-admin", defaults={"is_superuser": True, "is_staff": True}
    )
    factory = RequestFactory()
    inbox_url = reverse("lead_forms_appointmentsubmission_modeladmin_index")
    inbox_view = resolve(inbox_url).func
    reference = AppointmentSubmission.objects.filter(page=page).values_list("reference", flat=True)[777]
    PAGES["search reference"] = {"q": reference.removeprefix("AR-")}

    def request(url, data):
        made = factory.get(url, data)
        made.user = user
        return made

    class StockSubmissionsListView(SubmissionsListView):
        paginate_by = AppointmentRequestAdmin.list_per_page

    def stock():
        response = StockSubmissionsListView.as_view()(
            request(f"/admin/forms/submissions/{page.pk}/", {}), form_page=page
        )
        return response.render()

    def inbox(data):
        def render():
            response = inbox_view(request(inbox_url, data))
            return response.render() if hasattr(response, "render") else response

        return render

    results = {}
    for name, data in PAGES.items():
        timed(stock), timed(inbox(data))  # warm-up: templates, caches, plans
        walls, cpus, queries = [], [], {}
        for _pair in range(args.pairs):
            stock_wall, stock_cpu, queries["stock"] = timed(stock)
            wall, cpu, queries["inbox"] = timed(inbox(data))
            walls.append(wall / stock_wall)
            cpus.append(cpu / stock_cpu)
            results.setdefault(name, {"stock_ms": [], "inbox_ms": []})
            results[name]["stock_ms"].append(round(stock_wall * 1000, 1))
            results[name]["inbox_ms"].append(round(wall * 1000, 1))
        results[name].update(
            {
                "wall_ratio_median": statistics.median(walls),
                "wall_ratio_range": (min(walls), max(walls)),
                "cpu_ratio_median": statistics.median(cpus),
                "cpu_ratio_range": (min(cpus), max(cpus)),
                "stock_queries": queries["stock"],
                "inbox_queries": queries["inbox"],
            }
        )

    print(f"\n{rows} requests, {args.pairs} alternated pairs, inbox / stock list (median [min-max]):")
    for name, result in results.items():
        low, high = result["wall_ratio_range"]
        cpu_low, cpu_high = result["cpu_ratio_range"]
        print(
            f"  {name:<17} wall {result['wall_ratio_median']:.2f}x [{low:.2f}-{high:.2f}] "
            f"({statistics.median(result['inbox_ms']):.0f} ms vs {statistics.median(result['stock_ms']):.0f} ms)  "
            f"CPU {result['cpu_ratio_median']:.2f}x [{cpu_low:.2f}-{cpu_high:.2f}]  "
            f"queries {result['inbox_queries']} vs {result['stock_queries']}"
        )
    targets = {
        "no_slower_than_stock": all(r["wall_ratio_median"] <= 1.0 for r in results.values()),
        "queries_at_most_stock_plus_5": all(
            r["inbox_queries"] <= r["stock_queries"] + 5 for r in results.values()
        ),
    }
    for name, ok in targets.items():
        print(f"  {'PASS' if ok else 'FAIL'}  {name}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    database = "postgresql" if args.database_url.startswith("postgres") else "sqlite"
    (RESULTS / "inbox.json").write_text(
        json.dumps({"database": database, "rows": rows, "pages": results, "targets": targets}, indent=2)
        + "\n"
    )
    print(f"\nWrote {RESULTS / 'inbox.json'}")


if __name__ == "__main__":
    main()
