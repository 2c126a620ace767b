"""The client address behind a trusted proxy: nonsense in X-Forwarded-For never gets past a limit."""

import pytest
from django.test import RequestFactory

from cms_site.client_ip import get_client_ip

# What the audit sent; the appointment and vote limits are tested with them in
# tests/lead_forms/test_rate_limit.py and tests/treatment_pages/test_api.py.
BAD_FORWARDED_FOR = ["garbage", "1.1.1.1, 999.1.1.1", "1.1.1.1, ", "::zz", "1.1.1.1,  ,", "\u00e9t\u00e9"]


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
    settings, forwarded, proxies, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR=forwarded)

    assert get_client_ip(request) == expected
