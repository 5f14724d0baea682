"""Readers for the formats beyond plain text and JSON: one module per kind of file."""
