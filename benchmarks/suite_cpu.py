"""The test suite's CPU time, Chromium's included, per run and per test.

``/usr/bin/time`` and ``resource.getrusage(RUSAGE_CHILDREN)`` miss most of what the browser
tests cost: Chromium's renderer processes end without their CPU time reaching any process the
suite waits for. This pytest plugin polls every process below the pytest process it runs in
(xdist workers, the migrated template's builder, Chromium and its renderers, LibreOffice,
``manage.py`` subprocesses) five times a second and adds up the CPU time each one reached.

Run a suite with it, then print the table (sums are taken over the top-level pytest
processes, so an xdist controller's figure already holds its workers')::

    SUITE_CPU_DIR=/tmp/suite-cpu .venv/bin/python -m pytest -n auto --dist worksteal -p benchmarks.suite_cpu
    SUITE_CPU_DIR=/tmp/suite-cpu .venv/bin/python -m pytest tests/apps --ds=tests.apps.settings -p benchmarks.suite_cpu
    .venv/bin/python -m benchmarks.suite_cpu /tmp/suite-cpu

A process that lives less than a poll's interval is missed (few do: each ``manage.py`` or
LibreOffice run lasts a second or more). Under load every figure grows: two busy processes
on one core each run slower.
"""

import json
import os
import sys
import threading
import time
from pathlib import Path

import pytest

POLL_SECONDS = 0.2
TICKS = os.sysconf("SC_CLK_TCK")


class ProcessTreeCpu:
    """The CPU seconds reached by this process and every descendant seen so far."""

    def __init__(self):
        self.root = os.getpid()
        self.reached = {}  # (pid, start time) -> CPU ticks
        self.lock = threading.Lock()

    def poll(self):
        children, cpu = {}, {}
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            try:
                stat = Path(f"/proc/{name}/stat").read_text()
            except OSError:
                continue  # ended since the listing
            fields = stat[stat.rfind(")") + 2 :].split()
            pid = int(name)
            children.setdefault(int(fields[1]), []).append(pid)
            # utime + stime, and the start time that tells a reused pid apart.
            cpu[pid] = (int(fields[11]) + int(fields[12]), fields[19])
        with self.lock:
            stack = [self.root]
            while stack:
                pid = stack.pop()
                if pid in cpu:
                    ticks, started = cpu[pid]
                    key = (pid, started)
                    self.reached[key] = max(self.reached.get(key, 0), ticks)
                stack.extend(children.get(pid, []))
            return sum(self.reached.values()) / TICKS

    def poll_in_background(self):
        def loop():
            while True:
                self.poll()
                time.sleep(POLL_SECONDS)

        threading.Thread(target=loop, daemon=True, name="suite-cpu").start()


TREE = None
TESTS = []
STARTED = None


def pytest_configure(config):
    global TREE, STARTED
    TREE = ProcessTreeCpu()
    TREE.poll_in_background()
    STARTED = time.monotonic()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    cpu, wall = TREE.poll(), time.monotonic()
    yield
    TESTS.append({"test": item.nodeid, "cpu": TREE.poll() - cpu, "wall": time.monotonic() - wall})


def pytest_unconfigure(config):
    folder = os.environ.get("SUITE_CPU_DIR")
    if not folder or TREE is None:
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    record = {
        "process": worker or f"pytest-{os.getpid()}",
        "top_level": worker is None,
        "args": config.invocation_params.args,
        "cpu": TREE.poll(),
        "wall": time.monotonic() - STARTED,
        "tests": TESTS,
    }
    Path(folder).mkdir(parents=True, exist_ok=True)
    (Path(folder) / f"{record['process']}-{os.getpid()}.json").write_text(json.dumps(record))


def print_table(folder, top=25):
    records = [json.loads(path.read_text()) for path in sorted(Path(folder).glob("*.json"))]
    print(f"{'run':<60} {'CPU s':>8} {'wall s':>8}")
    for record in records:
        if record["top_level"]:
            print(f"{' '.join(record['args'])[:60]:<60} {record['cpu']:8.1f} {record['wall']:8.1f}")
    print(f"{'total':<60} {sum(r['cpu'] for r in records if r['top_level']):8.1f}")
    tests = sorted((test for record in records for test in record["tests"]), key=lambda test: -test["cpu"])
    print(f"\n{'test (costliest first)':<100} {'CPU s':>7} {'wall s':>7}")
    for test in tests[:top]:
        print(f"{test['test'][-100:]:<100} {test['cpu']:7.2f} {test['wall']:7.2f}")


if __name__ == "__main__":
    print_table(sys.argv[1], *(int(arg) for arg in sys.argv[2:3]))
