"""The client's IP address, as this app's rate limits count it.

Safe by default in any host: ``X-Forwarded-For`` is written by whoever sends the
request, so it is believed only for the hops the host's own proxies added. With
``TRUSTED_PROXY_COUNT = N`` the client is the N-th address from the right; with 0 (the
default, no proxy) it is ``REMOTE_ADDR``. A host that already tells django-ratelimit
where the address is (``RATELIMIT_IP_META_KEY``: a ``request.META`` key or a function's
dotted path) is followed instead, so the plugin counts clients as the host's own limits do.

Whatever the header holds, the answer is an IP address: an entry that is not one
(``garbage``, ``999.1.1.1``, an empty hop) falls back to the connection's own address,
so a client can neither slip past the limits nor make them fail by writing nonsense.

The rate limits call :func:`rate_limit_key` (django-ratelimit's ``key=``), which masks
IPv6 addresses to their network (``RATELIMIT_IPV6_MASK``, 64 bits) as django-ratelimit's
own ``"ip"`` key does: one IPv6 client holds a whole /64.

The plugin's other app has the same few lines in its own ``client_ip``: the two apps never import each
other and a host may install either alone, and a resolver this small is cheaper to keep
twice (tests/apps/test_client_ip.py runs both against one table) than to ship as a third package.
"""

import ipaddress

from django.conf import settings
from django.utils.module_loading import import_string

from lead_forms.conf import app_settings


def _ip_or_none(value):
    """``value`` as a normalised IP address string, or None when it is not one."""
    try:
        return str(ipaddress.ip_address(str(value).strip()))
    except ValueError:
        return None


def _forwarded_client(request, remote_addr):
    trusted_proxies = int(app_settings.TRUSTED_PROXY_COUNT or 0)
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if trusted_proxies <= 0 or not header.strip():
        return remote_addr
    # Blank entries are kept: skipping one would shift the count onto an entry the client wrote.
    forwarded = header.split(",")
    # Each trusted proxy appended the address it received the request from; with fewer
    # entries than proxies the leftmost is the furthest the chain reaches.
    return forwarded[-trusted_proxies] if len(forwarded) >= trusted_proxies else forwarded[0]


def get_client_ip(request):
    """The client's IP address (see the module docstring); ``REMOTE_ADDR`` when nothing better is known."""
    remote_addr = request.META.get("REMOTE_ADDR", "")
    resolver = app_settings.RATELIMIT_IP_META_KEY
    if not resolver:
        candidate = _forwarded_client(request, remote_addr)
    elif callable(resolver):
        candidate = resolver(request)
    elif "." in resolver:
        candidate = import_string(resolver)(request)
    else:
        candidate = request.META.get(resolver, "")
    return _ip_or_none(candidate) or remote_addr


def rate_limit_key(group, request):
    """django-ratelimit ``key=`` callable: the client's address, IPv6 masked to its network."""
    address = get_client_ip(request)
    if ":" not in address:
        return address
    mask = getattr(settings, "RATELIMIT_IPV6_MASK", 64)
    return str(ipaddress.ip_network(f"{address}/{mask}", strict=False).network_address)
