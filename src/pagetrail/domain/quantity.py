"""Kubernetes resource quantities (`1500m`, `2`, `4Gi`, `512M`) as numbers."""

from __future__ import annotations

import re

_QUANTITY = re.compile(r"^([+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$")
_FACTORS = {
    None: 1.0,
    "m": 1e-3,
    "k": 1e3,
    "M": 1e6,
    "G": 1e9,
    "T": 1e12,
    "P": 1e15,
    "E": 1e18,
    "Ki": 2.0**10,
    "Mi": 2.0**20,
    "Gi": 2.0**30,
    "Ti": 2.0**40,
    "Pi": 2.0**50,
    "Ei": 2.0**60,
}


def parse_quantity(text: str) -> float | None:
    """The quantity's value in base units (cores, bytes), or None when it is not a quantity."""
    match = _QUANTITY.match(text.strip())
    if match is None:
        return None
    return float(match.group(1)) * _FACTORS[match.group(2)]
