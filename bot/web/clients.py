"""Who is asking, by address, and how much each address may ask.

Behind a reverse proxy every request comes from the proxy: only when the peer is one of
``TRUSTED_PROXIES`` are ``X-Forwarded-For`` / ``Forwarded`` read, right to left, skipping
the trusted hops; a client cannot pick its address by sending the header itself.
"""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from collections.abc import Iterable

from aiohttp import web

from bot.conversation.flood import FloodLimiter

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_FORWARDED_FOR = re.compile(r'for="?\[?([^\]",;]+)', re.IGNORECASE)


def networks(cidrs: Iterable[str]) -> list[Network]:
    """``TRUSTED_PROXIES`` as networks (a bare address is a /32 or /128)."""
    return [ipaddress.ip_network(c.strip(), strict=False) for c in cidrs if c.strip()]


class ClientAddresses:
    def __init__(self, trusted: list[Network]) -> None:
        self.trusted = trusted

    def of(self, request: web.Request) -> str:
        peer = request.remote or "?"
        if not self._is_trusted(peer):
            return peer
        hops = _hops(request)
        for hop in reversed(hops):  # the nearest untrusted hop is the client
            if not self._is_trusted(hop):
                return hop
        return hops[0] if hops else peer

    def _is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.trusted)


def _hops(request: web.Request) -> list[str]:
    found: list[str] = []
    for value in request.headers.getall("Forwarded", []):
        found += [m.strip() for m in _FORWARDED_FOR.findall(value)]
    if not found:
        for value in request.headers.getall("X-Forwarded-For", []):
            found += [part.strip() for part in value.split(",") if part.strip()]
    return [hop for hop in found if _is_address(hop)]


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


class Limits:
    """Per address: POSTs and GETs per minute, and event streams open at once."""

    def __init__(self, posts_per_minute: int, gets_per_minute: int, streams: int) -> None:
        self.posts = FloodLimiter(posts_per_minute, 60.0)
        self.gets = FloodLimiter(gets_per_minute, 60.0)
        self.streams = streams
        self._open: Counter[str] = Counter()

    def allow(self, method: str, address: str) -> bool:
        if method == "POST":
            return self.posts.allow(address)
        return method != "GET" or self.gets.allow(address)

    def open_stream(self, address: str) -> bool:
        if self._open[address] >= self.streams:
            return False
        self._open[address] += 1
        return True

    def close_stream(self, address: str) -> None:
        self._open[address] -= 1
        if self._open[address] <= 0:
            del self._open[address]
