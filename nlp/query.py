"""Brand queries: a small boolean language, parsed once, matched fast.

Grammar (tightest first: NEAR, NOT, AND, OR; juxtaposition means AND)::

    query   := or
    or      := and ("OR" and)*
    and     := unary (["AND"] unary)*
    unary   := "NOT" unary | near
    near    := primary ("NEAR" ["/" N] primary)*
    primary := WORD | PHRASE | "(" or ")"

* A WORD is a run of characters other than whitespace, parentheses and
  double quotes: ``星河电器``, ``iPhone15``, ``315``. The operators are the
  words ``AND``, ``OR``, ``NOT`` and ``NEAR``/``NEAR/N``, in capitals only, so
  ``and`` is an ordinary word.
* A PHRASE is quoted: ``"Mi Band"``, ``"AND"``; ``\\"`` and ``\\\\`` escape.
  Curly quotes (“…”) work too, and full-width ``（ ）`` are read as ``( )``.
* ``a NEAR/N b``: ``a`` and ``b`` occur, in either order, with at most N
  *characters* between them (``NEAR`` alone is ``NEAR/10``). Characters, not
  words: Chinese has no spaces, and jieba may split a term differently in
  different sentences, while a character count means the same everywhere.
  The operands are words, phrases, NEARs or parenthesised ORs of them;
  ``a NEAR/3 b NEAR/3 c`` is ``(a NEAR/3 b) NEAR/3 c``, the inner pair counting
  as one span from its first to its last character.
* Matching is on text as ``text.clean`` gives it, lower-cased, and terms are
  cleaned the same way (traditional characters, full-width letters and any
  case all match). A term that starts or ends with a Latin letter or a digit
  must not run into another one there: ``OPPO`` does not match ``OPPOSITE``,
  ``315`` does not match ``3150``, ``iPhone`` matches ``iPhone15``.

``compile_query`` turns a query into a ``Query``: evaluated against the
occurrences of its terms (found by one ``TermTrie`` pass over the text), never
by a regular expression per post. ``Query.triggers`` are words of which at
least one must occur for the query to match: a caller that finds none of them
need not evaluate the query at all.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .text import clean

DEFAULT_NEAR = 10
MAX_NEAR = 1000

Span = tuple[int, int]
Occurrences = Mapping[str, Sequence[Span]]


class QueryError(ValueError):
    """A query that cannot be parsed; ``position`` is 0-based, the message says the 1-based column."""

    def __init__(self, message: str, position: int, source: str = "") -> None:
        self.message = message
        self.position = position
        self.source = source
        super().__init__(f"{message} at column {position + 1}" + (f" of {source!r}" if source else ""))


def normalise(term: str) -> str:
    """A term (or text) in the form the matchers compare: cleaned, lower-cased."""
    return clean(term).lower()


# -- syntax tree ---------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    text: str  # normalised
    pos: int
    literal: bool = False  # quoted: never expanded to the brand's aliases


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]
    pos: int


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]
    pos: int


@dataclass(frozen=True)
class Not:
    child: Node
    pos: int


@dataclass(frozen=True)
class Near:
    left: Node
    right: Node
    distance: int
    pos: int


Node = Term | And | Or | Not | Near


# -- tokens ----------------------------------------------------------------------

_OPEN_QUOTES = {'"': '"', "\u201c": "\u201d"}


@dataclass(frozen=True)
class _Token:
    kind: str  # WORD PHRASE AND OR NOT NEAR ( ) END
    pos: int
    text: str = ""
    distance: int = 0


def _tokens(source: str) -> list[_Token]:
    out: list[_Token] = []
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            out.append(_Token(ch, i))
            i += 1
        elif ch in _OPEN_QUOTES:
            close, start, chars = _OPEN_QUOTES[ch], i, []
            i += 1
            while i < n and source[i] != close:
                if source[i] == "\\" and i + 1 < n:
                    i += 1
                chars.append(source[i])
                i += 1
            if i >= n:
                raise QueryError("unclosed quote", start, source)
            out.append(_Token("PHRASE", start, "".join(chars)))
            i += 1
        else:
            start = i
            while i < n and not source[i].isspace() and source[i] not in '()"\u201c\u201d':
                i += 1
            word = source[start:i]
            if word in ("AND", "OR", "NOT"):
                out.append(_Token(word, start))
            elif word == "NEAR" or word.startswith("NEAR/"):
                out.append(_Token("NEAR", start, distance=_near_distance(word, start, source)))
            else:
                out.append(_Token("WORD", start, word))
    out.append(_Token("END", n))
    return out


def _near_distance(word: str, pos: int, source: str) -> int:
    if word == "NEAR":
        return DEFAULT_NEAR
    digits = word[5:]
    if not digits.isascii() or not digits.isdigit():
        raise QueryError(f"{word!r}: NEAR takes a distance in characters, like NEAR/5", pos, source)
    distance = int(digits)
    if distance > MAX_NEAR:
        raise QueryError(f"{word!r}: a NEAR distance is at most {MAX_NEAR}", pos, source)
    return distance


def _describe(token: _Token) -> str:
    if token.kind == "END":
        return "the end of the query"
    if token.kind == "WORD":
        return repr(token.text)
    if token.kind == "PHRASE":
        return f'"{token.text}"'
    return repr(token.kind) if token.kind != "NEAR" else "'NEAR'"


# -- parser ----------------------------------------------------------------------


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = _tokens(source)
        self.i = 0

    @property
    def peek(self) -> _Token:
        return self.tokens[self.i]

    def take(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def error(self, message: str, pos: int) -> QueryError:
        return QueryError(message, pos, self.source)

    def parse(self) -> Node:
        if self.peek.kind == "END":
            raise self.error("empty query", 0)
        node = self.or_()
        token = self.peek
        if token.kind == ")":
            raise self.error("unexpected ')': no '(' is open", token.pos)
        if token.kind != "END":  # pragma: no cover - every other token continues an AND
            raise self.error(f"unexpected {_describe(token)}", token.pos)
        return node

    def or_(self) -> Node:
        first = self.and_()
        children = [first]
        while self.peek.kind == "OR":
            self.take()
            children.append(self.and_())
        return first if len(children) == 1 else Or(tuple(children), first_pos(first))

    def and_(self) -> Node:
        first = self.unary()
        children = [first]
        while True:
            kind = self.peek.kind
            if kind == "AND":
                self.take()
            elif kind not in ("WORD", "PHRASE", "(", "NOT"):
                break
            children.append(self.unary())
        return first if len(children) == 1 else And(tuple(children), first_pos(first))

    def unary(self) -> Node:
        if self.peek.kind == "NOT":
            token = self.take()
            return Not(self.unary(), token.pos)
        return self.near()

    def near(self) -> Node:
        node = self.primary()
        while self.peek.kind == "NEAR":
            op = self.take()
            right = self.primary()
            for side in (node, right):
                if not _positional(side):
                    raise self.error("NEAR joins words, phrases, NEARs or parenthesised ORs of them", first_pos(side))
            node = Near(node, right, op.distance, op.pos)
        return node

    def primary(self) -> Node:
        token = self.take()
        if token.kind in ("WORD", "PHRASE"):
            text = normalise(token.text)
            if not text:
                raise self.error(f"{_describe(token)} is empty once cleaned", token.pos)
            return Term(text, token.pos, literal=token.kind == "PHRASE")
        if token.kind == "(":
            if self.peek.kind == ")":
                raise self.error("empty parentheses", token.pos)
            node = self.or_()
            if self.peek.kind != ")":
                raise self.error("'(' is never closed", token.pos)
            self.take()
            return node
        after = self.tokens[self.i - 2] if self.i >= 2 else None
        where = f" after {_describe(after)}" if after is not None else ""
        raise self.error(f"expected a word, a phrase or '('{where}, found {_describe(token)}", token.pos)


def first_pos(node: Node) -> int:
    if isinstance(node, (Term, Not)):
        return node.pos
    if isinstance(node, Near):
        return first_pos(node.left)
    return node.pos


def _positional(node: Node) -> bool:
    if isinstance(node, (Term, Near)):
        return True
    if isinstance(node, Or):
        return all(_positional(c) for c in node.children)
    return False


def parse(source: str) -> Node:
    """The syntax tree of ``source``; raises ``QueryError`` with the position of the problem."""
    return _Parser(unicodedata.normalize("NFKC", source)).parse()


# -- compiling -------------------------------------------------------------------

Matcher = Callable[[Occurrences], bool]
Spanner = Callable[[Occurrences], list[Span]]


def _near_spans(left: list[Span], right: list[Span], distance: int) -> list[Span]:
    out: set[Span] = set()
    for a0, a1 in left:
        for b0, b1 in right:
            gap = b0 - a1 if b0 >= a1 else a0 - b1
            if gap <= distance:
                out.add((min(a0, b0), max(a1, b1)))
    return sorted(out)


class Query:
    """A compiled query: ``matches(occurrences)`` for the matcher, ``search(text)`` for one text."""

    def __init__(self, source: str, synonyms: Mapping[str, Sequence[str]] | None = None) -> None:
        self.source = source
        self.tree = parse(source)
        self._synonyms = {normalise(k): [normalise(v) for v in vs] for k, vs in (synonyms or {}).items()}
        self.terms: frozenset[str] = frozenset(self._terms(self.tree))
        self.triggers: frozenset[str] | None = self._triggers(self.tree)
        self._match = self._compile(self.tree)
        self._trie: TermTrie | None = None

    def matches(self, occurrences: Occurrences) -> bool:
        """Whether the text whose term occurrences (term -> spans) these are matches."""
        return self._match(occurrences)

    def search(self, text: str) -> bool:
        """Match one text (convenient; a ``BrandMatcher`` scans once for many queries)."""
        if self._trie is None:
            self._trie = TermTrie(self.terms)
        return self._match(self._trie.scan(normalise(text)))

    # -- the parts

    def _expand(self, term: Term) -> list[str]:
        if term.literal:
            return [term.text]
        return list(dict.fromkeys([term.text, *self._synonyms.get(term.text, ())]))

    def _terms(self, node: Node) -> Iterable[str]:
        if isinstance(node, Term):
            yield from self._expand(node)
        elif isinstance(node, (And, Or)):
            for child in node.children:
                yield from self._terms(child)
        elif isinstance(node, Not):
            yield from self._terms(node.child)
        else:
            yield from self._terms(node.left)
            yield from self._terms(node.right)

    def _triggers(self, node: Node) -> frozenset[str] | None:
        """Terms one of which must occur for ``node`` to match; None if it can match without any."""
        if isinstance(node, Term):
            return frozenset(self._expand(node))
        if isinstance(node, Or):
            parts = [self._triggers(c) for c in node.children]
            if any(p is None for p in parts):
                return None
            return frozenset().union(*parts)  # type: ignore[arg-type]
        if isinstance(node, And):
            parts = [p for p in (self._triggers(c) for c in node.children) if p is not None]
            return min(parts, key=len) if parts else None
        if isinstance(node, Not):
            return None
        left, right = self._triggers(node.left), self._triggers(node.right)
        return min((p for p in (left, right) if p is not None), key=len, default=None)

    def _spanner(self, node: Node) -> Spanner:
        if isinstance(node, Term):
            words = self._expand(node)
            if len(words) == 1:
                word = words[0]
                return lambda occ: list(occ.get(word, ()))
            return lambda occ: sorted({s for w in words for s in occ.get(w, ())})
        if isinstance(node, Or):
            parts = [self._spanner(c) for c in node.children]
            return lambda occ: sorted({s for p in parts for s in p(occ)})
        assert isinstance(node, Near)
        left, right, distance = self._spanner(node.left), self._spanner(node.right), node.distance

        def near(occ: Occurrences) -> list[Span]:
            a = left(occ)
            if not a:
                return []
            b = right(occ)
            return _near_spans(a, b, distance) if b else []

        return near

    def _compile(self, node: Node) -> Matcher:
        if isinstance(node, Term):
            words = self._expand(node)
            return lambda occ: any(w in occ for w in words)
        if isinstance(node, Near):
            spans = self._spanner(node)
            return lambda occ: bool(spans(occ))
        if isinstance(node, Not):
            child = self._compile(node.child)
            return lambda occ: not child(occ)
        parts = [self._compile(c) for c in node.children]
        if isinstance(node, And):
            return lambda occ: all(p(occ) for p in parts)
        return lambda occ: any(p(occ) for p in parts)

    def __repr__(self) -> str:
        return f"Query({self.source!r})"


def compile_query(source: str, synonyms: Mapping[str, Sequence[str]] | None = None) -> Query:
    """Parse and compile ``source``; ``synonyms`` maps a word to the words it also stands for
    (a brand's name to its aliases) unless it is quoted."""
    return Query(source, synonyms)


# -- finding many terms in one pass -------------------------------------------------

_END = ""  # trie key marking the end of a term (never a character of the text)


def _edge(ch: str) -> str | None:
    """The class a character belongs to at a term's edge: letters, digits or neither."""
    if "a" <= ch <= "z":
        return "a"
    if "0" <= ch <= "9":
        return "0"
    return None


class TermTrie:
    """A character trie of normalised terms; ``scan`` finds them all in one pass, overlaps
    included (``小米`` inside ``小米汽车``), with the Latin/digit edge rule of the module doc."""

    def __init__(self, terms: Iterable[str]) -> None:
        self._root: dict[str, Any] = {}
        for term in terms:
            if not term:
                continue
            node = self._root
            for ch in term:
                node = node.setdefault(ch, {})
            node[_END] = term
        # where a term may start: the regex engine skips the other characters, not Python
        first = "".join(re.escape(ch) for ch in sorted(self._root))
        self._starts = re.compile(f"[{first}]") if first else None

    def scan(self, low: str) -> dict[str, list[Span]]:
        """Each term occurring in ``low`` (normalised text) -> its (start, end) spans."""
        found: dict[str, list[Span]] = {}
        if self._starts is None:
            return found
        root = self._root
        n = len(low)
        for start in self._starts.finditer(low):
            i, ch = start.start(), start.group()
            node = root[ch]
            edge = _edge(ch)
            if edge and i and _edge(low[i - 1]) == edge:
                continue  # would start inside a Latin word or a number
            j = i + 1
            while node is not None:
                term = node.get(_END)
                if term is not None:
                    tail = _edge(term[-1])
                    if not (tail and j < n and _edge(low[j]) == tail):
                        found.setdefault(term, []).append((i, j))
                if j >= n:
                    break
                node = node.get(low[j])
                j += 1
        return found
