"""How the v2 and v3 APIs list articles: median latency and database queries per request.

    .venv/bin/python benchmarks/api.py [--repeat 15] [--database-url postgres://.../clinic_api_bench]

In a database of its own (SQLite file under benchmarks/results/ unless --database-url
names another), it loads the demo and adds articles copied from the demo's Mesotherapy
(every block type: images, page links, rich text links, prevention steps) until there
are 500. Then, in-process through Django's test client (no network in the numbers),
it lists 20 and 500 of them (``WAGTAILAPI_LIMIT_MAX`` raised to 500 for the run):

- ``fields=*``: every field, the body as typed JSON, breadcrumbs, renditions;
- no extra fields: Wagtail's default listing fields (id, type, title, urls);
- stock Wagtail's ``PagesAPIViewSet`` with ``fields=*``, for comparison;
- v3: the plugin's ``/api/v3/treatments/`` cards (20 a page, its maximum) at the start and
  at the end of the 500, and Wagtail's own v3 ``/api/v3/pages/`` of the same type.

Prints a table and writes benchmarks/results/api.json.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
TOTAL_ARTICLES = 500
SLUG_PREFIX = "bench-article-"


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=15, help="requests per row (the median is reported)")
    parser.add_argument("--database-url", default="", help="database to use (default: a SQLite file)")
    return parser.parse_args()


def setup_django(args):
    RESULTS.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{RESULTS / 'api_bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms_site.settings.test"
    os.environ["WAGTAILAPI_LIMIT_MAX"] = str(TOTAL_ARTICLES)
    os.environ.setdefault("MEDIA_ROOT", str(RESULTS / "api_bench_media"))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def build_articles():
    """Migrate, load the demo and top the treatments index up to 500 articles."""
    from django.core.management import call_command

    from treatment_pages.models import TreatmentIndexPage, TreatmentPage

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    index = TreatmentIndexPage.objects.get(slug="treatments")
    source = TreatmentPage.objects.get(slug="mesotherapy")
    existing = TreatmentPage.objects.child_of(index).count()
    link = f'<p>Compare with <a linktype="page" id="{index.pk}">our other treatments</a>.</p>'
    body = [*source.body.raw_data, {"type": "paragraph", "value": link}]
    for n in range(existing, TOTAL_ARTICLES):
        # Live on creation; revisions are not what this measures.
        index.add_child(
            instance=TreatmentPage(
                title=f"Benchmark article {n}",
                slug=f"{SLUG_PREFIX}{n}",
                intro=source.intro,
                body=body,
                last_reviewed="2026-01-15",
            )
        )
    return TreatmentPage.objects.child_of(index).live().count()


def stock_listing_view():
    """Wagtail's own pages endpoint, mounted on the same router for a fair comparison."""
    from wagtail.api.v2.views import PagesAPIViewSet

    from cms_site.api import api_router

    view = PagesAPIViewSet.as_view({"get": "listing_view"})

    def call(request):
        request.wagtailapi_router = api_router
        return view(request)

    return call


def measure(label, fetch, params, repeat, expected):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fetch(params)  # warm caches (content types, site root paths, renditions)
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = fetch(params)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.content[:300]
    with CaptureQueriesContext(connection) as queries:
        response = fetch(params)
    data = json.loads(response.content)
    items = data["items"] if isinstance(data, dict) else data
    assert len(items) == expected, (label, len(items))
    return {
        "row": label,
        "articles": expected,
        "fields": params.get("fields", "(default)"),
        "median_ms": round(statistics.median(timings), 1),
        "queries": len(queries),
        "bytes": len(response.content),
    }


def main():
    args = parse_args()
    setup_django(args)
    from django.test import Client, RequestFactory

    total = build_articles()
    client = Client()
    factory = RequestFactory()
    stock = stock_listing_view()

    def ours(params):
        return client.get("/api/v2/pages/", params)

    def stock_wagtail(params):
        response = stock(factory.get("/api/v2/pages/", params))
        response.render()
        return response

    rows = []
    for count in (20, 500):
        if count > total:
            continue
        repeat = args.repeat if count <= 20 else max(3, args.repeat // 5)
        base = {"type": "treatment_pages.TreatmentPage", "limit": count}
        rows.append(measure("ours, fields=*", ours, {**base, "fields": "*"}, repeat, count))
        rows.append(measure("ours, no extra fields", ours, base, repeat, count))
        rows.append(measure("stock Wagtail, fields=*", stock_wagtail, {**base, "fields": "*"}, repeat, count))

    def ours_v3(params):
        return client.get("/api/v3/treatments/", params)

    def wagtail_v3(params):
        return client.get("/api/v3/pages/", params)

    rows.append(measure("v3 treatments, first 20", ours_v3, {"limit": 20}, args.repeat, 20))
    rows.append(
        measure("v3 treatments, last 20", ours_v3, {"limit": 20, "offset": total - 20}, args.repeat, 20)
    )
    if wagtail_v3({"limit": 1}).status_code == 200:
        rows.append(
            measure(
                "Wagtail v3 pages, 20",
                wagtail_v3,
                {"type": "treatment_pages.TreatmentPage", "limit": 20},
                args.repeat,
                20,
            )
        )

    header = f"{'listing':<26}{'articles':>9}{'median ms':>11}{'queries':>9}{'KiB':>8}"
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['row']:<26}{row['articles']:>9}{row['median_ms']:>11.1f}{row['queries']:>9}"
            f"{row['bytes'] / 1024:>8.0f}"
        )
    out = RESULTS / "api.json"
    out.write_text(json.dumps({"database": os.environ["DATABASE_URL"].split(":")[0], "rows": rows}, indent=2))
    print(f"\nWritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
