"""Where an organization's upstream calls may come from: addresses, small networks and host
names, as every PBX backend turns them into the addresses it compares a request's source with.

A host name is looked up when the org's configuration is written (each Apply), so the
addresses follow the carrier's DNS from one Apply to the next."""
from __future__ import annotations

import functools
import ipaddress
import re
import socket
import time
from pathlib import Path

from littlepbx.pbx_backends.base import BackendError

# The largest source network: the dialplan compares addresses one by one.
SMALLEST_PREFIX = 24


def as_network(item: str) -> ipaddress.IPv4Network | None:
    """A source address or network ("203.0.113.0/28", host bits allowed) as a network; None for a host name."""
    try:
        return ipaddress.IPv4Network(item, strict=False)
    except ValueError:
        return None


def address_problem(address: ipaddress.IPv4Address, settings: dict) -> str | None:
    """Why an upstream may not be at ``address``, or None."""
    if address.is_link_local or address.is_multicast or address.is_unspecified or address.is_reserved:
        return f"{address} is not an address an upstream can have"
    if str(address) in own_addresses():
        return f"{address} is this server's own address"
    if (address.is_loopback or address.is_private) and not settings.get("ALLOW_PRIVATE_UPSTREAMS"):
        return f"{address} is a loopback or private address (the operator's ALLOW_PRIVATE_UPSTREAMS allows them)"
    return None


def own_addresses() -> frozenset[str]:
    """This server's own IPv4 addresses but loopback (which ALLOW_PRIVATE_UPSTREAMS governs),
    read again at most once a minute: an upstream there would be this PBX calling itself."""
    return _local_addresses(int(time.monotonic() // 60))


@functools.lru_cache(maxsize=1)
def _local_addresses(minute: int) -> frozenset[str]:
    try:
        table = Path("/proc/net/fib_trie").read_text()
    except OSError:
        return frozenset()
    # Each local address is the line before its "/32 host LOCAL" line.
    found = re.findall(r"\|--\s+(\S+)\n\s+/32 host LOCAL", table)
    return frozenset(a for a in found if not ipaddress.IPv4Address(a).is_loopback)


def resolve(host: str, settings: dict) -> set[str]:
    """The IPv4 addresses of ``host`` (an address is its own), each one an upstream may have."""
    try:
        return {str(ipaddress.IPv4Address(host))}
    except ValueError:
        pass
    addresses = look_up(host)
    problem = name_problem(host, addresses, settings)
    if problem:
        raise BackendError(problem)
    return {str(address) for address in addresses}


def look_up(host: str) -> set[ipaddress.IPv4Address]:
    """The IPv4 addresses host name ``host`` resolves to now; BackendError when it does not."""
    try:
        found = socket.getaddrinfo(host, None, socket.AF_INET, socket.SOCK_DGRAM)
    except OSError as error:
        raise BackendError(f"cannot look up {host}: {error.strerror or error}") from None
    return {ipaddress.IPv4Address(info[4][0]) for info in found}


def name_problem(host: str, addresses, settings: dict) -> str | None:
    """Why host name ``host``, resolving to ``addresses``, may not be an upstream's, or None."""
    for address in sorted(addresses):
        problem = address_problem(address, settings)
        if problem:
            return f"{host} resolves to {problem}"
    return None


def expand(items: tuple[str, ...] | list[str], settings: dict) -> set[str]:
    """Every address of ``items``: addresses, networks of /24 to /32, and host names looked up now."""
    addresses = set()
    for item in items:
        network = as_network(item)
        if network is None:
            addresses |= resolve(item, settings)
        elif network.prefixlen < SMALLEST_PREFIX:
            raise BackendError(f"the source network {item} is larger than a /{SMALLEST_PREFIX}")
        else:
            addresses |= {str(address) for address in network}
    return addresses


def outbound_problem(trunks, settings: dict) -> str | None:
    """Why calls may not go out to an outbound or failover upstream's host as it resolves now
    (a host name an admin could point at this server, loopback or a private range), or None.
    A name that does not resolve now is no problem here: the PBX looks it up at each call."""
    for trunk in trunks:
        if trunk.direction == "inbound" or as_network(trunk.host) is not None:
            continue  # an address was checked when it was set
        try:
            problem = name_problem(trunk.host, look_up(trunk.host), settings)
        except BackendError:
            continue
        if problem:
            return f"{trunk.direction} upstream: {problem}"
    return None
