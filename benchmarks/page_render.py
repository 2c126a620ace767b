"""How fast a 50-block treatment article is served, next to a plain stock Wagtail page and a static file.

    .venv/bin/python benchmarks/page_render.py [--port 8110] [--duration 5] [--rounds 3] [--connections 8]
                                               [--render-rounds 15] [--database-url postgres://.../db]
                                               [--render-only]

What it does, in a database of its own (SQLite file under benchmarks/results/ unless
--database-url names another):
1. migrate, ``load_demo``, add a 50-block article (every block type, images and page links)
   and, at the same depth below a stock section of its own, a plain stock Wagtail page with
   the same body: a ``wagtail start`` page type whose StreamField has the same shape built
   from Wagtail's own block classes, rendered by Wagtail's default block rendering in
   ``wagtail start``'s base template (``benchmarks/stock_wagtail``, only in this database);
2. render the stock page, the article **cold** (right after a real publish of it: a new
   revision, before the warm-up the publish queues has run, so nothing of the article is
   cached), the article right after a real publish of it and its warm-up, the article right
   after a real publish of another article its body does not show, and the article **warm**
   in one process,
   interleaved round after round: queries, wall time and CPU time of each, and the ratios
   to stock per round (median and range). ``--render-only`` stops here;
3. collectstatic, start gunicorn (2 workers, production settings, DEBUG off, never the
   repository's ``gunicorn.conf.py``, which recycles workers under load) to fetch the
   rendered article once and save those exact bytes as a static file;
4. start one gunicorn per row and load each row's URL with ``wrk`` (or, without it, a
   bounded pool of keep-alive ``http.client`` threads), **one row at a time**, the rows
   alternating in each of ``--rounds`` rounds (never two loaded at once: on two cores that
   measures how they share the CPU). Each run gives wall figures (req/s, median latency)
   and the server's CPU per request (its process tree's CPU time / requests);
5. print each round's ratios (article / stock, article / static) as median and range, and
   write benchmarks/results/page_render.json.

Under load the article's fragments are warm after the first request: cold renders are
step 2's. The machine may be shared: compare ratios of runs made in the same minute, and
CPU per request where neighbours swamp wall time, not absolute figures across runs.
"""

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

from support import (
    patient_data_keys,
    process_tree_cpu_seconds,
    ratio_text,
    recreate_postgres_database,
    spread,
)

# One pair for every process of a run (migrate, load_demo, the servers).
PATIENT_DATA_KEYS = patient_data_keys()

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
PYTHON = sys.executable
ARTICLE_SLUG = "benchmark-article"
BODY_BLOCKS = 50
STOCK_SLUG = "stock-benchmark-article"
STOCK_SECTION_SLUG = "stock-section"
STATIC_COPY = "benchmark/page_render.html"  # relative to STATIC_ROOT and STATIC_URL
# The rows loaded over HTTP, in the order each round runs them.
STOCK, ARTICLE, STATIC = "Plain stock Wagtail page", "Article (50 blocks)", "Static file, same bytes"


# ---------------------------------------------------------------- setup (runs under Django)


def build_article():
    """Load the demo and add the 50-block article; prints its URL path. Runs in a child process."""
    import django

    django.setup()
    from django.core.management import call_command

    from treatment_pages.models import TreatmentIndexPage, TreatmentPage

    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    index = TreatmentIndexPage.objects.get(slug="treatments")
    article = TreatmentPage.objects.child_of(index).filter(slug=ARTICLE_SLUG).first()
    if article is None:
        # The demo mesotherapy body holds every block type, images and page links included.
        source = TreatmentPage.objects.get(slug="mesotherapy").body.raw_data
        blocks = [
            {"type": source[n % len(source)]["type"], "value": source[n % len(source)]["value"]}
            for n in range(BODY_BLOCKS)
        ]
        article = index.add_child(
            instance=TreatmentPage(
                title="Benchmark article",
                slug=ARTICLE_SLUG,
                intro="A long article for measuring how fast pages are served.",
                body=blocks,
            )
        )
        article.save_revision().publish()
    assert len(article.body) == BODY_BLOCKS

    from wagtail.models import Site

    from benchmarks.stock_wagtail.models import StockPage

    # At the article's depth, below a stock section of its own: Wagtail's own routing all the
    # way (the treatments index reads its articles its own way).
    home = Site.objects.get(is_default_site=True).root_page
    section = StockPage.objects.child_of(home).filter(slug=STOCK_SECTION_SLUG).first()
    if section is None:
        section = home.add_child(instance=StockPage(title="Stock section", slug=STOCK_SECTION_SLUG, body=[]))
        section.save_revision().publish()
    stock = StockPage.objects.child_of(section).filter(slug=STOCK_SLUG).first()
    if stock is None:
        stock = section.add_child(
            instance=StockPage(title="Benchmark article", slug=STOCK_SLUG, body=article.body.raw_data)
        )
        stock.save_revision().publish()
    assert stock.depth == article.depth
    print(json.dumps({"article": article.url, "stock": stock.url}))


