"""The client's IP address, as this app's rate limits count it.

Safe by default in any host: ``X-Forwarded-For`` is written by whoever sends the
request, so it is believed only from the host's own proxies, named as networks in
``TRUSTED_PROXIES`` (CIDRs, e.g. ``["10.0.0.0/8", "127.0.0.1/32"]``). A request whose
connection (``REMOTE_ADDR``) is not one of them is counted by that connection and its
header is ignored, so a client that reaches the app server directly cannot name
another address. From a trusted proxy the header is walked from the right while each
hop is itself a trusted proxy; the first address that is not is the client. With no
networks configured (the default) the client is always ``REMOTE_ADDR``.

A host that already tells django-ratelimit where the address is (``RATELIMIT_IP_META_KEY``:
a ``request.META`` key or a function's dotted path) is followed instead, so the plugin
counts clients as the host's own limits do.

Whatever the header holds, the answer is an IP address: an entry that is not one
(``garbage``, ``999.1.1.1``, an empty hop) ends the walk at the last trusted hop, so a
client can neither slip past the limits nor make them fail by writing nonsense.

The limits count :func:`address_for_limits`: IPv6 addresses masked to their network
(``RATELIMIT_IPV6_MASK``, 64 bits, as django-ratelimit's own ``"ip"`` key does), since one
IPv6 client holds a whole /64 and could otherwise send each request from a new address.

``TRUSTED_PROXY_COUNT`` (trust N hops from the right, whoever connected) is gone: a count
cannot tell the host's proxy from a client writing the header itself. A host that still
sets it gets a system check error naming ``TRUSTED_PROXIES`` instead of silently losing
its client addresses.

The plugin's other app has the same few lines in its own ``client_ip``: the two apps never import each
other and a host may install either alone, and a resolver this small is cheaper to keep
twice (tests/apps/test_client_ip.py runs both against one table) than to ship as a third package.
"""

import ipaddress
import logging
from functools import lru_cache

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.utils.module_loading import import_string

from treatment_pages.conf import app_settings

logger = logging.getLogger(__name__)
CHECK_PREFIX = "treatment_pages"


def _address_or_none(value):
    """``value`` as an IP address (an IPv4-mapped IPv6 address as its IPv4), or None when it is not one."""
    try:
        address = ipaddress.ip_address(str(value).strip())
    except ValueError:
        return None
    return getattr(address, "ipv4_mapped", None) or address


def _ip_or_none(value):
    """``value`` as a normalised IP address string, or None when it is not one."""
    address = _address_or_none(value)
    return str(address) if address is not None else None


def _entries(value):
    """``TRUSTED_PROXIES`` as a list of strings: a list, or one comma-separated string."""
    if isinstance(value, str):
        value = value.split(",")
    return [str(entry).strip() for entry in value or () if str(entry).strip()]


@lru_cache(maxsize=8)
def _networks(entries):
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            # The system check names it; a request must not fail over it.
            logger.error("TRUSTED_PROXIES entry %r is not a network; ignored", entry)
    return tuple(networks)


def trusted_networks():
    """The networks of ``TRUSTED_PROXIES``, parsed (entries that are not networks are left out)."""
    return _networks(tuple(_entries(app_settings.TRUSTED_PROXIES)))


def _is_trusted(address, networks):
    return any(address.version == network.version and address in network for network in networks)


def _forwarded_client(request, remote_addr):
    networks = trusted_networks()
    peer = _address_or_none(remote_addr)
    if not networks or peer is None or not _is_trusted(peer, networks):
        return remote_addr
    client = peer
    # Each trusted proxy appended the address it received the request from: walk back
    # while that address is another of ours. A blank or non-address hop ends the walk.
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _address_or_none(hop)
        if address is None:
            break
        client = address
        if not _is_trusted(address, networks):
            break
    return str(client)


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


def address_for_limits(request):
    """The client's address as the limits count it: IPv6 masked to its network (a /64 by default)."""
    address = get_client_ip(request)
    if ":" not in address:
        return address
    mask = getattr(settings, "RATELIMIT_IPV6_MASK", 64)
    return str(ipaddress.ip_network(f"{address}/{mask}", strict=False).network_address)


def rate_limit_key(group, request):
    """django-ratelimit ``key=`` callable: :func:`address_for_limits`."""
    return address_for_limits(request)


@register(Tags.security)
def check_trusted_proxies(app_configs, **kwargs):
    """``TRUSTED_PROXIES`` entries must be networks; ``TRUSTED_PROXY_COUNT`` is no longer read."""
    errors = [
        Error(
            f"TRUSTED_PROXIES entry {entry!r} is not an IP network.",
            hint='Write CIDRs such as "10.0.0.0/8" or "127.0.0.1/32".',
            id=f"{CHECK_PREFIX}.E020",
        )
        for entry in _entries(app_settings.TRUSTED_PROXIES)
        if _network_or_none(entry) is None
    ]
    if getattr(settings, "TRUSTED_PROXY_COUNT", None) and not app_settings.TRUSTED_PROXIES:
        errors.append(
            Error(
                "TRUSTED_PROXY_COUNT is no longer read: without TRUSTED_PROXIES every client is "
                "counted by its connection's address, so behind a proxy all share one limit.",
                hint="Name your proxies' networks in TRUSTED_PROXIES (e.g. ['10.0.0.0/8']) "
                "and remove TRUSTED_PROXY_COUNT.",
                id=f"{CHECK_PREFIX}.E021",
            )
        )
    return errors


def _network_or_none(entry):
    try:
        return ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return None
