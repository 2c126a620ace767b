"""Each process's copies of Redis page-cache entries (cms_site.page_cache.LocalCopies).

Runs where Redis is (the PostgreSQL + Redis pass): the copies exist only in front of Redis.
Another process is played by publishing on the purge channel, as its purge_paths does.
"""

import json
import time
import uuid

import pytest
import redis
from django.conf import settings as django_settings

from cms_site import page_cache

pytestmark = pytest.mark.skipif(
    "not __import__('django.conf').conf.settings.REDIS_URL", reason="copies are kept only in front of Redis"
)


@pytest.fixture
def redis_pages(settings, monkeypatch):
    """The page cache in Redis (a key prefix of its own), with this test's own copies."""
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "cms_site.cache.RedisCache",
            "LOCATION": django_settings.REDIS_URL,
            "KEY_PREFIX": f"copies-{uuid.uuid4().hex}",
        },
    }
    settings.PAGE_CACHE_ALIAS = "pages"
    settings.PAGE_CACHE_SECONDS = 600
    settings.PAGE_CACHE_LOCAL_BYTES = 1024 * 1024
    copies = page_cache.LocalCopies()
    monkeypatch.setattr(page_cache, "local_copies", copies)
    copies.ensure_listening()
    wait_until(lambda: copies.subscribed)
    yield copies
    copies.stop()
    page_cache._cache().clear()


def wait_until(condition, seconds=5):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def redis_down(*args, **kwargs):
    raise redis.ConnectionError("Redis is not answering")


def test_a_page_found_in_redis_is_then_answered_from_the_process(
    client, mesotherapy, redis_pages, monkeypatch
):
    assert client.get(mesotherapy.url)["X-Cache"] == "MISS"
    assert client.get(mesotherapy.url)["X-Cache"] == "HIT"  # from Redis, and kept

    # Redis is not asked again.
    monkeypatch.setattr(type(page_cache._cache()), "get_many", redis_down)
    third = client.get(mesotherapy.url)
    assert third["X-Cache"] == "HIT"
    assert third.content == client.get(mesotherapy.url).content


def test_a_purge_in_another_process_drops_the_copy_here(client, mesotherapy, redis_pages):
    client.get(mesotherapy.url)
    client.get(mesotherapy.url)
    entry_key = page_cache.entry_key("testserver", mesotherapy.url)
    assert redis_pages.get(entry_key) is not None

    # What purge_paths does in another process: a new version, then the message.
    cache, version_key = page_cache._cache(), page_cache.version_key(mesotherapy.url)
    cache.incr(version_key)
    redis.Redis.from_url(django_settings.REDIS_URL).publish(redis_pages.channel(), json.dumps([version_key]))

    wait_until(lambda: redis_pages.get(entry_key) is None, seconds=2)
    assert client.get(mesotherapy.url)["X-Cache"] == "MISS"


def test_a_purge_here_drops_the_copy_at_once(client, mesotherapy, redis_pages):
    client.get(mesotherapy.url)
    client.get(mesotherapy.url)

    page_cache.purge_paths([mesotherapy.url])

    assert client.get(mesotherapy.url)["X-Cache"] == "MISS"


def test_no_copy_is_served_while_purges_are_not_heard(client, mesotherapy, redis_pages, monkeypatch):
    client.get(mesotherapy.url)
    client.get(mesotherapy.url)

    redis_pages.subscribed = False  # the listening thread lost Redis
    monkeypatch.setattr(type(page_cache._cache()), "get_many", redis_down)

    # Rendered (the lookup failed), not answered from the copy.
    response = client.get(mesotherapy.url)
    assert response.status_code == 200
    assert "X-Cache" not in response


def test_an_entry_read_before_a_purge_message_is_not_kept(redis_pages):
    entry = {"version": 1, "expires": time.time() + 60, "status": 200, "headers": [], "body": b"old"}
    generation = redis_pages.generation
    redis_pages.drop(["pagecache:version:other"])  # a purge message arrives meanwhile

    redis_pages.keep("entry", "pagecache:version:page", entry, generation)

    assert redis_pages.get("entry") is None


def test_copies_are_bounded_in_bytes_and_in_time(redis_pages, settings):
    settings.PAGE_CACHE_LOCAL_BYTES = 100_000
    now = time.time()
    for name in ("first", "second", "third"):
        entry = {"version": 1, "expires": now + 60, "status": 200, "headers": [], "body": b"x" * 40_000}
        redis_pages.keep(name, f"version-{name}", entry, redis_pages.generation)
    assert redis_pages.get("first") is None  # least recently used, dropped for the third
    assert redis_pages.get("third") is not None
    assert redis_pages.size == 80_000

    stale = {"version": 1, "expires": now - 1, "status": 200, "headers": [], "body": b"y"}
    redis_pages.keep("stale", "version-stale", stale, redis_pages.generation)
    assert redis_pages.get("stale") is None
