"""The client's IP address, as rate limits must see it.

``X-Forwarded-For`` is set by whoever sends the request, so it is only believed
for the hops our own proxies added: with ``TRUSTED_PROXY_COUNT = N`` the client is
the N-th address from the right; with 0 (the default, no proxy) it is REMOTE_ADDR.
"""

from django.conf import settings


def get_client_ip(request):
    trusted_proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    remote_addr = request.META.get("REMOTE_ADDR", "")
    if trusted_proxies <= 0:
        return remote_addr
    forwarded = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    # Each trusted proxy appended the address it received the request from.
    if len(forwarded) >= trusted_proxies:
        return forwarded[-trusted_proxies]
    return forwarded[0] if forwarded else remote_addr
