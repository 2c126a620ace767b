"""Settings that depend on the environment, checked by loading them in a fresh process."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# Only the settings and the storage are read: no django.setup(), which would import every app.
SHOW_SETTINGS = """
import json
from django.conf import settings
from django.core.files.storage import storages
default_storage = storages["default"]
print(json.dumps({
    "storage": type(default_storage).__module__ + "." + type(default_storage).__name__,
    "bucket": getattr(default_storage, "bucket_name", None),
    "endpoint": getattr(default_storage, "endpoint_url", None),
    "custom_domain": getattr(default_storage, "custom_domain", None),
    "querystring_auth": getattr(default_storage, "querystring_auth", None),
    "img_src": settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"],
    "session_engine": settings.SESSION_ENGINE,
    "url": default_storage.url("original_images/photo.jpg"),
}))
"""


def load_settings(**environ):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("AWS_") and key not in {"REDIS_URL", "DATABASE_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="cms_site.settings.production",
        SECRET_KEY="settings-test-key",
        ALLOWED_HOSTS="clinic.example",
        LEAD_FORMS_ENCRYPTION_KEYS="2PpMYQ9Rsa8C8ALmnQbXzZVvzPI4KpkoN8l1K1AGRBs=",
        LEAD_FORMS_SEARCH_KEY="oQSDmlHcZ4yINc4Ci96MBBLBWPFdJ0l2DLbvUBQ0Ic8=",
        **environ,
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", SHOW_SETTINGS],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_media_is_stored_in_local_files_without_a_bucket():
    loaded = load_settings()

    assert loaded["storage"] == "django.core.files.storage.filesystem.FileSystemStorage"
    assert loaded["url"] == "/media/original_images/photo.jpg"
    assert loaded["img_src"] == ["'self'", "data:"]


def test_media_goes_to_s3_compatible_storage_when_a_bucket_is_configured():
    loaded = load_settings(
        AWS_STORAGE_BUCKET_NAME="clinic-media",
        AWS_S3_ENDPOINT_URL="https://objects.example.net",
        AWS_S3_REGION_NAME="eu-west-1",
        AWS_ACCESS_KEY_ID="key-id",
        AWS_SECRET_ACCESS_KEY="secret",
    )

    assert loaded["storage"] == "storages.backends.s3.S3Storage"
    assert loaded["bucket"] == "clinic-media"
    assert loaded["endpoint"] == "https://objects.example.net"
    # Without a public custom domain, files are private and served by signed URLs.
    assert loaded["querystring_auth"] is True
    assert loaded["url"].startswith("https://objects.example.net/clinic-media/original_images/photo.jpg?")
    assert "https://objects.example.net" in loaded["img_src"]


def test_a_custom_domain_serves_public_media_urls_and_is_allowed_by_the_csp():
    loaded = load_settings(
        AWS_STORAGE_BUCKET_NAME="clinic-media", AWS_S3_CUSTOM_DOMAIN="media.clinic.example"
    )

    assert loaded["custom_domain"] == "media.clinic.example"
    assert loaded["url"] == "https://media.clinic.example/original_images/photo.jpg"
    assert "https://media.clinic.example" in loaded["img_src"]


@pytest.mark.parametrize(
    ("redis_url", "engine"),
    [
        ("", "cms_site.sessions.db"),
        ("redis://127.0.0.1:6379/9", "cms_site.sessions.cached_db"),
    ],
)
def test_sessions_use_the_shared_cache_when_redis_is_configured(redis_url, engine):
    assert load_settings(REDIS_URL=redis_url)["session_engine"] == engine