def measure_render(paths, rounds):
    """Queries, wall and CPU time of the stock page, the article cold (after its own publish),
    after another article's publish and warm, rendered in this process through the whole
    Django stack (middleware, routing, templates) with Django's test client, interleaved so
    that neighbours' load hits all four alike. The publishes happen before the timed render.
    Renditions are warmed first, as on a live site."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from wagtail.models import Page
    from wagtail.signals import page_published

    from treatment_pages.caching import warming
    from treatment_pages.models import TreatmentPage

    article = TreatmentPage.objects.get(slug=ARTICLE_SLUG)
    # Another article, one the benchmark article's body neither links nor embeds.
    shown = {
        pk
        for model, pk, _path, _content in article.body.stream_block.extract_references(article.body)
        if issubclass(model, Page)
    }
    elsewhere = (
        TreatmentPage.objects.live().exclude(pk__in={article.pk, *shown}).exclude(numchild__gt=0).first()
    )

    def publish(page):
        # A real publish of the page's live content: every signal and cache change a publish makes.
        page.refresh_from_db()
        page.save_revision().publish()

    def retire_fragments():
        # Cold: right after the article's own publish (a new last_published_at, so a new
        # page.cache_key: its body, breadcrumb and the rest are rendered again), before its
        # warm-up ran (no task worker yet, or the reader came first): the publish without it.
        page_published.disconnect(dispatch_uid="treatment_pages_warm_on_publish")
        try:
            publish(article)
        finally:
            page_published.connect(warming.on_page_published, dispatch_uid="treatment_pages_warm_on_publish")

    def publish_and_warm():
        # Right after the article's own publish, its warm-up done (the task the publish queues,
        # run here by the immediate task backend, as a worker would run it).
        publish(article)

    def publish_elsewhere():
        # Another article's publish: what the article shows of it, if anything, is rendered again.
        publish(elsewhere)

    kinds = {
        "stock": (paths["stock"], None),
        "cold": (paths["article"], retire_fragments),
        "after_own_publish_warmed": (paths["article"], publish_and_warm),
        "after_publish_elsewhere": (paths["article"], publish_elsewhere),
        "warm": (paths["article"], None),
    }
    client = Client(HTTP_HOST="localhost")
    results = {}
    for name, (path, before) in kinds.items():
        for _ in range(3):
            assert client.get(path).status_code == 200
        if before:
            before()
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        results[name] = {"queries": len(queries), "wall_ms": [], "cpu_ms": []}
    for _ in range(rounds):
        for name, (path, before) in kinds.items():
            if before:
                before()
            wall, cpu = time.perf_counter(), time.process_time()
            client.get(path)
            results[name]["cpu_ms"].append((time.process_time() - cpu) * 1000)
            results[name]["wall_ms"].append((time.perf_counter() - wall) * 1000)
    print(json.dumps(results))


# ---------------------------------------------------------------- server


def server_env(args, extra=None):
    env = {
        **os.environ,
        # Production settings plus the stock page type (benchmarks/stock_wagtail).
        "DJANGO_SETTINGS_MODULE": "benchmarks.stock_wagtail.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        **PATIENT_DATA_KEYS,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": args.database_url,
        "MEDIA_ROOT": str(RESULTS / "media"),
        "STATIC_ROOT": str(RESULTS / "static"),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    else:
        env.pop("REDIS_URL", None)
    env.update(extra or {})
    return env


def manage(args, *command):
    # --skip-checks: production settings insist on Redis for rate limits, which this
    # single-machine measurement does not need.
    subprocess.run(
        [PYTHON, "manage.py", *command, "--skip-checks"],
        cwd=ROOT,
        env=server_env(args),
        check=True,
        stdout=subprocess.DEVNULL,
    )


class Gunicorn:
    """gunicorn with 2 workers on 127.0.0.1:port (``--port`` unless given), stopped on exit."""

    def __init__(self, args, extra_env=None, port=None):
        self.args, self.extra_env = args, extra_env
        self.port = port or args.port
        self.process = None

    def __enter__(self):
        self.process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "cms_site.wsgi",
                "--workers=2",
                f"--bind=127.0.0.1:{self.port}",
                "--access-logfile=-" if self.args.verbose else "--access-logfile=/dev/null",
                "--error-logfile=-",
                "--log-level=warning",
            ],
            # Not the repository root: gunicorn would read its gunicorn.conf.py, whose worker
            # recycling and hooks are production's, not what is measured here.
            cwd=RESULTS,
            env=server_env(self.args, self.extra_env),
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"gunicorn exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/robots.txt", timeout=2):
                    return self
            except OSError:
                time.sleep(0.25)
        self.__exit__()
        sys.exit("gunicorn did not answer within 30 seconds")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def cpu_seconds(self):
        """CPU time the server (master and workers) used so far."""
        return process_tree_cpu_seconds(self.process.pid)

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}"


def fetch(base_url, path):
    with urllib.request.urlopen(base_url + path, timeout=30) as response:
        assert response.status == 200, f"{path} answered {response.status}"
        return response.read()


# ---------------------------------------------------------------- load generators


def ensure_wrk():
    if shutil.which("wrk"):
        return True
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("Installing wrk with apt-get ...", flush=True)
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        subprocess.run(["apt-get", "update", "-qq"], check=False, **quiet)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "wrk"],
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
            check=False,
            **quiet,
        )
    return bool(shutil.which("wrk"))


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS_MS[unit]


def run_wrk(url, args):
    output = subprocess.run(
        [
            "wrk",
            f"--threads={min(2, args.connections)}",
            f"--connections={args.connections}",
            f"--duration={args.duration}s",
            "--timeout=10s",
            "--latency",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(match.group(1))
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output):
        errors += sum(int(n) for n in match.groups())
    return {
        "requests": requests,
        "errors": errors,
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "median_ms": _ms(re.search(r"\s50%\s+(\S+)", output).group(1)),
        "p95_ms": None,  # wrk's --latency prints 50/75/90/99
        "tool": f"wrk, {args.connections} connections, {args.duration}s",
    }


def run_threads(url, args):
    """Fallback: ``connections`` threads, each one keep-alive connection, for ``duration`` seconds."""
    host_port = url.split("/")[2]
    path = "/" + url.split("/", 3)[3]
    stop = time.monotonic() + args.duration
    lock = threading.Lock()
    latencies, errors = [], [0]

    def worker():
        conn = http.client.HTTPConnection(host_port, timeout=10)
        mine, failed = [], 0
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    failed += 1
            except (OSError, http.client.HTTPException):
                failed += 1
                conn.close()
                conn = http.client.HTTPConnection(host_port, timeout=10)
                continue
            mine.append((time.perf_counter() - started) * 1000)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    began = time.monotonic()
    with ThreadPoolExecutor(args.connections) as pool:
        for _ in range(args.connections):
            pool.submit(worker)
    elapsed = time.monotonic() - began
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors[0],
        "requests_per_second": len(latencies) / elapsed,
        "median_ms": statistics.median(latencies),
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1],
        "tool": f"python http.client threads, {args.connections} connections, {args.duration}s",
    }


# ---------------------------------------------------------------- main


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", 8110)))
    parser.add_argument("--duration", type=int, default=5, help="seconds per load run")
    parser.add_argument(
        "--rounds", type=int, default=3, help="load rounds, each running every row once (>= 3)"
    )
    parser.add_argument("--render-rounds", type=int, default=15, help="in-process renders of each kind")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--database-url", default=f"sqlite:///{RESULTS / 'page_render.sqlite3'}")
    parser.add_argument("--redis-url", default="", help="shared cache for the server (default: none)")
    parser.add_argument("--python-client", action="store_true", help="use the thread pool even if wrk exists")
    parser.add_argument(
        "--render-only", action="store_true", help="stop after the in-process renders (no servers, no load)"
    )
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    if args.rounds < 3:
        parser.error("--rounds must be at least 3: a ratio is reported with its spread")
    return args


def per_round(values_a, values_b):
    return [a / b for a, b in zip(values_a, values_b, strict=True)]


def report_render(render):
    print(
        "\nIn-process render (Django test client; cold: right after the article's publish, before"
        " the warm-up the publish queues has run):"
    )
    print(f"{'':44} {'queries':>8} {'wall ms':>10} {'CPU ms':>10}")
    labels = {
        "stock": STOCK,
        "cold": "Article, cold",
        "after_own_publish_warmed": "Article, after its own publish, warmed",
        "after_publish_elsewhere": "Article, after a publish elsewhere",
        "warm": "Article, warm",
    }
    for kind, label in labels.items():
        figures = render[kind]
        print(
            f"{label:44} {figures['queries']:>8} {statistics.median(figures['wall_ms']):>10.2f} "
            f"{statistics.median(figures['cpu_ms']):>10.2f}"
        )
    ratios = {}
    for kind in ("cold", "after_own_publish_warmed", "after_publish_elsewhere", "warm"):
        ratios[kind] = {
            "wall": spread(per_round(render[kind]["wall_ms"], render["stock"]["wall_ms"])),
            "cpu": spread(per_round(render[kind]["cpu_ms"], render["stock"]["cpu_ms"])),
            "queries": render[kind]["queries"] - render["stock"]["queries"],
        }
        print(
            f"Article {labels[kind].removeprefix('Article, ')} / stock: CPU {ratio_text(per_round(render[kind]['cpu_ms'], render['stock']['cpu_ms']))}, "
            f"wall {ratio_text(per_round(render[kind]['wall_ms'], render['stock']['wall_ms']))}; "
            f"queries {render[kind]['queries']} vs {render['stock']['queries']} (targets: <= 1.0x, <= stock + 2)"
        )
    return ratios


def write_results(name, args, figures):
    """Write ``figures`` with when, where and on what they were measured to benchmarks/results/``name``."""
    output = RESULTS / name
    measured = {
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "database": args.database_url.split("://")[0],
        "load_average": os.getloadavg(),
        "body_blocks": BODY_BLOCKS,
    }
    output.write_text(json.dumps({**measured, **figures}, indent=2) + "\n")
    print(f"Wrote {output.relative_to(ROOT)}")


def main():
    args = parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    if args.database_url.startswith("sqlite:///"):
        Path(args.database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    elif args.database_url.startswith("postgres"):
        recreate_postgres_database(args.database_url)

    print("Building the benchmark database ...", flush=True)
    manage(args, "migrate", "--noinput")
    paths = json.loads(
        subprocess.run(
            [PYTHON, __file__, "--build-article"],
            cwd=ROOT,
            env=server_env(args),
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    article_path, stock_path = paths["article"], paths["stock"]
    manage(args, "collectstatic", "--noinput")

    print("Rendering the stock page and the article cold and warm, in one process ...", flush=True)
    render = json.loads(
        subprocess.run(
            [PYTHON, __file__, "--measure-render", json.dumps(paths), str(args.render_rounds)],
            cwd=ROOT,
            # The immediate task backend runs the warm-up an article's publish queues.
            env=server_env(
                args,
                {
                    "PAGE_CACHE_SECONDS": "0",
                    "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                },
            ),
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    render_ratios = report_render(render)
    if args.render_only:
        write_results(
            "page_render_in_process.json", args, {"render": {**render, "ratios_to_stock": render_ratios}}
        )
        return

    # Fetch the page once from the real server, then serve those exact bytes statically.
    with Gunicorn(args) as server:
        html = fetch(server.base_url, article_path)
    static_file = RESULTS / "static" / STATIC_COPY
    static_file.parent.mkdir(parents=True, exist_ok=True)
    static_file.write_bytes(html)

    use_wrk = not args.python_client and ensure_wrk()
    load = run_wrk if use_wrk else run_threads
    rows = {STOCK: stock_path, ARTICLE: article_path, STATIC: "/static/" + STATIC_COPY}
    runs = {name: [] for name in rows}
    with ExitStack() as servers:
        # A server per row, started after the static copy exists (WhiteNoise indexes
        # STATIC_ROOT at start); idle while another row loads.
        started = {
            name: servers.enter_context(
                Gunicorn(args, {"PAGE_CACHE_SECONDS": "0"}, port=args.port + 1 + index)
            )
            for index, name in enumerate(rows)
        }
        sizes = {}
        for name, server in started.items():
            sizes[name] = len(fetch(server.base_url, rows[name]))  # also warms the workers
            fetch(server.base_url, rows[name])
        for round_number in range(1, args.rounds + 1):
            print(f"Load, round {round_number} of {args.rounds} (one row at a time) ...", flush=True)
            for name, server in started.items():
                cpu_before = server.cpu_seconds()
                run = load(server.base_url + rows[name], args)
                run["cpu_ms_per_request"] = (
                    (server.cpu_seconds() - cpu_before) * 1000 / max(run["requests"], 1)
                )
                runs[name].append(run)

    print(
        f"\n{'':28} {'bytes':>8} {'req/s (median, range)':>26} {'median ms':>10} {'CPU ms/req':>11} {'errors':>7}"
    )
    for name in rows:
        rates = spread(run["requests_per_second"] for run in runs[name])
        cpu = statistics.median(run["cpu_ms_per_request"] for run in runs[name])
        latency = statistics.median(run["median_ms"] for run in runs[name])
        errors = sum(run["errors"] for run in runs[name])
        rate_text = f"{rates['median']:.0f} ({rates['min']:.0f}-{rates['max']:.0f})"
        print(f"{name:28} {sizes[name]:>8,} {rate_text:>26} {latency:>10.2f} {cpu:>11.2f} {errors:>7}")

    def rate(name):
        return [run["requests_per_second"] for run in runs[name]]

    def cpu(name):
        return [run["cpu_ms_per_request"] for run in runs[name]]

    load_ratios = {
        "article_to_stock_req_per_s": spread(per_round(rate(ARTICLE), rate(STOCK))),
        "article_to_stock_cpu_per_request": spread(per_round(cpu(ARTICLE), cpu(STOCK))),
        "article_to_static_req_per_s": spread(per_round(rate(ARTICLE), rate(STATIC))),
    }
    print(f"\nArticle / stock, req/s: {ratio_text(per_round(rate(ARTICLE), rate(STOCK)))}")
    print(f"Article / stock, server CPU per request: {ratio_text(per_round(cpu(ARTICLE), cpu(STOCK)))}")
    print(f"Article / static file, req/s: {ratio_text(per_round(rate(ARTICLE), rate(STATIC)))}")
    print(
        f"Load: {runs[ARTICLE][0]['tool']}; {args.rounds} rounds, rows one at a time; "
        f"gunicorn 2 workers per row on 127.0.0.1; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}"
    )

    write_results(
        "page_render.json",
        args,
        {
            "cpus": os.cpu_count(),
            "workers": 2,
            "rounds": args.rounds,
            "render": {**render, "ratios_to_stock": render_ratios},
            "load": {
                "rows": {name: {"bytes": sizes[name], "runs": runs[name]} for name in rows},
                "ratios": load_ratios,
            },
        },
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if sys.argv[1:] == ["--build-article"]:
        build_article()
    elif sys.argv[1:2] == ["--measure-render"]:
        measure_render(json.loads(sys.argv[2]), int(sys.argv[3]))
    else:
        main()
