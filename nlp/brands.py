"""Which monitored brands a text mentions.

A brand's rule is its ``query`` (see ``query.py``) when it has one, else "any
of its keywords or aliases"; an ``exclude`` term anywhere vetoes the brand
either way. In a query, a bare word that is the brand's name or one of its
aliases stands for all of the brand's names, aliases and keywords (quote it,
``"星河"``, to mean that word only).

Every term of every rule (keywords, aliases, query words, exclude terms) is
compiled once into one character trie; one pass over the text finds them all,
with their positions. A rule is evaluated only when one of its trigger words
occurs (a keyword, an alias, or a word its query cannot match without), so a
post costs one trie pass plus the few rules it might be about. Latin letters
match case-insensitively, with word edges: ``OPPO`` does not match inside
``OPPOSITE`` while ``iPhone`` still matches ``iPhone15``.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from .query import Occurrences, Query, QueryError, TermTrie, compile_query, normalise

__all__ = ["BrandMatcher", "BrandRule", "QueryError", "compile_brand_query"]


class BrandRule(BaseModel):
    """A monitored brand: its query, or any keyword or alias; unless an exclude term occurs."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    keywords: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    query: str | None = None

    @field_validator("keywords", "aliases", "exclude")
    @classmethod
    def _strip(cls, terms: list[str], info: ValidationInfo) -> list[str]:
        return [t.strip() for t in terms if t and t.strip()]

    @field_validator("query")
    @classmethod
    def _blank_query(cls, query: str | None) -> str | None:
        return query if query and query.strip() else None

    @model_validator(mode="after")
    def _needs_words(self) -> BrandRule:
        if self.query is None and not self.keywords and not self.aliases:
            raise ValueError("a brand needs at least one non-blank keyword (or a query)")
        if self.query is not None:
            self.compile()  # a QueryError is a ValueError: pydantic reports it with its column
        return self

    def compile(self) -> Query:
        assert self.query is not None
        return compile_brand_query(self.query, self.name, self.aliases, self.keywords)


def compile_brand_query(query: str, name: str, aliases: Iterable[str] = (), keywords: Iterable[str] = ()) -> Query:
    """A brand's query, with its name and each alias standing for every brand word.

    Raises ``QueryError`` for bad syntax, and for a query that could match a
    post naming none of its words (only NOT terms): that would match nearly
    every post, and no trigger word could pre-filter it.
    """
    aliases = list(aliases)
    words = list(dict.fromkeys([name, *aliases, *keywords]))
    compiled = compile_query(query, {head: words for head in (name, *aliases)})
    if compiled.triggers is None:
        raise QueryError(
            "the query would match posts that name none of its words (e.g. only NOT terms)", 0, compiled.source
        )
    return compiled


class BrandMatcher:
    """Finds the brands of a set of rules in cleaned text (see ``text.clean``)."""

    def __init__(self, rules: Iterable[BrandRule]) -> None:
        self.rules: list[BrandRule] = list(rules)
        self._queries: list[Query | None] = [r.compile() if r.query is not None else None for r in self.rules]
        # term -> indexes of the rules that it may trigger / that it vetoes
        self._trigger_of: dict[str, set[int]] = {}
        self._exclude_of: dict[str, set[int]] = {}
        terms: set[str] = set()
        for i, (rule, query) in enumerate(zip(self.rules, self._queries, strict=True)):
            if query is None:
                triggers: Iterable[str] = (normalise(t) for t in (*rule.keywords, *rule.aliases))
            else:
                assert query.triggers is not None
                triggers = query.triggers
                terms |= query.terms
            for term in triggers:
                if term:
                    self._trigger_of.setdefault(term, set()).add(i)
            for ex in rule.exclude:
                term = normalise(ex)
                if term:
                    self._exclude_of.setdefault(term, set()).add(i)
        terms |= self._trigger_of.keys() | self._exclude_of.keys()
        self._trie = TermTrie(terms)

    def occurrences(self, text: str) -> dict[str, list[tuple[int, int]]]:
        """Every rule term in ``text`` (cleaned) -> its spans in the lower-cased text."""
        return self._trie.scan(text.lower())

    def terms_in(self, text: str) -> set[str]:
        """All normalised rule terms occurring in ``text``."""
        return set(self.occurrences(text))

    def match(self, text: str) -> list[str]:
        """Names of the brands mentioned in ``text`` (cleaned), in rule order."""
        occ = self.occurrences(text)
        if not occ:
            return []
        return self.match_occurrences(occ)

    def match_occurrences(self, occ: Occurrences) -> list[str]:
        hit: set[int] = set()
        excluded: set[int] = set()
        for term in occ:
            rules = self._trigger_of.get(term)
            if rules:
                hit |= rules
            rules = self._exclude_of.get(term)
            if rules:
                excluded |= rules
        names: list[str] = []
        for i in sorted(hit - excluded):
            query = self._queries[i]
            if query is not None and not query.matches(occ):
                continue
            if self.rules[i].name not in names:
                names.append(self.rules[i].name)
        return names

    def user_words(self) -> list[str]:
        """Every keyword and alias of every rule, as written, for ``Segmenter(user_words=...)``."""
        words: dict[str, None] = {}
        for rule in self.rules:
            for kw in (*rule.keywords, *rule.aliases):
                words.setdefault(kw, None)
        return list(words)
