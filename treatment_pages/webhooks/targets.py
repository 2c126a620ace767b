"""Where webhooks may go: public http(s) addresses, unless the host allow-lists a network.

An administrator's webhook URL is a request the server makes on their behalf, from
inside the clinic's network: pointed at ``127.0.0.1:6379``, ``169.254.169.254`` or a
``10.x`` service it would reach what no reader can (the audit's delivery reached Redis).
So a URL must be ``http`` or ``https`` and every address its host name resolves to must be
public: not loopback, private, link-local, unspecified (``0.0.0.0``, ``::``), multicast,
reserved or otherwise special. It is checked when the endpoint is saved and again when
each delivery is made (DNS may have changed since, and a name may resolve to several
addresses); the delivery then connects to the very address it checked, so a second DNS
answer cannot swap it (:mod:`treatment_pages.webhooks.delivery`).

A host whose receivers live on its own network (or tests with a loopback receiver) names
those networks in ``WEBHOOK_ALLOWED_NETWORKS`` (CIDRs).
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from treatment_pages.conf import app_settings

ALLOWED_SCHEMES = ("http", "https")


class TargetRefused(Exception):
    """The URL may not receive webhooks; ``message`` says why in words an administrator reads."""

    def __init__(self, message, code):
        super().__init__(message)
        self.message, self.code = message, code


def _allowed_entries():
    value = app_settings.WEBHOOK_ALLOWED_NETWORKS or []
    if isinstance(value, str):
        value = value.split(",")
    return [str(entry).strip() for entry in value if str(entry).strip()]


def _network_or_none(entry):
    try:
        return ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return None


def allowed_networks():
    """``WEBHOOK_ALLOWED_NETWORKS`` parsed; an entry that is no network allows nothing (the system check names it)."""
    return [network for entry in _allowed_entries() if (network := _network_or_none(entry)) is not None]


def invalid_allowed_entries():
    return [entry for entry in _allowed_entries() if _network_or_none(entry) is None]


def is_public(address):
    """Whether ``address`` (an ip_address) is an ordinary public unicast address."""
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    return address.is_global and not address.is_multicast


def address_allowed(address):
    address = ipaddress.ip_address(address)
    if is_public(address):
        return True
    return any(address.version == network.version and address in network for network in allowed_networks())


def split_url(url):
    """``(scheme, host, port)`` of a webhook URL, or TargetRefused for a scheme or host that cannot be one."""
    try:
        parts = urlsplit(str(url).strip())
        port = parts.port
    except ValueError as exc:
        raise TargetRefused(_("This is not a valid URL."), "invalid") from exc
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise TargetRefused(_("Webhook URLs must start with https:// (or http://)."), "scheme")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise TargetRefused(_("The URL names no host."), "invalid")
    if parts.username or parts.password:
        raise TargetRefused(_("Webhook URLs may not carry a user name or password."), "credentials")
    return scheme, host, port or (443 if scheme == "https" else 80)


def resolve(host, port):
    """Every address ``host`` resolves to (an IP literal is itself), as strings; [] when it does not resolve."""
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        return []
    seen = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = str(ipaddress.ip_address(sockaddr[0].split("%", 1)[0]))
        if address not in seen:
            seen.append(address)
    return seen


def check_addresses(addresses):
    """TargetRefused unless every address is allowed (one private answer is enough to refuse)."""
    refused = [address for address in addresses if not address_allowed(address)]
    if refused:
        raise TargetRefused(
            _(
                "Webhooks may only go to public addresses: this host is (or resolves to) a local, "
                "private or reserved address. To allow it, add its network to WEBHOOK_ALLOWED_NETWORKS."
            ),
            "address",
        )


def validate_webhook_url(url):
    """Model and form validator: a public http(s) URL (names that do not resolve yet pass; delivery checks again)."""
    try:
        _scheme, host, port = split_url(url)
        if host.lower() == "localhost" or host.lower().endswith(".localhost"):
            check_addresses(["127.0.0.1"])
        check_addresses(resolve(host, port))
    except TargetRefused as refused:
        raise ValidationError(refused.message, code=refused.code) from None
