"""Errors raised by the pure page parsers."""

from __future__ import annotations


class ParseError(ValueError):
    """The body is not the kind of page or JSON this parser understands."""
