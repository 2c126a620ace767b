"""The client's IP address, as rate limits must see it.

``X-Forwarded-For`` is set by whoever sends the request, so it is only believed
for the hops our own proxies added: with ``TRUSTED_PROXY_COUNT = N`` the client is
the N-th address from the right; with 0 (the default, no proxy) it is REMOTE_ADDR.

Whatever the header holds, the answer is an IP address: an entry that is not one
(``garbage``, ``999.1.1.1``, an empty hop) is never handed to a rate limit, which
would fail on it; the connection's own address is used instead. So a client cannot
slip past the limits, nor make them error, by writing nonsense into the header.

The one public function is :func:`get_client_ip`; django-ratelimit calls it through
``RATELIMIT_IP_META_KEY``, and the apps read it through that setting too.
"""

import ipaddress

from django.conf import settings


def _ip_or_none(value):
    """``value`` as a normalised IP address string, or None when it is not one."""
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def get_client_ip(request):
    """The client's IP address: the trusted proxies' entry in ``X-Forwarded-For``, else REMOTE_ADDR."""
    remote_addr = request.META.get("REMOTE_ADDR", "")
    trusted_proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if trusted_proxies <= 0:
        return remote_addr
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not header.strip():
        return remote_addr
    # Blank entries are kept: skipping one would shift the count onto an entry the client wrote.
    forwarded = header.split(",")
    # Each trusted proxy appended the address it received the request from; with fewer
    # entries than proxies the leftmost is the furthest the chain reaches.
    candidate = forwarded[-trusted_proxies] if len(forwarded) >= trusted_proxies else forwarded[0]
    return _ip_or_none(candidate) or remote_addr
