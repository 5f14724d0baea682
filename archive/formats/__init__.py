"""Readers for the formats beyond plain text and JSON: one module per kind of file."""

from __future__ import annotations

from archive.errors import BadInputError


def bad_input(origin: str, reason: str) -> BadInputError:
    """The error for one input: its origin and, apart, the reason."""
    return BadInputError(origin, reason)
