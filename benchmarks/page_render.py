"""How fast a 50-block treatment article is served, next to a static file of the same bytes.

    .venv/bin/python benchmarks/page_render.py [--port 8110] [--duration 5] [--rounds 3] [--connections 8]
                                               [--database-url postgres://.../clinic_articles_bench]

What it does, in a database of its own (SQLite file under benchmarks/results/ unless
--database-url names another):
1. migrate, ``load_demo``, add a 50-block article (every block type, images and page links);
2. collectstatic into benchmarks/results/static and start gunicorn (2 workers, 127.0.0.1,
   production settings, DEBUG off) to fetch the rendered article once;
3. save those exact bytes under STATIC_ROOT, restart gunicorn so WhiteNoise serves them;
4. start one gunicorn per row (each on its own port, with that row's settings) and load
   each row's URL with ``wrk`` (installed with apt-get when missing and possible) or, failing
   that, a bounded pool of keep-alive ``http.client`` threads: the rows one after another,
   ``--rounds`` times over, keeping each row's best run (the machine is shared: a run that
   lands on a busy moment measures the neighbours);
5. print a table and write benchmarks/results/page_render.json;
6. render the article and the stock page uncached in one process, interleaved, and print
   their query counts and median times with the ratio (targets: time <= 1.0, queries <= stock + 2).

Each row is a ``Target``. Five rows: a stock Wagtail page with the same body (a minimal
page type, ``benchmarks/stock_wagtail``, only in this database), the article rendered by
Wagtail on every request (page cache off), the same article answered to anonymous readers from the page cache
(``cms_site.page_cache``; Redis when --redis-url is given, else each worker's memory),
the same without each process's copies of Redis entries (``PAGE_CACHE_LOCAL_BYTES=0``),
and the static file. Before measuring, each row checks the server's ``X-Cache``
header says what the row claims (rendered: no hit; cached: HIT).
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
from dataclasses import asdict, dataclass, field
from pathlib import Path

from support import patient_data_keys, recreate_postgres_database

# One pair for every process of a run (migrate, load_demo, the servers).
PATIENT_DATA_KEYS = patient_data_keys()

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
PYTHON = sys.executable
ARTICLE_SLUG = "benchmark-article"
BODY_BLOCKS = 50
STOCK_SLUG = "stock-benchmark-article"
STATIC_COPY = "benchmark/page_render.html"  # relative to STATIC_ROOT and STATIC_URL


@dataclass
class Target:
    """One row of the table: a URL on the benchmark server and what it stands for."""

    name: str
    path: str
    # Extra environment for the server while this row is measured (e.g. a cache switched on).
    server_env: dict = field(default_factory=dict)
    # The X-Cache header the warmed-up URL must answer with (None: no page cache involved).
    expect_cache: str | None = None


@dataclass
class Result:
    name: str
    path: str
    bytes: int
    requests: int
    errors: int
    requests_per_second: float
    median_ms: float
    p95_ms: float | None
    tool: str


def targets(article_path, stock_path):
    """The rows measured, in order; the static file is the baseline for the ratio."""
    return [
        Target("Stock Wagtail, same body", stock_path, {"PAGE_CACHE_SECONDS": "0"}),
        Target("Wagtail page (50 blocks)", article_path, {"PAGE_CACHE_SECONDS": "0"}),
        # With Redis: each process's copies (the default), then Redis alone, for the record.
        Target("Cached page, anonymous", article_path, {"PAGE_CACHE_SECONDS": "600"}, expect_cache="HIT"),
        Target(
            "Cached, no process copies",
            article_path,
            {"PAGE_CACHE_SECONDS": "600", "PAGE_CACHE_LOCAL_BYTES": "0"},
            expect_cache="HIT",
        ),
        Target("Static file, same bytes", "/static/" + STATIC_COPY),
    ]


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

    from benchmarks.stock_wagtail.models import StockPage

    # Beside the article, so Wagtail routes both through the same depth of the tree.
    stock = StockPage.objects.child_of(index).filter(slug=STOCK_SLUG).first()
    if stock is None:
        stock = index.add_child(
            instance=StockPage(title="Benchmark article", slug=STOCK_SLUG, body=article.body.raw_data)
        )
        stock.save_revision().publish()
    print(json.dumps({"article": article.url, "stock": stock.url}))


def measure_render(paths, rounds=40):
    """Queries and median time of an uncached render of each path, in this process (page cache off).

    The requests go through the whole Django stack (middleware, routing, templates) with
    Django's test client; renditions are warmed first, as on a live site.
    """
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="localhost")
    results = {}
    for name, path in paths.items():
        for _ in range(3):
            assert client.get(path).status_code == 200
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        results[name] = {"queries": len(queries), "times": []}
    for _ in range(rounds):  # interleaved, so noise from other processes hits both alike
        for name, path in paths.items():
            started = time.perf_counter()
            client.get(path)
            results[name]["times"].append((time.perf_counter() - started) * 1000)
    for result in results.values():
        result["median_ms"] = statistics.median(result.pop("times"))
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
            cwd=ROOT,
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

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}"


def fetch(base_url, path):
    with urllib.request.urlopen(base_url + path, timeout=30) as response:
        assert response.status == 200, f"{path} answered {response.status}"
        return response.read()


def check_cache_header(base_url, target):
    """The row measures what it says: the cached row's URL answers X-Cache: HIT, the others don't.

    Without Redis each worker has its own memory cache, so a few requests may be needed
    before the one answering has stored the page.
    """
    seen = []
    for _ in range(10):
        with urllib.request.urlopen(base_url + target.path, timeout=30) as response:
            response.read()
            seen.append(response.headers.get("X-Cache"))
        if (target.expect_cache == "HIT") == (seen[-1] == "HIT"):
            return
    sys.exit(f"{target.name}: X-Cache answers {seen}, expected {target.expect_cache or 'no HIT'}")


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
    parser.add_argument("--duration", type=int, default=5, help="seconds per run")
    parser.add_argument(
        "--rounds", type=int, default=3, help="runs per row, alternating rows; the best counts"
    )
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--database-url", default=f"sqlite:///{RESULTS / 'page_render.sqlite3'}")
    parser.add_argument("--redis-url", default="", help="shared cache for the server (default: none)")
    parser.add_argument("--python-client", action="store_true", help="use the thread pool even if wrk exists")
    parser.add_argument("--verbose", action="store_true")
    return parser.parse_args()


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

    print("Rendering both pages uncached in one process (queries, median time) ...", flush=True)
    render = json.loads(
        subprocess.run(
            [PYTHON, __file__, "--measure-render", json.dumps(paths)],
            cwd=ROOT,
            env=server_env(args, {"PAGE_CACHE_SECONDS": "0"}),
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )

    # Fetch the page once from the real server, then serve those exact bytes statically.
    with Gunicorn(args) as server:
        html = fetch(server.base_url, article_path)
    static_file = RESULTS / "static" / STATIC_COPY
    static_file.parent.mkdir(parents=True, exist_ok=True)
    static_file.write_bytes(html)

    use_wrk = not args.python_client and ensure_wrk()
    load = run_wrk if use_wrk else run_threads
    rows = targets(article_path, stock_path)
    runs = {target.name: [] for target in rows}
    with ExitStack() as servers:
        # A server per row, started after the static copy exists (WhiteNoise indexes
        # STATIC_ROOT at start), each with its row's settings; idle while another row loads.
        started = [
            (target, servers.enter_context(Gunicorn(args, target.server_env, port=args.port + 1 + index)))
            for index, target in enumerate(rows)
        ]
        sizes = {}
        for target, server in started:
            sizes[target.name] = len(fetch(server.base_url, target.path))  # also warms the worker
            fetch(server.base_url, target.path)
            check_cache_header(server.base_url, target)
        for round_number in range(1, args.rounds + 1):
            print(f"Measuring, round {round_number} of {args.rounds} ...", flush=True)
            for target, server in started:
                runs[target.name].append(load(server.base_url + target.path, args))
    results = []
    for target in rows:
        best = max(runs[target.name], key=lambda run: run["requests_per_second"])
        results.append(Result(name=target.name, path=target.path, bytes=sizes[target.name], **best))
        runs_text = ", ".join(f"{run['requests_per_second']:.0f}" for run in runs[target.name])
        print(f"  {target.name:28} req/s per run: {runs_text}")

    baseline = next(r for r in results if r.name.startswith("Static file"))
    print()
    print(f"{'':28} {'bytes':>8} {'median ms':>10} {'req/s':>10} {'of static':>10} {'errors':>7}")
    for r in results:
        ratio = r.requests_per_second / baseline.requests_per_second
        print(
            f"{r.name:28} {r.bytes:>8,} {r.median_ms:>10.2f} {r.requests_per_second:>10.1f} "
            f"{ratio:>9.1%} {r.errors:>7}"
        )
    print(
        f"\nLoad: {results[0].tool}, best of {args.rounds} alternating runs; "
        f"gunicorn 2 workers per row on 127.0.0.1; {os.cpu_count()} CPUs"
    )

    ours, stock = render["article"], render["stock"]
    time_ratio = ours["median_ms"] / stock["median_ms"]
    print("\nUncached render, in process (Django test client, page cache off):")
    print(f"{'':28} {'queries':>8} {'median ms':>10}")
    print(f"{'Stock Wagtail, same body':28} {stock['queries']:>8} {stock['median_ms']:>10.2f}")
    print(f"{'Wagtail page (50 blocks)':28} {ours['queries']:>8} {ours['median_ms']:>10.2f}")
    print(
        f"Ours / stock: time ratio {time_ratio:.2f} (target <= 1.0), "
        f"queries {ours['queries']} vs {stock['queries']} (target <= stock + 2)"
    )

    output = RESULTS / "page_render.json"
    output.write_text(
        json.dumps(
            {
                "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "database": args.database_url.split("://")[0],
                "cpus": os.cpu_count(),
                "workers": 2,
                "rounds": args.rounds,
                "body_blocks": BODY_BLOCKS,
                "uncached_render": {**render, "time_ratio": time_ratio},
                "results": [
                    {
                        **asdict(r),
                        "ratio_to_static": r.requests_per_second / baseline.requests_per_second,
                        "runs_requests_per_second": [run["requests_per_second"] for run in runs[r.name]],
                    }
                    for r in results
                ],
            },
            indent=2,
        )
        + "\n"
    )
    print(f"Wrote {output.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if sys.argv[1:] == ["--build-article"]:
        build_article()
    elif sys.argv[1:2] == ["--measure-render"]:
        measure_render(json.loads(sys.argv[2]))
    else:
        main()
