"""The client address behind a trusted proxy: only the host's own proxies are believed.

Each app keeps its own resolver (they never import each other): both run against one table.
"""

import pytest
from django.core.checks import Error
from django.test import RequestFactory

from lead_forms.submissions import client_ip as lead_forms_client_ip
from treatment_pages.ratings import client_ip as treatment_pages_client_ip

RESOLVERS = pytest.mark.parametrize(
    "resolver", [lead_forms_client_ip, treatment_pages_client_ip], ids=["lead_forms", "treatment_pages"]
)

# What the audit sent; the appointment and vote limits are tested with them in
# tests/lead_forms/test_rate_limit.py and tests/treatment_pages/test_api.py.
BAD_FORWARDED_FOR = ["garbage", "1.1.1.1, 999.1.1.1", "1.1.1.1, ", "::zz", "1.1.1.1,  ,", "\u00e9t\u00e9"]

PROXIES = ["10.0.0.0/8", "192.0.2.10/32", "2001:db8:ffff::/48"]
PROXY = "192.0.2.10"  # the load balancer the app server sees
INNER_PROXY = "10.1.2.3"  # e.g. a CDN edge or Varnish in front of the load balancer


@RESOLVERS
@pytest.mark.parametrize(
    ("remote_addr", "forwarded", "expected"),
    [
        # One trusted proxy: it appended the client's address.
        (PROXY, "203.0.113.7", "203.0.113.7"),
        (PROXY, " 2001:db8::1 ", "2001:db8::1"),
        # What the client wrote itself (left of the proxy's entry) is never believed.
        (PROXY, "198.51.100.1, 203.0.113.7", "203.0.113.7"),
        # Two trusted proxies: walked past both to the first address that is not ours.
        (PROXY, f"198.51.100.1, 203.0.113.7, {INNER_PROXY}", "203.0.113.7"),
        ("10.9.9.9", f"203.0.113.7, {INNER_PROXY}", "203.0.113.7"),
        (PROXY, "203.0.113.7, 2001:db8:ffff::5", "203.0.113.7"),
        # Only proxies in the header: the furthest one is all we know.
        (PROXY, f"{INNER_PROXY}", INNER_PROXY),
        # An IPv4-mapped IPv6 connection from a proxy is that proxy.
        (f"::ffff:{PROXY}", "203.0.113.7", "203.0.113.7"),
        # Straight to the app server: the header is ignored, whatever it says (M7).
        ("198.51.100.66", "203.0.113.7", "198.51.100.66"),
        ("198.51.100.66", f"203.0.113.7, {PROXY}", "198.51.100.66"),
        ("2001:db8:1::66", "203.0.113.7", "2001:db8:1::66"),
        # Nonsense ends the walk at the last trusted hop.
        (PROXY, "", PROXY),
        *((PROXY, bad, PROXY) for bad in BAD_FORWARDED_FOR),
        (PROXY, f"garbage, {INNER_PROXY}", INNER_PROXY),
        (PROXY, f"203.0.113.7, garbage, {INNER_PROXY}", INNER_PROXY),
    ],
)
def test_client_ip_is_the_first_address_past_the_trusted_proxies(
    settings, resolver, remote_addr, forwarded, expected
):
    settings.TRUSTED_PROXIES = PROXIES
    request = RequestFactory().get("/", REMOTE_ADDR=remote_addr, HTTP_X_FORWARDED_FOR=forwarded)

    assert resolver.get_client_ip(request) == expected


@RESOLVERS
def test_trusted_proxies_may_be_one_comma_separated_string(settings, resolver):
    settings.TRUSTED_PROXIES = "10.0.0.0/8, 192.0.2.10/32"
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"203.0.113.7, {INNER_PROXY}")

    assert resolver.get_client_ip(request) == "203.0.113.7"


@RESOLVERS
@pytest.mark.parametrize("proxies", [None, [], ""])
def test_without_trusted_proxies_the_connection_address_counts_whatever_the_header_says(
    settings, resolver, proxies
):
    settings.TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="203.0.113.7")

    assert resolver.get_client_ip(request) == "192.0.2.10"


@RESOLVERS
def test_a_proxy_count_alone_trusts_nobody_and_the_check_says_what_to_set(settings, resolver):
    del settings.TRUSTED_PROXIES
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="203.0.113.7")

    assert resolver.get_client_ip(request) == "192.0.2.10"
    errors = resolver.check_trusted_proxies(None)
    assert [error.id for error in errors] == [f"{resolver.CHECK_PREFIX}.E021"]
    assert "TRUSTED_PROXIES" in errors[0].hint


@RESOLVERS
def test_an_entry_that_is_not_a_network_is_named_by_the_check_and_skipped_by_requests(settings, resolver):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "proxy.internal", "10.0.0.0/33"]
    request = RequestFactory().get("/", REMOTE_ADDR=INNER_PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7")

    errors = resolver.check_trusted_proxies(None)

    assert all(isinstance(error, Error) for error in errors)
    assert ["proxy.internal" in errors[0].msg, "10.0.0.0/33" in errors[1].msg] == [True, True]
    assert resolver.get_client_ip(request) == "203.0.113.7"
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert resolver.check_trusted_proxies(None) == []


@RESOLVERS
def test_a_hosts_own_ratelimit_resolver_is_followed_and_checked(settings, resolver):
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_REAL_IP"
    factory = RequestFactory()

    real = factory.get("/", REMOTE_ADDR="192.0.2.10", HTTP_X_REAL_IP="203.0.113.7")
    nonsense = factory.get("/", REMOTE_ADDR="192.0.2.10", HTTP_X_REAL_IP="garbage")

    assert resolver.get_client_ip(real) == "203.0.113.7"
    assert resolver.get_client_ip(nonsense) == "192.0.2.10"


@RESOLVERS
def test_an_ipv6_client_is_counted_by_its_network_like_django_ratelimit_does(settings, resolver):
    settings.TRUSTED_PROXIES = PROXIES
    factory = RequestFactory()
    one = factory.get("/", REMOTE_ADDR="2001:db8:0:1::7")
    neighbour = factory.get("/", REMOTE_ADDR="2001:db8:0:1:ffff::9")
    forwarded = factory.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="2001:db8:0:1:abcd::1")
    other_network = factory.get("/", REMOTE_ADDR="2001:db8:0:2::7")

    key = resolver.rate_limit_key("group", one)

    assert key == resolver.rate_limit_key("group", neighbour) == "2001:db8:0:1::"
    assert resolver.address_for_limits(forwarded) == key
    assert key != resolver.rate_limit_key("group", other_network)
    assert resolver.rate_limit_key("group", factory.get("/", REMOTE_ADDR="203.0.113.7")) == "203.0.113.7"
