"""Which monitored brands a text mentions.

All keywords and exclude terms of all rules are compiled once into a
character trie; one pass over the text walks it from every position, so
overlapping terms (``小米`` inside ``小米汽车``) are all seen. Latin letters match
case-insensitively; a keyword that starts or ends with a Latin letter (or a
digit) must not run into another letter (or digit) there, so ``OPPO`` does not
match inside ``OPPOSITE`` while ``iPhone`` still matches ``iPhone15``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from yuqing.nlp.text import clean


class BrandRule(BaseModel):
    """A monitored brand: any keyword mentions it, unless an exclude term occurs."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    keywords: list[str] = Field(min_length=1)
    exclude: list[str] = Field(default_factory=list)

    @field_validator("keywords", "exclude")
    @classmethod
    def _strip(cls, terms: list[str], info: ValidationInfo) -> list[str]:
        terms = [t.strip() for t in terms if t and t.strip()]
        if info.field_name == "keywords" and not terms:
            raise ValueError("a brand needs at least one non-blank keyword")
        return terms


_END = ""  # trie key marking the end of a term (never a character of the text)


def _normalise(term: str) -> str:
    """Terms are compared in the form ``clean`` gives the text, lower-cased."""
    return clean(term).lower()


def _edge(ch: str) -> str | None:
    """The class a character belongs to at a term's edge: letters, digits or neither."""
    if "a" <= ch <= "z":
        return "a"
    if "0" <= ch <= "9":
        return "0"
    return None


class BrandMatcher:
    """Finds the brands of a set of rules in cleaned text (see ``text.clean``)."""

    def __init__(self, rules: Iterable[BrandRule]) -> None:
        self.rules: list[BrandRule] = list(rules)
        # term -> indexes of the rules that use it as keyword / as exclude term
        self._keyword_of: dict[str, set[int]] = {}
        self._exclude_of: dict[str, set[int]] = {}
        for i, rule in enumerate(self.rules):
            for kw in rule.keywords:
                self._keyword_of.setdefault(_normalise(kw), set()).add(i)
            for ex in rule.exclude:
                self._exclude_of.setdefault(_normalise(ex), set()).add(i)
        self._trie: dict[str, Any] = {}
        for term in (*self._keyword_of, *self._exclude_of):
            if term:
                node = self._trie
                for ch in term:
                    node = node.setdefault(ch, {})
                node[_END] = term

    def terms_in(self, text: str) -> set[str]:
        """All normalised keywords and exclude terms occurring in ``text``."""
        found: set[str] = set()
        trie = self._trie
        low = text.lower()
        n = len(low)
        for i, ch in enumerate(low):
            node = trie.get(ch)
            if node is None:
                continue
            if _edge(ch) and i and _edge(low[i - 1]) == _edge(ch):
                continue  # would start inside a Latin word or a number
            j = i + 1
            while node is not None:
                term = node.get(_END)
                if term is not None:
                    tail = _edge(term[-1])
                    if not (tail and j < n and _edge(low[j]) == tail):
                        found.add(term)
                if j >= n:
                    break
                node = node.get(low[j])
                j += 1
        return found

    def match(self, text: str) -> list[str]:
        """Names of the brands mentioned in ``text``, in rule order."""
        found = self.terms_in(text)
        hit: set[int] = set()
        excluded: set[int] = set()
        for term in found:
            hit |= self._keyword_of.get(term, set())
            excluded |= self._exclude_of.get(term, set())
        names: list[str] = []
        for i in sorted(hit - excluded):
            if self.rules[i].name not in names:
                names.append(self.rules[i].name)
        return names

    def user_words(self) -> list[str]:
        """Every keyword of every rule, as written, for ``Segmenter(user_words=...)``."""
        words: dict[str, None] = {}
        for rule in self.rules:
            for kw in rule.keywords:
                words.setdefault(kw, None)
        return list(words)
