"""The sentiment lexicon and the transparent scoring that reads it.

``data/lexicon.tsv`` has one term a line: ``term<TAB>weight[<TAB>kind]``.
Scoring kinds (the weight is the term's contribution, negative = bad):

* ``opinion`` (default): evaluative words; a negator flips them (不+满意 is
  negative, 不+差 mildly positive).
* ``problem``: defects and crises (漏电, 虚假宣传); a negator cancels them
  (没有+质量问题 says nothing bad).
* ``remedy``: what unhappy customers seek or do (退款, 售后, 投诉); a negator
  makes them worse (不+退款, 没有+售后).
* ``emoticon`` and ``sarcasm``: taken as they stand; a sarcasm marker (呵呵)
  also halves every positive contribution of the text.

Modifier kinds (the weight is a factor): ``negator`` (不, 没有; 不太 = 0.7) and
``degree`` (很 = 1.3, 有点 = 0.7). A term may be both a scoring term and a
modifier (好: "好" alone is praise, "好差" uses it as an adverb).
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Literal, NamedTuple

Kind = Literal["opinion", "problem", "remedy", "emoticon", "sarcasm", "negator", "degree"]
SCORING_KINDS = ("opinion", "problem", "remedy", "emoticon", "sarcasm")
MODIFIER_KINDS = ("negator", "degree")

WINDOW = 3  # modifiers are looked for this many tokens before a term
MAX_JOIN = 4  # a term may span this many consecutive tokens (质量+问题)
NEGATED_NEGATIVE = 0.5  # 不+差 is weaker praise than 好 is
NEGATED_REMEDY = 1.5  # 不+退款 is worse than 退款
SARCASM_DAMPING = 0.5
EXCLAIM_STEP, EXCLAIM_MAX = 0.1, 3  # each "!" adds 10 %, up to three


@dataclass(frozen=True)
class Entry:
    term: str
    weight: float
    kind: Kind


@dataclass(frozen=True)
class Lexicon:
    terms: dict[str, Entry]
    modifiers: dict[str, Entry]
    max_len: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "max_len", max((len(t) for t in self.terms), default=1))


class Hit(NamedTuple):  # a tuple: made for every term of every text, so it must be cheap to make
    """One scored occurrence: ``display`` is e.g. "不+满意", ``start`` a token index."""

    display: str
    contribution: float
    start: int


def parse_lexicon(text: str, source: str = "lexicon") -> Lexicon:
    """Parse TSV lines (``#`` starts a comment); duplicate terms are an error."""
    terms: dict[str, Entry] = {}
    modifiers: dict[str, Entry] = {}
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.strip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cols = line.split("\t")
        try:
            term, weight = cols[0].strip().lower(), float(cols[1])
        except (IndexError, ValueError):
            raise ValueError(f"{source}:{lineno}: expected term<TAB>weight[<TAB>kind]: {line!r}") from None
        kind = cols[2].strip() if len(cols) > 2 and cols[2].strip() else "opinion"
        if kind not in SCORING_KINDS + MODIFIER_KINDS or not term:
            raise ValueError(f"{source}:{lineno}: bad term or kind: {line!r}")
        table = modifiers if kind in MODIFIER_KINDS else terms
        if term in table:
            raise ValueError(f"{source}:{lineno}: duplicate term {term!r}")
        table[term] = Entry(term, weight, kind)  # type: ignore[arg-type]
    return Lexicon(terms, modifiers)


def load_lexicon(path: Path | None = None) -> Lexicon:
    """The lexicon at ``path``, or the one shipped in ``yuqing.nlp/data``."""
    if path is not None:
        return parse_lexicon(path.read_text(encoding="utf-8"), str(path))
    return _shipped_lexicon()


@lru_cache(maxsize=1)
def _shipped_lexicon() -> Lexicon:
    ref = resources.files("yuqing.nlp").joinpath("data", "lexicon.tsv")
    return parse_lexicon(ref.read_text(encoding="utf-8"), "lexicon.tsv")


@lru_cache(maxsize=8192)
def is_break(token: str) -> bool:
    """Whether a token is punctuation that ends a clause (and a modifier's reach)."""
    return all(unicodedata.category(ch)[0] in "PS" for ch in token) and not token.startswith("[")


def logistic_negative(score: float, slope: float = 1.0) -> float:
    """Map a summed score (negative = bad) to a negative score in (0, 1)."""
    z = max(-30.0, min(30.0, slope * score))
    return 1.0 / (1.0 + math.exp(z))


class _Span(NamedTuple):
    entry: Entry
    start: int  # first token
    end: int  # one past the last token
    inner: tuple[Entry, ...] = ()  # modifiers glued to the front of the token (不太好)


def _find_spans(toks: list[str], lex: Lexicon) -> list[_Span]:
    spans: list[_Span] = []
    i, n = 0, len(toks)
    while i < n:
        span = _longest_join(toks, i, lex) or _decompose(toks[i], i, lex)
        if span is None:
            spans.extend(_inside(toks[i], i, lex))
            i += 1
        else:
            spans.append(span)
            i = span.end
    return spans


def _longest_join(toks: list[str], i: int, lex: Lexicon) -> _Span | None:
    joined, best = "", None
    for k in range(i, min(i + MAX_JOIN, len(toks))):
        joined += toks[k]
        if len(joined) > lex.max_len:
            break
        entry = lex.terms.get(joined)
        if entry is not None:
            best = _Span(entry, i, k + 1)
    return best


def _decompose(tok: str, i: int, lex: Lexicon) -> _Span | None:
    """不太好 -> [不太] 好, 太差 -> [太] 差: modifiers fused with a term by jieba."""
    inner: list[Entry] = []
    rest = tok
    for _ in range(3):
        for cut in range(min(len(rest) - 1, 4), 0, -1):
            mod = lex.modifiers.get(rest[:cut])
            if mod is not None:
                inner.append(mod)
                rest = rest[cut:]
                break
        else:
            return None
        entry = lex.terms.get(rest)
        if entry is not None:
            return _Span(entry, i, i + 1, tuple(inner))
    return None


def _inside(tok: str, i: int, lex: Lexicon) -> list[_Span]:
    """Terms of two or more characters inside a long unknown token, left to right."""
    if len(tok) < 3 or tok[0] in "@[#":
        return []
    found: list[_Span] = []
    pos = 0
    while pos < len(tok) - 1:
        for length in range(min(lex.max_len, len(tok) - pos), 1, -1):
            entry = lex.terms.get(tok[pos : pos + length])
            if entry is not None:
                found.append(_Span(entry, i, i + 1))
                pos += length
                break
        else:
            pos += 1
    return found


def _modifiers(toks: list[str], span: _Span, floor: int, lex: Lexicon) -> list[tuple[str, Entry]]:
    mods: list[tuple[str, Entry]] = []
    j = span.start - 1
    while j >= floor and span.start - j <= WINDOW and not is_break(toks[j]):
        mod = lex.modifiers.get(toks[j])
        if mod is not None:
            mods.insert(0, (toks[j], mod))
        j -= 1
    if span.inner:
        mods += [(m.term, m) for m in span.inner]
    return mods


def _contribution(entry: Entry, mods: list[tuple[str, Entry]]) -> tuple[float, str]:
    if not mods or entry.kind in ("emoticon", "sarcasm"):
        return entry.weight, entry.term
    negators = [(t, m) for t, m in mods if m.kind == "negator"]
    value = entry.weight
    for _, m in mods:
        if m.kind == "degree":
            value *= m.weight
    if len(negators) % 2 == 0:
        return value, entry.term
    for _, m in negators:
        value *= m.weight
    display = "+".join([t for t, _ in negators] + [entry.term])
    if entry.kind == "problem":
        return 0.0, display
    if entry.kind == "remedy":
        return value * NEGATED_REMEDY, display
    return -value * (1.0 if entry.weight > 0 else NEGATED_NEGATIVE), display


def score_tokens(tokens: list[str], lex: Lexicon, *, exclamations: int = 0) -> tuple[float, list[Hit]]:
    """Sum the lexicon contributions of ``tokens``; return the score and its hits."""
    toks = [t.strip().lower() for t in tokens if t.strip()]
    return _score_spans(toks, _find_spans(toks, lex), lex, exclamations)


def score_matched(tokens: list[str], lex: Lexicon, *, exclamations: int = 0) -> tuple[float, list[Hit]]:
    """``score_tokens`` for tokens cut at the lexicon's own words (lower-cased, stripped):
    a token is a term or modifier as a whole or not at all, so no joining or splitting."""
    terms = lex.terms
    spans = [_Span(terms[t], i, i + 1) for i, t in enumerate(tokens) if t in terms]
    return _score_spans(tokens, spans, lex, exclamations)


def _score_spans(toks: list[str], spans: list[_Span], lex: Lexicon, exclamations: int) -> tuple[float, list[Hit]]:
    if not spans:
        return 0.0, []
    if len(spans) > 1:  # an adverb-capable term right before another term is an adverb (好+差)
        modifiers = lex.modifiers
        last = spans[-1]
        spans = [
            s
            for s, after in pairwise(spans)
            if not (after.start == s.end and s.end - s.start == 1 and s.entry.term in modifiers)
        ]
        spans.append(last)
    hits: list[Hit] = []
    floor = 0
    for span in spans:
        mods = _modifiers(toks, span, floor, lex) if span.start > floor or span.inner else []
        value, display = _contribution(span.entry, mods)
        floor = span.end
        if value:
            hits.append(Hit(display, value, span.start))
    if any(s.entry.kind == "sarcasm" for s in spans):
        hits = [Hit(h.display, h.contribution * SARCASM_DAMPING, h.start) if h.contribution > 0 else h for h in hits]
    scale = 1.0 + EXCLAIM_STEP * min(exclamations, EXCLAIM_MAX)
    if scale != 1.0:
        hits = [Hit(h.display, h.contribution * scale, h.start) for h in hits]
    return sum(h.contribution for h in hits), hits


def evidence(hits: list[Hit], limit: int = 10) -> list[str]:
    """Distinct hit displays, strongest total contribution first, then by position."""
    total: dict[str, float] = {}
    first: dict[str, int] = {}
    for h in hits:
        total[h.display] = total.get(h.display, 0.0) + h.contribution
        first.setdefault(h.display, h.start)
    ranked = sorted(total, key=lambda d: (-abs(total[d]), first[d], d))
    return [d for d in ranked if total[d]][:limit]
