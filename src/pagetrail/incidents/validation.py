"""Checks on free text people type, so an empty title or a pasted megabyte is refused with a reason."""

from __future__ import annotations

from pagetrail.incidents.errors import InvalidInput


def required_text(value: str, field: str, *, limit: int) -> str:
    """The stripped text, or InvalidInput when it is empty or longer than `limit` characters."""
    if not isinstance(value, str):
        raise InvalidInput(field, f"expected text, got {type(value).__name__}")
    text = value.strip()
    if not text:
        raise InvalidInput(field, "must not be empty")
    if len(text) > limit:
        raise InvalidInput(field, f"is {len(text)} characters long; at most {limit} allowed")
    return text
