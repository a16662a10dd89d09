"""The rules of a DICOM node's particulars: an application entity title as the standard
allows it (PS3.5, the AE value representation), and the addresses a node may connect from.
Pure functions: the services validate with them, the receiver's selector matches with them."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence

from django.utils.translation import gettext_lazy as _

from xietong.core.errors import Message

AE_TITLE_LENGTH_MAX = 16
# The default character repertoire without control characters and without the backslash,
# which separates values in DICOM (PS3.5 6.2, AE).
_AE_CHARACTERS = re.compile(r"[\x20-\x5b\x5d-\x7e]*")
# An entry of the addresses field: separated by commas, semicolons, spaces or new lines.
_ADDRESS_SEPARATORS = re.compile(r"[\s,;，；、]+")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def ae_title_clean(value: str) -> str:
    """The title as stored and compared: leading and trailing spaces are not significant in
    an AE title (PS3.5), so they are dropped; inner spaces stay."""
    return value.strip(" ")


def ae_title_problem(value: str) -> Message | None:
    """Why `value` (cleaned) is not an AE title, or None."""
    if not value:
        return _("Give the AE title the node calls with (1 to 16 characters, not all spaces).")
    if len(value) > AE_TITLE_LENGTH_MAX:
        return _("An AE title has at most 16 characters.")
    if not _AE_CHARACTERS.fullmatch(value):
        return _(
            "An AE title holds Latin letters, digits, spaces and the usual signs only "
            "(no Chinese characters, no backslash)."
        )
    return None


def addresses_split(text: str) -> list[str]:
    return [part for part in _ADDRESS_SEPARATORS.split(text.strip()) if part]


def addresses_parse(entries: Iterable[str]) -> tuple[list[str], list[str]]:
    """The entries as stored (an address, or a network in CIDR notation, each written the
    standard way, duplicates dropped, in the order given) and the entries that are neither."""
    kept: list[str] = []
    wrong: list[str] = []
    for entry in entries:
        try:
            network = ipaddress.ip_network(entry, strict=True)
        except ValueError:
            wrong.append(entry)
            continue
        single = network.num_addresses == 1
        text = str(network.network_address) if single else str(network)
        if text not in kept:
            kept.append(text)
    return kept, wrong


def address_allowed(address: str, allowed: Sequence[str]) -> bool:
    """Whether `address` is one of `allowed` (addresses and networks). An empty list allows
    any address; an address that cannot be read is allowed by none."""
    if not allowed:
        return True
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # an IPv4 peer seen through a dual-stack socket
    for entry in allowed:
        try:
            network: Network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            continue
        if ip.version == network.version and ip in network:
            return True
    return False
