"""Security headers, the admin's own CSP and shorter sessions, /healthz, request ids and logs."""

import json
import logging
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.db import OperationalError, connections
from django.utils import timezone

from cms_site.request_logging import JsonFormatter
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def csp_directives(response):
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


# Public pages


def test_article_has_a_strict_content_security_policy(client, mesotherapy):
    directives = csp_directives(client.get(mesotherapy.url))

    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]  # no inline script, no nonce used
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in " ".join(sum(directives.values(), []))


def test_public_pages_send_the_security_headers(client, mesotherapy, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000  # base settings; test settings turn it off

    response = client.get(mesotherapy.url, secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_a_page_shared_caches_keep_carries_hsts_and_its_policy(client, mesotherapy, settings):
    # What Varnish or a CDN stores is replayed with the headers it was stored with.
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.PAGE_CACHE_SECONDS = 600
    settings.WAGTAILFRONTENDCACHE = {
        "varnish": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": "http://127.0.0.1:9",
        }
    }

    response = client.get(mesotherapy.url, secure=True)

    assert response["Cache-Control"].startswith("public")
    assert "max-age=31536000" in response["Strict-Transport-Security"]
    assert "Content-Security-Policy" in response


def test_production_settings_redirect_http_to_https(client, mesotherapy, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get(mesotherapy.url)

    assert response.status_code == 301
    assert response["Location"].startswith("https://")


# Admin


def test_admin_has_its_own_policy_allowing_inline_code_but_not_framing_by_others(client, demo_site):
    directives = csp_directives(client.get("/admin/login/"))

    assert "'unsafe-inline'" in directives["script-src"]
    assert "'unsafe-inline'" in directives["style-src"]
    assert directives["frame-ancestors"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]


def login(client, username, remember):
    data = {"username": username, "password": "a-long-test-password"}
    if remember:
        data["remember"] = "on"
    response = client.post("/admin/login/", data)
    assert response.status_code == 302, response.status_code
    return response


def server_side_expiry(client):
    """When the stored session stops being valid, as the session engine itself records it."""
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.cookies["sessionid"].value).expire_date


def test_admin_login_without_remember_me_ends_with_the_browser_and_is_capped_on_the_server(
    client, demo_site, settings
):
    settings.ADMIN_SESSION_COOKIE_AGE = 3600
    UserFactory(username="editor", is_superuser=True, is_staff=True)

    before = timezone.now()
    response = login(client, "editor", remember=False)

    cookie = response.cookies["sessionid"]
    # A browser-session cookie: no Expires, no Max-Age.
    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""
    # ...while the session itself expires after the admin age, not Django's two weeks.
    assert client.session.get_expire_at_browser_close()
    assert client.session.get_expiry_age() == 3600
    expiry = server_side_expiry(client)
    assert before + timedelta(seconds=3590) <= expiry <= timezone.now() + timedelta(seconds=3600)


def test_admin_login_with_remember_me_gets_a_persistent_cookie_of_the_capped_age(client, demo_site, settings):
    settings.ADMIN_SESSION_COOKIE_AGE = 3600
    UserFactory(username="editor", is_superuser=True, is_staff=True)

    before = timezone.now()
    response = login(client, "editor", remember=True)

    assert response.cookies["sessionid"]["max-age"] == 3600
    assert not client.session.get_expire_at_browser_close()
    assert client.session.get_expiry_age() == 3600
    assert server_side_expiry(client) <= before + timedelta(seconds=3600 + 5)


def test_users_without_admin_access_keep_the_normal_session_age(client, demo_site, settings):
    user = UserFactory(username="reader")
    assert not user.has_perm("wagtailadmin.access_admin")

    client.post("/admin/login/", {"username": "reader", "password": "a-long-test-password"})

    assert client.session.get("_auth_user_id") == str(user.pk)
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_editors_with_admin_access_get_the_admin_session_age(client, demo_site, settings):
    user = UserFactory(username="editor2")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))

    client.post("/admin/login/", {"username": "editor2", "password": "a-long-test-password"})

    assert client.session.get_expiry_age() == settings.ADMIN_SESSION_COOKIE_AGE


# /healthz


def test_healthz_reports_database_and_cache_ok(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}
    assert "no-store" in response["Cache-Control"]


def test_healthz_answers_503_naming_the_database_when_it_is_unreachable(client, db):
    with mock.patch.object(
        connections["default"], "cursor", side_effect=OperationalError("connection refused")
    ):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["database"]
    assert response.json()["checks"] == {"database": "unavailable", "cache": "ok"}


def test_healthz_answers_503_naming_the_cache_when_it_is_unreachable(client, db):
    with mock.patch("cms_site.health.cache.set", side_effect=ConnectionError("redis is down")):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["cache"]


def test_healthz_works_over_http_for_any_host_a_load_balancer_uses(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/healthz", HTTP_HOST="10.0.3.17:8000")

    assert response.status_code == 200


# Request ids and logs


def test_every_response_carries_a_request_id(client, mesotherapy):
    first = client.get(mesotherapy.url)
    second = client.get("/healthz")

    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_request_id_from_a_trusted_proxy_is_kept_untrusted_or_malformed_ones_are_replaced(
    client, demo_site, settings
):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-1234")["X-Request-ID"] != "lb-1234"

    settings.TRUST_REQUEST_ID_HEADER = True
    trusting_client = type(client)()
    assert trusting_client.get("/healthz", HTTP_X_REQUEST_ID="lb-1234")["X-Request-ID"] == "lb-1234"
    forged = trusting_client.get("/healthz", HTTP_X_REQUEST_ID='x"\n{"level": "ERROR"}')
    assert forged["X-Request-ID"] != 'x"\n{"level": "ERROR"}'


def test_access_log_is_a_json_line_with_path_but_no_query_string_or_posted_values(
    client, mesotherapy, caplog
):
    caplog.set_level(logging.INFO, logger="cms_site.access")

    response = client.post(
        mesotherapy.url + "?email=patient%40example.com",
        {"first_name": "Jane", "phone": "555-0100"},
    )

    lines = [JsonFormatter().format(record) for record in caplog.records if record.name == "cms_site.access"]
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["path"] == mesotherapy.url
    assert entry["method"] == "POST"
    assert entry["status"] == response.status_code
    assert entry["request_id"] == response["X-Request-ID"]
    assert "patient" not in lines[0] and "Jane" not in lines[0] and "555-0100" not in lines[0]


def test_log_lines_written_during_a_request_carry_its_id(client, mesotherapy, caplog):
    caplog.set_level(logging.INFO)

    response = client.get(mesotherapy.url)

    ids = {
        getattr(record, "request_id", None) for record in caplog.records if record.name == "cms_site.access"
    }
    assert ids == {response["X-Request-ID"]}
