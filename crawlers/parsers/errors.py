"""Errors raised by the pure page parsers."""

from __future__ import annotations


class ParseError(ValueError):
    """The body is not the kind of page or JSON this parser understands."""


class LayoutChanged(ParseError):
    """The page is of a kind this parser knows (its frame is there), yet no item
    was found where items should be and no "no results" marker says why:
    the site's markup has probably changed. Raise it instead of returning ``[]``,
    so a silent markup change is never mistaken for "nothing new"."""
