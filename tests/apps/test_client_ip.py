"""The client address behind a trusted proxy: nonsense in X-Forwarded-For never gets past a limit.

Each app keeps its own resolver (they never import each other): both run against one table.
"""

import pytest
from django.test import RequestFactory

from lead_forms.submissions import client_ip as lead_forms_client_ip
from treatment_pages.ratings import client_ip as treatment_pages_client_ip

RESOLVERS = pytest.mark.parametrize(
    "resolver", [lead_forms_client_ip, treatment_pages_client_ip], ids=["lead_forms", "treatment_pages"]
)

# What the audit sent; the appointment and vote limits are tested with them in
# tests/lead_forms/test_rate_limit.py and tests/treatment_pages/test_api.py.
BAD_FORWARDED_FOR = ["garbage", "1.1.1.1, 999.1.1.1", "1.1.1.1, ", "::zz", "1.1.1.1,  ,", "\u00e9t\u00e9"]


@RESOLVERS
@pytest.mark.parametrize(
    ("forwarded", "proxies", "expected"),
    [
        ("203.0.113.7", 1, "203.0.113.7"),
        ("198.51.100.1, 203.0.113.7", 1, "203.0.113.7"),
        ("198.51.100.1, 203.0.113.7", 2, "198.51.100.1"),
        (" 2001:db8::1 ", 1, "2001:db8::1"),
        ("garbage", 1, "192.0.2.10"),
        ("1.1.1.1, 999.1.1.1", 1, "192.0.2.10"),
        ("", 1, "192.0.2.10"),
        *((bad, 1, "192.0.2.10") for bad in BAD_FORWARDED_FOR),
        ("203.0.113.7", 0, "192.0.2.10"),
    ],
)
def test_client_ip_is_an_address_from_the_trusted_hop_or_the_connection(
    settings, resolver, forwarded, proxies, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR=forwarded)

    assert resolver.get_client_ip(request) == expected


@RESOLVERS
def test_without_settings_the_connection_address_counts_whatever_the_header_says(settings, resolver):
    del settings.TRUSTED_PROXY_COUNT
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="203.0.113.7")

    assert resolver.get_client_ip(request) == "192.0.2.10"


@RESOLVERS
def test_a_hosts_own_ratelimit_resolver_is_followed_and_checked(settings, resolver):
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_REAL_IP"
    factory = RequestFactory()

    real = factory.get("/", REMOTE_ADDR="192.0.2.10", HTTP_X_REAL_IP="203.0.113.7")
    nonsense = factory.get("/", REMOTE_ADDR="192.0.2.10", HTTP_X_REAL_IP="garbage")

    assert resolver.get_client_ip(real) == "203.0.113.7"
    assert resolver.get_client_ip(nonsense) == "192.0.2.10"


@RESOLVERS
def test_an_ipv6_client_is_counted_by_its_network_like_django_ratelimit_does(resolver):
    factory = RequestFactory()
    one = factory.get("/", REMOTE_ADDR="2001:db8:0:1::7")
    neighbour = factory.get("/", REMOTE_ADDR="2001:db8:0:1:ffff::9")
    other_network = factory.get("/", REMOTE_ADDR="2001:db8:0:2::7")

    key = resolver.rate_limit_key("group", one)

    assert key == resolver.rate_limit_key("group", neighbour) == "2001:db8:0:1::"
    assert key != resolver.rate_limit_key("group", other_network)
