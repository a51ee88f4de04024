"""Who is at the other end of a request, for rate limits on sign-in and private links."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address: behind `TRUSTED_PROXY_COUNT` proxies, the address the outermost trusted
    proxy saw (counted from the right of X-Forwarded-For, which a client cannot forge past a proxy
    that appends to it); otherwise the connection's own address."""
    address = request.META.get("REMOTE_ADDR") or ""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.headers.get("x-forwarded-for", "").split(",") if part.strip()]
    if proxies and len(forwarded) >= proxies:
        address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return "unknown"
