"""Readers for the formats beyond plain text and JSON: one module per kind of file."""

from __future__ import annotations

from archive.errors import BadInputError


def bad_input(origin: str, reason: str) -> BadInputError:
    """The error for one input, its origin kept apart from the reason where BadInputError takes them apart
    (the restructured errors module) and joined as `origin: reason` where it takes one message."""
    try:
        return BadInputError(origin, reason)  # type: ignore[call-arg]
    except TypeError:
        return BadInputError(f"{origin}: {reason}")
