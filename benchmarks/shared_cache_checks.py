"""Checks run by benchmarks/shared_cache.sh against Varnish in front of the site.

    python benchmarks/shared_cache_checks.py http://127.0.0.1:8880 [--duration 5]

Prints PASS/FAIL per check and the requests per second for the article and for a static
file of the same bytes, both through the same Varnish; exits 1 if a check failed.
Talks to Varnish only over HTTP, as readers and editors would; publishing runs
``manage.py shell`` as an editor's publish does (the purge reaches Varnish through
Wagtail's frontend cache and the task worker).
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from scale_out_checks import ADMIN_PASSWORD, ADMIN_USERNAME, PUBLIC_HOST, BalancedClient, csrf_token

ARTICLE_PATH = "/treatments/mesotherapy/"
STATIC_PATH = "/static/benchmark/shared_cache.html"
PURGE_WAIT_SECONDS = 10


class Checks:
    def __init__(self, base, duration):
        self.base, self.duration = base, duration
        self.failed = False
        self.figures = {}

    def check(self, name, ok, detail):
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}", flush=True)
        self.failed |= not ok

    def get(self, client, path, **kwargs):
        return client.request("GET", self.base + path, **kwargs)

    def wait_for(self, client, path, predicate):
        """Poll until ``predicate(response)``; returns (response, seconds waited)."""
        started = time.monotonic()
        while True:
            response = self.get(client, path)
            if predicate(response) or time.monotonic() - started > PURGE_WAIT_SECONDS:
                return response, time.monotonic() - started
            time.sleep(0.05)

    def anonymous_article_is_a_hit(self):
        reader, other = BalancedClient("198.51.100.30"), BalancedClient("198.51.100.31")
        other.cookies["csrftoken"] = "a" * 32  # cookies other than a session do not matter
        self.get(reader, ARTICLE_PATH)
        first = self.get(reader, ARTICLE_PATH)
        second = self.get(other, ARTICLE_PATH)
        self.check(
            "anonymous article is a Varnish HIT",
            first.headers.get("X-Cache") == "HIT"
            and second.headers.get("X-Cache") == "HIT"
            and first.content == second.content
            and "Set-Cookie" not in first.headers,
            f"X-Cache {first.headers.get('X-Cache')}/{second.headers.get('X-Cache')}, "
            f"Cache-Control {first.headers.get('Cache-Control')!r}, Surrogate-Key {first.headers.get('Surrogate-Key')!r}",
        )

    def publish_purges(self):
        reader = BalancedClient("198.51.100.32")
        self.get(reader, ARTICLE_PATH)
        before = self.get(reader, ARTICLE_PATH).headers.get("X-Cache")
        intro = f"Mesotherapy, reviewed at {time.strftime('%H:%M:%S')}."
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                "from treatment_pages.models import TreatmentPage\n"
                "page = TreatmentPage.objects.get(slug='mesotherapy')\n"
                f"page.intro = {intro!r}\n"
                "page.save_revision().publish()\n",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        after, waited = self.wait_for(reader, ARTICLE_PATH, lambda r: intro in r.text)
        self.check(
            "publish purges the article",
            before == "HIT" and intro in after.text and after.headers.get("X-Cache") == "MISS",
            f"before {before}; after publish {after.headers.get('X-Cache')} with the new intro "
            f"{intro in after.text} ({waited:.2f}s for the purge task)",
        )

    def vote_shows_after_purge(self):
        voter, onlooker = BalancedClient("203.0.113.40"), BalancedClient("203.0.113.41")
        article = self.get(voter, ARTICLE_PATH)
        self.get(onlooker, ARTICLE_PATH)
        page_id = re.search(r'action="/ratings/(\d+)/vote/"', article.text).group(1)
        before_summary = re.search(r"data-rating-text[^>]*>([^<]*)<", article.text).group(1).strip()
        vote = voter.request(
            "POST",
            f"{self.base}/ratings/{page_id}/vote/",
            data={"score": "2", "next": ARTICLE_PATH},
            headers={"Origin": f"https://{PUBLIC_HOST}", "Sec-Fetch-Site": "same-origin"},
        )
        after, waited = self.wait_for(
            onlooker, ARTICLE_PATH, lambda r: before_summary not in r.text and "out of 5" in r.text
        )
        state = self.get(voter, f"/ratings/{page_id}/", headers={"Accept": "application/json"})
        own = state.json().get("your_score") if state.status_code == 200 else None
        summary = re.search(r"data-rating-text[^>]*>([^<]*)<", after.text).group(1).strip()
        self.check(
            "a vote shows in the summary after purge; the voter sees their own score",
            vote.status_code == 302
            and summary != before_summary
            and own == 2
            and "no-store" in state.headers.get("Cache-Control", ""),
            f"vote {vote.status_code}; summary {before_summary!r} -> {summary!r} after {waited:.2f}s; "
            f"state endpoint your_score={own}, X-Cache {state.headers.get('X-Cache')}",
        )

    def editor_never_gets_a_cached_page(self):
        editor = BalancedClient("198.51.100.50")
        login_page = self.get(editor, "/admin/login/")
        answer = editor.request(
            "POST",
            self.base + "/admin/login/",
            data={
                "csrfmiddlewaretoken": csrf_token(login_page.text),
                "username": ADMIN_USERNAME,
                "password": ADMIN_PASSWORD,
            },
            headers={"Referer": f"https://{PUBLIC_HOST}/admin/login/"},
        )
        seen = [self.get(editor, ARTICLE_PATH) for _ in range(3)]
        anonymous = self.get(BalancedClient("198.51.100.51"), ARTICLE_PATH)
        self.check(
            "an editor with a session never gets a cached page",
            answer.status_code == 302
            and all(r.headers.get("X-Cache") == "PASS" and "wagtail-userbar" in r.text for r in seen)
            and "wagtail-userbar" not in anonymous.text,
            f"login {answer.status_code}; editor X-Cache {[r.headers.get('X-Cache') for r in seen]}, "
            f"Cache-Control {seen[0].headers.get('Cache-Control')!r}; anonymous copy without the user bar "
            f"{'wagtail-userbar' not in anonymous.text}",
        )

    def purges_need_the_token(self):
        """Loopback passes the address ACL (as every reader behind a same-host TLS proxy does):
        without the token a PURGE or BAN is refused and the cached article stays a HIT."""
        reader = BalancedClient("198.51.100.40")
        self.get(reader, ARTICLE_PATH)
        answers = [
            reader.request(method, self.base + ARTICLE_PATH, headers=headers).status_code
            for method, headers in (
                ("PURGE", {}),
                ("PURGE", {"X-Purge-Token": "guess"}),
                ("PURGE", {"X-Purge-Token": ""}),
                ("BAN", {}),
            )
        ]
        after = self.get(reader, ARTICLE_PATH)
        self.check(
            "PURGE and BAN without the token are refused",
            answers == [403] * 4 and after.headers.get("X-Cache") == "HIT",
            f"answers {answers}; article afterwards X-Cache {after.headers.get('X-Cache')}",
        )

    def host_is_normalised(self):
        """A port, letter case or a trailing dot in Host is the same cache entry, not a new copy."""
        reader = BalancedClient("198.51.100.41")
        self.get(reader, ARTICLE_PATH)
        spellings = ["clinic.example:8080", "CLINIC.Example", "clinic.example.:443"]
        seen = [self.get(reader, ARTICLE_PATH, headers={"Host": host}) for host in spellings]
        self.check(
            "Host spellings share one cache entry",
            all(
                response.status_code == 200 and response.headers.get("X-Cache") == "HIT" for response in seen
            ),
            ", ".join(
                f"{host}: {response.status_code} {response.headers.get('X-Cache')}"
                for host, response in zip(spellings, seen, strict=True)
            ),
        )

    def wrk(self, path, connections):
        output = subprocess.run(
            [
                "wrk",
                "--threads=1",
                f"--connections={connections}",
                f"--duration={self.duration}s",
                "--timeout=10s",
                "-H",
                f"Host: {PUBLIC_HOST}",
                "-H",
                "X-Forwarded-Proto: https",
                self.base + path,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
        return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)), int(
            non_2xx.group(1)
        ) if non_2xx else 0

    def throughput(self, rounds=3, connections=4):
        """The article and the static file loaded at the same time, in paired runs.

        The machine is shared: one target's runs measured one after the other moved from
        25,500 to 33,100 req/s within a minute, and the ratio from 76% to 110% between
        rounds. Loaded together, both meet the same moment, and each closed-loop client
        completes requests in inverse proportion to what its requests cost Varnish.
        """
        targets = (("article", ARTICLE_PATH), ("static file", STATIC_PATH))
        for _name, path in targets:
            for _ in range(3):  # warm: Varnish holds it
                self.get(BalancedClient(), path)
        pairs, errors = [], 0
        with ThreadPoolExecutor(len(targets)) as pool:
            for _ in range(rounds):
                results = list(pool.map(lambda target: self.wrk(target[1], connections), targets))
                pairs.append([rate for rate, _failed in results])
                errors += sum(failed for _rate, failed in results)
        for number, (article, static) in enumerate(pairs, 1):
            print(
                f"      run {number}: article {article:>8.0f} req/s, static file {static:>8.0f} req/s "
                f"({article / static:.0%})"
            )
        ratio = statistics.median(article / static for article, static in pairs)
        rates = {
            "article": statistics.median(pair[0] for pair in pairs),
            "static file": statistics.median(pair[1] for pair in pairs),
        }
        self.figures = {**rates, "ratio": ratio}
        self.check("every request of the throughput runs answered 2xx", errors == 0, f"{errors} errors")
        # A measurement, not a pass/fail check: CI reports it and never gates on it.
        print(
            f"MEASURE  article through Varnish: {ratio:.0%} of the static file's req/s "
            f"(target >= 90%: {'met' if ratio >= 0.9 else 'not met this run'}; median of {rounds} paired "
            f"{self.duration}s runs, both loaded at once by wrk with {connections} connections each; "
            f"{os.cpu_count()} CPUs shared)",
            flush=True,
        )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("--duration", type=int, default=5)
    args = parser.parse_args()
    checks = Checks(args.base.rstrip("/"), args.duration)
    for check in (
        checks.anonymous_article_is_a_hit,
        checks.publish_purges,
        checks.vote_shows_after_purge,
        checks.editor_never_gets_a_cached_page,
        checks.purges_need_the_token,
        checks.host_is_normalised,
        checks.throughput,
    ):
        try:
            check()
        except Exception as exc:  # one broken check must not hide the others
            checks.check(check.__name__, False, f"raised {exc!r}")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
