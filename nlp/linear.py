"""The default sentiment model: a logistic regression over Weibo-aware text features.

Runtime needs numpy (to read the model file) and nothing that segments words:
the features are read straight off the cleaned, simplified text. ``predict`` on
16 or more texts looks their n-grams up in one numpy batch, finds where the
lexicon's words may start with numpy too, and picks the evidence candidates
there (exactly the same result as ``predict_one``, which a test checks). ``yuqing.nlp.train`` fits the
weights (with scikit-learn); this module only loads and applies them.

Features of a text (see ``Featurizer``):

* character 1-3-grams of the lower-cased text, digits folded to ``0``; URLs,
  @mentions and emoticon codes stand as one placeholder character each;
* Weibo emoticon codes (``[怒]``) and ``#话题#`` as whole tokens;
* negation scope: the character and the two bigrams right after a negator
  (不/没/没有/别/未/无/非...) up to the next punctuation, as ``neg:`` features,
  shown as "不+满意";
* sarcasm markers (呵呵, 笑死, 真是好样的...), alone and together with praise;
* the hand-written lexicon's score, its positive and negative sums;
* ``!``/``?`` runs, length buckets.

Repost chains: the text before the first ``//@`` is the poster's own voice; the
reposted chain after it counts ``chain_weight`` (0.15) as much (the training
sets hold a dozen reposts, so this is a reading-time choice, kept in ``linear.json``). A bare repost
("转发微博") takes the chain as its own.

The n-gram block is L2-normalised, so long posts do not get extreme scores; the
few dense features are added as they are. The decision value goes through a
Platt calibration (fitted on out-of-fold Weibo predictions) to give
``negative_score``.

Model directory: ``linear.json`` (settings, bias, calibration, thresholds, the
training report) and ``linear.npz`` (``features``: the feature names as UTF-8
joined by NUL bytes, ``weights``: float16), read with ``allow_pickle=False``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import resources
from itertools import repeat
from operator import mul
from pathlib import Path
from typing import Any

from yuqing.nlp.lexicon import Lexicon, load_lexicon, score_matched
from yuqing.nlp.sentiment import Prediction
from yuqing.nlp.text import clean
from yuqing.post import Sentiment

FORMAT = "yuqing-linear"
FORMAT_VERSION = 1
JSON_NAME = "linear.json"
NPZ_NAME = "linear.npz"

# Placeholders in the character stream (private-use characters never seen in text).
URL_MARK, MENTION_MARK, EMOTICON_MARK = "\ue000", "\ue001", "\ue002"
SPECIAL = "\x01"  # prefix of every feature that is not an n-gram or a token; clean() never leaves one
NEG = SPECIAL + "neg:"
LEX = SPECIAL + "lex"
LEX_POS = SPECIAL + "lex+"
LEX_NEG = SPECIAL + "lex-"
SARCASM = SPECIAL + "sarcasm"
SARCASM_PRAISE = SPECIAL + "sarcasm+praise"

_URL = re.compile(r"(?:https?://|www\.)[\w\-./?%&=#:~+@]+", re.I)
_EMOTICON = re.compile(r"\[[^\[\]\s]{1,10}\]")
_MENTION = re.compile(r"@[\w\-·]{1,30}")
_TOPIC = re.compile(r"#([^#\n]{1,40})#")
_REPOST_SPLIT = "//@"
_BARE_REPOST = re.compile(r"^[\s\W_]*(?:转发微博|轉發微博|repost|转发|轉發)?[\s\W_]*$", re.I)
_DIGIT = re.compile("[1-9]")
_BANGS = re.compile(r"!+")
_QUESTIONS = re.compile(r"\?+")

# A negator character, and the words in which it negates nothing.
_NEGATORS = frozenset("不没别未无非莫勿甭")
_NOT_NEGATING_AFTER = (
    "非常",
    "别人",
    "别的",
    "别说",
    "未来",
    "不过",
    "不仅",
    "不但",
    "不管",
    "不断",
    "不少",
    "不久",
    "无论",
    "无数",
    "无限",
    "无比",
    "莫名",
)
_NOT_NEGATING_BEFORE = {"别": "特区差分级告类个性识辨离派鉴", "非": "除"}  # 特别, 区别..., 除非
_NEGATOR = re.compile("[不没别未无非莫勿甭]")
_NEGATOR_TAILS = ("有", "是", "能", "会", "要", "太", "怎么", "那么", "大", "够", "再", "曾")
_NEGATOR_TAIL = re.compile("|".join(_NEGATOR_TAILS))  # the first that matches, as in the tuple
_BREAKS = frozenset(" ,.!?;:，。！？；：、…~\"'“”‘’()（）【】《》<>-—" + URL_MARK + MENTION_MARK + EMOTICON_MARK)
BATCH, BATCH_MIN = 1024, 16  # texts per numpy batch; fewer than BATCH_MIN go one by one
MIN_EVIDENCE = 0.02  # logit units: a smaller push is not shown as evidence
NEG_SCOPE = 3  # characters a negation reaches past the negator (and its tail)

SARCASM_MARKERS = (
    "呵呵",
    "笑死",
    "真是好样的",
    "好样的",
    "真行",
    "真棒呢",
    "厉害了",
    "可真是",
    "真是服了",
    "服了",
    "醉了",
    "佩服佩服",
    "不愧是",
    "666",
    "[微笑]",
    "[doge]",
    "[笑而不语]",
    "[允悲]",
    "[摊手]",
)

_SARCASM = re.compile("|".join(re.escape(m) for m in sorted(SARCASM_MARKERS, key=len, reverse=True)))
_WHOLE_TOKEN = re.compile(r"^(?:\[[^\[\]\s]{1,10}\]|#[^#\n]{1,40}#)$")
# Dense features that say nothing a reader could check: kept out of the evidence.
_HIDDEN = (SPECIAL + "len", SPECIAL + "bias")
_UNSEEN = object()  # not in LinearModel._names yet (None there: not shown)


@dataclass
class FeatureConfig:
    """What the featurizer does; saved with the model so that it is read back the same."""

    ngram_max: int = 3
    chain_weight: float = 0.15
    neg_scope: int = NEG_SCOPE
    lexicon: bool = True
    normalise: bool = True


@dataclass
class Features:
    """One text's features: the n-gram block (normalised) and the dense ones (as they are)."""

    sparse: dict[str, float]
    dense: dict[str, float]
    display: dict[str, str] = field(default_factory=dict)  # feature -> how to show it, where not obvious
    lexicon_hits: list[tuple[str, float]] = field(default_factory=list)  # ("不+满意", -1.2)
    norm: float = 1.0
    uniform: bool = True  # every sparse value is 1.0 (no repost chain)


class _LexiconTokens:
    """The lexicon scorer's tokens without a word segmenter: forward maximum matching
    against the lexicon's words; a run of other characters becomes one filler token
    (about what a segmenter's unknown word is to the scorer), punctuation stays."""

    FILLER = "\ue003"

    def __init__(self, lexicon: Lexicon) -> None:
        words = set(lexicon.terms) | set(lexicon.modifiers)
        self.words = frozenset(words)
        # the first two characters of each longer word -> the lengths of the words they start, longest first
        lengths: dict[str, set[int]] = {}
        for w in words:
            if len(w) > 1:
                lengths.setdefault(w[:2], set()).add(len(w))
        self.lengths = {start: tuple(sorted(ls, reverse=True)) for start, ls in lengths.items()}
        # characters where a token other than filler may start
        self.singles = frozenset(w for w in words if len(w) == 1) | _BREAKS | {"["}
        self.terms = frozenset(lexicon.terms)
        self._arrays: tuple[Any, ...] | None = None  # for ``starts_of``: the sets above as numpy arrays

    def starts(self, text: str) -> list[int]:
        """Where in ``text`` a token other than filler may start."""
        singles, lengths = self.singles, self.lengths
        return [k for k in range(len(text)) if text[k] in singles or text[k : k + 2] in lengths]

    def starts_of(self, texts: Sequence[str]) -> list[list[int]]:
        """``starts`` of many texts at once, with numpy; ``[]`` for a text in which no term of the
        lexicon occurs, even as a substring: nothing there for the scorer, whatever the tokens."""
        import numpy as np

        if self._arrays is None:
            self._arrays = (*self._lookup(self.singles, self.lengths), *self._lookup(*_split_by_length(self.terms)))
        single, pairs, term_single, term_pairs = self._arrays
        # NUL between texts: neither a single nor the first or second character of a word
        codes = np.frombuffer(("\0".join(texts) + "\0").encode("utf-32-le"), dtype=np.uint32)
        pair = codes[:-1].astype(np.uint64) | codes[1:].astype(np.uint64) << np.uint64(21)
        at = np.minimum(np.searchsorted(pairs, pair), len(pairs) - 1)
        where = np.flatnonzero(single[codes[:-1]] | (pairs[at] == pair))
        offsets = np.cumsum([0] + [len(t) + 1 for t in texts])
        local = (where - offsets[np.searchsorted(offsets, where, side="right") - 1]).tolist()
        bounds = np.searchsorted(where, offsets).tolist()
        # a term starts with one of the terms' first characters (one-character terms) or first two
        at = np.minimum(np.searchsorted(term_pairs, pair), len(term_pairs) - 1)
        term_at = np.flatnonzero(term_single[codes[:-1]] | (term_pairs[at] == pair))
        has_term = np.zeros(len(texts) + 1, dtype=bool)
        has_term[np.searchsorted(offsets, term_at, side="right") - 1] = True
        return [local[a:b] if term else [] for a, b, term in zip(bounds, bounds[1:], has_term.tolist(), strict=False)]

    @staticmethod
    def _lookup(singles: Iterable[str], pairs: Iterable[str]) -> tuple[Any, Any]:
        """Characters as a table by code point, two-character strings as sorted integer keys."""
        import numpy as np

        table = np.zeros(0x110000, dtype=bool)
        table[[ord(ch) for ch in singles]] = True
        keys = np.array(sorted({ord(p[0]) | ord(p[1]) << 21 for p in pairs}) or [0], dtype=np.uint64)
        return table, keys

    def cut(self, text: str, starts: list[int] | None = None) -> list[str]:
        """The tokens of ``text``; ``starts``: ``self.starts(text)``, if already known."""
        n = len(text)
        words, lengths, filler = self.words, self.lengths, self.FILLER
        if starts is None:
            starts = self.starts(text)
        out: list[str] = []
        pos = 0
        for k in starts:
            if k < pos:
                continue
            if k > pos and (not out or out[-1] != filler):
                out.append(filler)
            ch = text[k]
            if ch == "[":
                end = text.find("]", k + 1, k + 12)
                if end > 0:
                    out.append(text[k : end + 1])
                    pos = end + 1
                    continue
            for length in lengths.get(text[k : k + 2], ()):  # the longest word that starts here
                if k + length <= n and text[k : k + length] in words:
                    out.append(text[k : k + length])
                    pos = k + length
                    break
            else:
                if ch in words or ch in _BREAKS:
                    out.append(ch)
                elif not out or out[-1] != filler:
                    out.append(filler)
                pos = k + 1
        if pos < n and (not out or out[-1] != filler):
            out.append(filler)
        return out


class Featurizer:
    """Turns cleaned text into ``Features``; pure Python, deterministic."""

    def __init__(self, config: FeatureConfig | None = None, lexicon: Lexicon | None = None) -> None:
        self.config = config or FeatureConfig()
        self.lexicon = lexicon if lexicon is not None else load_lexicon()
        self._lex_tokens = _LexiconTokens(self.lexicon)

    # -- the parts of a text -------------------------------------------------

    @staticmethod
    def split_repost(text: str) -> tuple[str, str]:
        """(own words, reposted chain); a bare repost makes the chain its own words."""
        cut = text.find(_REPOST_SPLIT)
        if cut < 0:
            return text, ""
        own, chain = text[:cut], text[cut:]
        if _BARE_REPOST.match(own):
            return chain, ""
        return own, chain

    def extract(self, text: str) -> Features:
        """Features of ``text``, which should already be ``clean``ed."""
        cfg = self.config
        own, chain = self.split_repost(text)
        sparse: dict[str, float] = {}
        dense: dict[str, float] = {}
        display: dict[str, str] = {}
        self._part(own, 1.0, sparse, display)
        if chain:  # (no "is a repost" feature: the training sets have a dozen reposts, too few to learn from)
            self._part(chain, cfg.chain_weight, sparse, display)
        hits: list[tuple[str, float]] = []
        if cfg.lexicon:
            hits = self._lexicon(own, dense)
        dense[_length_bucket(len(own))] = 1.0
        norm = 1.0
        if cfg.normalise and sparse:
            norm = math.sqrt(sum(v * v for v in sparse.values()) if chain else len(sparse))
        return Features(sparse, dense, display, hits, norm, uniform=not chain)

    def _part(self, text: str, weight: float, sparse: dict[str, float], display: dict[str, str]) -> None:
        s, extras = self.stream(text, display)
        grams = self.ngrams(s)
        grams += extras
        if weight >= 1.0:
            sparse.update(dict.fromkeys(grams, weight))
        else:
            for g in grams:
                if g not in sparse:
                    sparse[g] = weight

    def ngrams(self, s: str) -> list[str]:
        """The character n-grams of a ``stream``, in feature order (all 1-grams, 2-grams, 3-grams)."""
        n, top = len(s), self.config.ngram_max
        grams: list[str] = list(s)
        if top >= 2:
            grams += [s[i : i + 2] for i in range(n - 1)]
        if top >= 3:
            grams += [s[i : i + 3] for i in range(n - 2)]
        return grams

    def stream(self, text: str, display: dict[str, str]) -> tuple[str, list[str]]:
        """The character stream the n-grams are read from (lower-cased, placeholders, digits
        folded) and the part's other features: tokens, sarcasm, !/? runs, negations."""
        low = text.lower()
        extras: list[str] = []
        if "[" in low:
            extras.extend(_EMOTICON.findall(low))
            low = _EMOTICON.sub(EMOTICON_MARK, low)
        if "#" in low:
            extras.extend(f"#{t.strip()}#" for t in _TOPIC.findall(low) if t.strip())
        if "http" in low or "www." in low:
            low = _URL.sub(URL_MARK, low)
        if "@" in low:
            low = _MENTION.sub(MENTION_MARK, low)
        s = _DIGIT.sub("0", low)
        if "\n" in s:
            s = s.replace("\n", " ")
        sarcasm = _SARCASM.search(low)
        if sarcasm:
            extras.append(SARCASM)
            display.setdefault(SARCASM, sarcasm.group())
        if "!" in s:
            extras += [SPECIAL + "!" * min(len(m), 3) for m in _BANGS.findall(s)]
        if "?" in s:
            extras += [SPECIAL + "?" * min(len(m), 3) for m in _QUESTIONS.findall(s)]
        extras += self._negations(s, display)
        return s, extras

    def _negations(self, s: str, display: dict[str, str]) -> list[str]:
        out: list[str] = []
        scope = self.config.neg_scope
        n = len(s)
        after = 0  # a negator inside the last one's run (并不, 不不) is part of it
        for m in _NEGATOR.finditer(s):
            i = m.start()
            if i < after:
                continue
            ch = s[i]
            if s.startswith(_NOT_NEGATING_AFTER, i) or (i and s[i - 1] in _NOT_NEGATING_BEFORE.get(ch, "")):
                continue
            j = i + 1
            while j < n and s[j] in _NEGATORS:
                j += 1
            tail = _NEGATOR_TAIL.match(s, j)
            if tail:
                j = tail.end()
            after = j
            end = j
            while end < n and end < j + scope and s[end] not in _BREAKS:
                end += 1
            if end > j:
                negator = s[i:j]
                for g in [s[j]] + [s[k : k + 2] for k in range(j, min(end - 1, j + 2))]:
                    name = NEG + g
                    out.append(name)
                    display.setdefault(name, f"{negator}+{g}")
        return out

    def _lexicon(self, own: str, dense: dict[str, float], starts: list[int] | None = None) -> list[tuple[str, float]]:
        """The lexicon's dense features of ``own`` (the poster's words) into ``dense``, and its hits;
        ``starts``: ``starts_of`` ``own.lower()``, if already known."""
        if starts == []:
            return []  # no term in the text
        low = own.lower()
        score, hits = score_matched(self._lex_tokens.cut(low, starts), self.lexicon, exclamations=low.count("!"))
        if not hits:
            return []
        pos = sum(h.contribution for h in hits if h.contribution > 0)
        neg = -sum(h.contribution for h in hits if h.contribution < 0)
        dense[LEX] = max(-3.0, min(3.0, score / 2.0))
        if pos:
            dense[LEX_POS] = min(3.0, math.log1p(pos))
        if neg:
            dense[LEX_NEG] = min(3.0, math.log1p(neg))
        if pos and _SARCASM.search(low):
            dense[SARCASM_PRAISE] = 1.0
        return [(h.display, h.contribution) for h in hits]


def _stable_argsort(key: Any) -> Any:
    """``numpy.argsort(key, kind="stable")`` of uint64 keys, as four stable passes over their 16-bit
    digits, least significant first: numpy radix-sorts 16-bit keys, 2-3x faster than it sorts these."""
    import numpy as np

    order = np.argsort((key & np.uint64(0xFFFF)).astype(np.uint16), kind="stable")
    for shift in (16, 32, 48):
        digit = (key[order] >> np.uint64(shift)).astype(np.uint16)
        order = order[np.argsort(digit, kind="stable")]
    return order


_LENGTHS = tuple((limit, f"{SPECIAL}len<{limit}") for limit in (10, 40, 140))


def _split_by_length(words: Iterable[str]) -> tuple[list[str], list[str]]:
    """(the one-character words, the first two characters of the others)"""
    words = list(words)
    return [w for w in words if len(w) == 1], [w[:2] for w in words if len(w) > 1]


def _length_bucket(n: int) -> str:
    for limit, name in _LENGTHS:
        if n < limit:
            return name
    return f"{SPECIAL}len+"


def readable(gram: str, singles: frozenset[str] = frozenset()) -> bool:
    """Whether an n-gram or token is shown as evidence (as it is): ``display_name`` for those."""
    if gram[0] in "[#":
        return _WHOLE_TOKEN.match(gram) is not None  # [怒], #话题#
    return gram.isalnum() and not gram.isdigit() and (len(gram) > 1 or gram in singles)


def display_name(feature: str, features: Features, singles: frozenset[str] = frozenset()) -> str | None:
    """How a feature is shown as evidence; None for those a reader would not learn from:
    n-grams with punctuation, spaces or placeholders in them, bare numbers, and single
    characters other than ``singles`` (the lexicon's one-character words: 差, 烂, 赞)."""
    if feature[0] != SPECIAL:
        return feature if readable(feature, singles) else None
    shown = features.display.get(feature)
    if shown is not None:
        return shown
    if feature.startswith(_HIDDEN):
        return None
    rest = feature[1:]
    if rest.startswith(("!", "?")):
        return rest
    return None


# -- the model ---------------------------------------------------------------------------------------


@dataclass
class LinearParams:
    """Everything in ``linear.json`` besides the weights."""

    bias: float
    calibration: tuple[float, float] = (1.0, 0.0)  # p = sigmoid(a * z + b)
    negative_at: float = 0.5
    positive_at: float = 0.35
    positive_evidence: float = 0.25  # a positive cue at least this strong (logit) makes a text "positive"
    features: FeatureConfig = field(default_factory=FeatureConfig)
    report: dict[str, Any] = field(default_factory=dict)


class LinearModel:
    """Logistic regression over ``Featurizer`` features (see the module docstring)."""

    name = "linear"
    evidence_limit = 8

    def __init__(self, weights: dict[str, float], params: LinearParams, lexicon: Lexicon | None = None) -> None:
        self.weights = weights
        self.params = params
        self.featurizer = Featurizer(params.features, lexicon)
        self._singles = frozenset(t for t in self.featurizer.lexicon.terms if len(t) == 1)
        self._table: tuple[Any, Any, Any] | None = None  # the batch path's n-gram keys, weights, readable
        # display_name of the n-grams and tokens met so far (only features with a weight: bounded)
        self._names: dict[str, str | None] = {}

    # -- scoring -------------------------------------------------------------------------------------

    def decision(self, feats: Features) -> float:
        """The raw logit (positive = negative sentiment) before calibration."""
        w = self.weights
        if feats.uniform:
            sparse = sum(map(w.get, feats.sparse, repeat(0.0)))
        else:
            sparse = sum(w.get(k, 0.0) * v for k, v in feats.sparse.items())
        dense = sum(w.get(k, 0.0) * v for k, v in feats.dense.items())
        return self.params.bias + sparse / feats.norm + dense

    def probability(self, z: float) -> float:
        a, b = self.params.calibration
        t = max(-35.0, min(35.0, a * z + b))
        return 1.0 / (1.0 + math.exp(-t))

    def predict(self, texts: Sequence[str], tokens: Sequence[list[str]] | None = None) -> list[Prediction]:
        """One prediction per text. ``tokens`` is accepted for the common interface and not
        needed: the features come from the text itself (cleaned here, idempotently)."""
        if tokens is not None and len(tokens) != len(texts):
            raise ValueError(f"got {len(texts)} texts but {len(tokens)} token lists")
        if len(texts) < BATCH_MIN or not self._batchable():
            return [self.predict_one(t) for t in texts]
        out: list[Prediction] = []
        for start in range(0, len(texts), BATCH):
            out.extend(self._predict_batch(texts[start : start + BATCH]))
        return out

    # -- the batch path: the n-gram block of many texts at once, with numpy ------------------------
    #
    # Same features, same weights, same arithmetic in the same order as ``predict_one`` (a test
    # checks they agree exactly): an n-gram of up to three characters is the integer
    # c0 | c1 << 21 | c2 << 42 of its code points, looked up in the sorted keys of the model's
    # n-gram weights; repeats within a text are found by sorting. Posts that repost others go
    # through ``predict_one`` (their chain features weigh less).

    def _batchable(self) -> bool:
        cfg = self.params.features
        return cfg.normalise and cfg.ngram_max == 3

    def _ngram_table(self) -> tuple[Any, Any, Any]:
        if self._table is None:
            import numpy as np

            table = [(g, v) for g, v in self.weights.items() if 0 < len(g) <= 3 and g[0] != SPECIAL]
            grams = [g for g, _ in table]
            vals = np.array([v for _, v in table], dtype=np.float64)
            shown = np.array([readable(g, self._singles) for g in grams], dtype=bool)
            padded = "".join(g.ljust(3, "\0") for g in grams).encode("utf-32-le")  # NUL adds nothing to a key
            codes = np.frombuffer(padded, dtype=np.uint32).reshape(-1, 3).astype(np.uint64)
            keys = codes[:, 0] | codes[:, 1] << np.uint64(21) | codes[:, 2] << np.uint64(42)
            order = np.argsort(keys)
            self._table = (keys[order], vals[order], shown[order])
        return self._table

    def _predict_batch(self, texts: Sequence[str]) -> list[Prediction]:
        import numpy as np

        fz, w = self.featurizer, self.weights
        results: list[Prediction | None] = [None] * len(texts)
        owns: list[tuple[int, str]] = []  # (position, the poster's own words)
        for i, text in enumerate(texts):
            c = clean(text)
            own, chain = fz.split_repost(c)
            if chain:
                results[i] = self.predict_one(c)
            else:
                owns.append((i, own))
        lexicon = fz.config.lexicon
        starts = fz._lex_tokens.starts_of([own.lower() for _, own in owns]) if lexicon else [None] * len(owns)
        items: list[tuple[int, str, list[str], Features]] = []  # (position, stream, extras, features)
        for (i, own), own_starts in zip(owns, starts, strict=True):
            display: dict[str, str] = {}
            stream, extras = fz.stream(own, display)
            dense: dict[str, float] = {}
            hits = fz._lexicon(own, dense, own_starts) if lexicon else []
            dense[_length_bucket(len(own))] = 1.0
            if extras:  # the extras that are not also one of the text's n-grams (#话题# of one character), once
                extras = [x for x in dict.fromkeys(extras) if x[0] == SPECIAL or len(x) > 3 or x not in stream]
            items.append((i, stream, extras, Features({}, dense, display, hits)))
        if not items:
            return results  # type: ignore[return-value]
        keys, vals, shown = self._ngram_table()
        lens = np.array([len(it[1]) for it in items], dtype=np.int64)
        joined = "".join(it[1] for it in items)
        codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        starts = np.cumsum(lens) - lens
        n_items = len(items)
        tids, poss, grams_n = [], [], []
        for n in (1, 2, 3):
            count = np.maximum(lens - n + 1, 0)
            tid = np.repeat(np.arange(n_items), count)
            pos = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count) + np.repeat(starts, count)
            tids.append(tid)
            poss.append(pos)
            grams_n.append(np.full(len(pos), n, dtype=np.int64))
        order = np.argsort(np.concatenate(tids), kind="stable")  # per text: 1-grams, 2-grams, 3-grams
        tid = np.concatenate(tids)[order]
        pos = np.concatenate(poss)[order]
        size = np.concatenate(grams_n)[order]
        key = codes[pos].copy()
        two = size >= 2
        key[two] |= codes[pos[two] + 1] << np.uint64(21)
        three = size == 3
        key[three] |= codes[pos[three] + 2] << np.uint64(42)
        # repeats within a text: equal (key, text) pairs sort together, the first one counts; the
        # sorted keys also make the lookup's binary searches walk the table in order
        by_key = _stable_argsort(key)  # tid is sorted already: this is np.lexsort((tid, key))
        ks, ts = key[by_key], tid[by_key]
        repeat_sorted = np.zeros(len(ks), dtype=bool)
        repeat_sorted[1:] = (ks[1:] == ks[:-1]) & (ts[1:] == ts[:-1])
        at = np.searchsorted(keys, ks)
        at[at == len(keys)] = 0
        found = ~repeat_sorted & (keys[at] == ks)
        weight = np.zeros(len(ks))
        weight[by_key[found]] = vals[at[found]]
        readable_gram = np.zeros(len(ks), dtype=bool)
        readable_gram[by_key[found]] = shown[at[found]]
        first = np.empty(len(ks), dtype=bool)
        first[by_key] = ~repeat_sorted
        unique = np.bincount(tid[first], minlength=n_items).tolist()
        sums = np.bincount(tid, weights=weight, minlength=n_items).tolist()
        scored = []
        bias, probability = self.params.bias, self.probability
        for (_i, _stream, extras, feats), total, size_j in zip(items, sums, unique, strict=True):
            extra_w = [w.get(x, 0.0) for x in extras]
            for v in extra_w:
                total += v
            size_j += len(extras)
            inv = 1.0 / (math.sqrt(size_j) if size_j else 1.0)
            dense = {k: w.get(k, 0.0) * v for k, v in feats.dense.items()}
            scored.append((probability(bias + total * inv + sum(dense.values())), inv, extra_w, dense))
        # evidence candidates of the whole batch at once: readable n-grams pushing past the cut, towards each side
        side = np.array([1.0 if sc[0] >= 0.5 else -1.0 for sc in scored])
        cuts = np.array([MIN_EVIDENCE / sc[1] for sc in scored])
        push = weight * side[tid]
        picked = np.flatnonzero((push > cuts[tid]) & readable_gram)
        if len(picked):
            # only the strongest 2 * evidence_limit per text (and any tied with the last) can be shown
            limit = 2 * self.evidence_limit
            order = np.lexsort((-push[picked], tid[picked]))
            picked = picked[order]
            pt = tid[picked]
            group_start = np.searchsorted(pt, pt)
            rank = np.arange(len(picked)) - group_start
            floor = np.full(n_items, -np.inf)
            at_limit = rank == limit - 1
            floor[pt[at_limit]] = push[picked[at_limit]]
            picked = picked[push[picked] >= floor[pt]]
        # the candidates in text order (lexsort above): text j's are pushes[bounds[j]:bounds[j + 1]]
        pick_tid = tid[picked]
        invs = np.array([sc[1] for sc in scored])
        pushes = (push[picked] * invs[pick_tid]).tolist()  # = (weight towards the side) * inv, exactly
        grams = [joined[a:b] for a, b in zip(pos[picked].tolist(), (pos[picked] + size[picked]).tolist(), strict=True)]
        bounds = np.searchsorted(pick_tid, np.arange(n_items + 1)).tolist()
        for (i, _stream, extras, feats), (p, inv, extra_w, dense), a, b in zip(
            items, scored, bounds, bounds[1:], strict=False
        ):
            negative = p >= 0.5
            cut = MIN_EVIDENCE / inv
            ranked = list(zip(pushes[a:b], grams[a:b], strict=True))
            for x, v in zip(extras, extra_w, strict=True):
                if (v > cut) if negative else (v < -cut):
                    shown_as = self._shown_as(x, feats)
                    if shown_as:
                        ranked.append(((v if negative else -v) * inv, shown_as))
            evidence = self._evidence_ranked(feats, ranked, dense, negative)
            results[i] = Prediction(label=self._label(p, feats), negative_score=round(p, 6), evidence=evidence)
        return results  # type: ignore[return-value]

    def negative_scores(self, texts: Sequence[str]) -> list[float]:
        """Just the calibrated scores, for evaluation."""
        ext = self.featurizer.extract
        return [self.probability(self.decision(ext(clean(t)))) for t in texts]

    def predict_one(self, text: str) -> Prediction:
        feats = self.featurizer.extract(clean(text))
        w = self.weights
        keys = list(feats.sparse)
        vals = list(map(w.get, keys, repeat(0.0)))
        if not feats.uniform:
            vals = list(map(mul, vals, feats.sparse.values()))
        inv = 1.0 / feats.norm
        dense = {k: w.get(k, 0.0) * v for k, v in feats.dense.items()}
        z = self.params.bias + sum(vals) * inv + sum(dense.values())
        p = self.probability(z)
        negative = p >= 0.5
        evidence = self._evidence(feats, keys, vals, inv, dense, negative)
        return Prediction(label=self._label(p, feats), negative_score=round(p, 6), evidence=evidence)

    def _label(self, p: float, feats: Features) -> Sentiment:
        if p >= self.params.negative_at:
            return "negative"
        if p <= self.params.positive_at and self._has_praise(feats):
            return "positive"
        return "neutral"

    def _has_praise(self, feats: Features) -> bool:
        """Whether the lexicon finds praise worth ``positive_evidence``: "positive" needs a
        reason (the training labels put neutral news with praise), a mere absence of
        complaints is "neutral"."""
        return sum(c for _, c in feats.lexicon_hits if c > 0) >= self.params.positive_evidence

    def contributions(self, feats: Features) -> dict[str, float]:
        """Each feature's share of the decision value (positive = towards negative)."""
        w = self.weights
        out: dict[str, float] = {}
        for k, v in feats.sparse.items():
            wk = w.get(k)
            if wk:
                out[k] = wk * v / feats.norm
        for k, v in feats.dense.items():
            wk = w.get(k)
            if wk:
                out[k] = out.get(k, 0.0) + wk * v
        return out

    def _evidence(
        self,
        feats: Features,
        keys: list[str],
        vals: list[float],
        inv: float,
        dense: dict[str, float],
        negative: bool,
    ) -> list[str]:
        """Displays of the features that pushed the score towards its side, strongest first."""
        cut = MIN_EVIDENCE / inv
        ranked = []
        for k, v in zip(keys, vals, strict=True):
            if (v > cut) if negative else (v < -cut):
                shown_as = self._shown_as(k, feats)
                if shown_as:
                    ranked.append(((v if negative else -v) * inv, shown_as))
        return self._evidence_ranked(feats, ranked, dense, negative)

    def _shown_as(self, feature: str, feats: Features) -> str | None:
        """``display_name``, remembered for n-grams and tokens (they show the same in every text)."""
        if feature[0] == SPECIAL:
            return display_name(feature, feats)
        shown_as = self._names.get(feature, _UNSEEN)
        if shown_as is _UNSEEN:
            shown_as = self._names[feature] = display_name(feature, feats, self._singles)
        return shown_as  # type: ignore[return-value]

    def _evidence_ranked(
        self, feats: Features, ranked: list[tuple[float, str]], dense: dict[str, float], negative: bool
    ) -> list[str]:
        """``_evidence`` once the readable sparse features' pushes (towards the side) are listed,
        as (push, display): the strongest 2 * ``evidence_limit`` of them and of the dense features
        are shown, with the lexicon's hits; a display's pushes add up."""
        shown: dict[str, float] = {}
        for k, c in dense.items():
            c = c if negative else -c
            if c <= MIN_EVIDENCE:
                continue
            if k in (LEX, LEX_POS, LEX_NEG):  # the lexicon's own hits, on the side they help
                for disp, lc in feats.lexicon_hits:
                    if (lc < 0) == negative:
                        shown[disp] = max(shown.get(disp, 0.0), c * min(1.0, abs(lc)))
            else:
                disp = display_name(k, feats)
                if disp:
                    ranked.append((c, disp))
        ranked.sort(reverse=True)
        for c, disp in ranked[: 2 * self.evidence_limit]:
            shown[disp] = shown.get(disp, 0.0) + c
        out: list[str] = []
        seen = ""  # what is shown so far, "+" removed, NUL-separated
        for _, d in sorted([(-c, d) for d, c in shown.items()]):
            bare = d.replace("+", "")
            if bare in seen:
                continue  # "满" after "满意", "满意" after "不+满意"
            out.append(d)
            seen += "\x00" + bare
            if len(out) >= self.evidence_limit:
                break
        return out

    # -- files ---------------------------------------------------------------------------------------

    def save(self, directory: Path) -> None:
        import numpy as np

        directory.mkdir(parents=True, exist_ok=True)
        names = sorted(self.weights)
        blob = "\x00".join(names).encode("utf-8")
        np.savez_compressed(
            directory / NPZ_NAME,
            features=np.frombuffer(blob, dtype=np.uint8),
            weights=np.array([self.weights[n] for n in names], dtype=np.float16),
        )
        meta = {"format": FORMAT, "version": FORMAT_VERSION, "name": self.name, **asdict(self.params)}
        (directory / JSON_NAME).write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, directory: Path | None = None) -> LinearModel:
        """The model in ``directory`` (``linear.json`` + ``linear.npz``), or the shipped one."""
        if directory is None:
            return _shipped()
        return cls._read(Path(directory) / JSON_NAME, Path(directory) / NPZ_NAME)

    @classmethod
    def _read(cls, json_path: Any, npz_path: Any) -> LinearModel:
        import numpy as np

        try:
            meta = json.loads(json_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ValueError(f"no linear model at {json_path}") from None
        if meta.get("format") != FORMAT or meta.get("version") != FORMAT_VERSION:
            raise ValueError(f"{json_path}: not a {FORMAT} v{FORMAT_VERSION} model")
        with npz_path.open("rb") as f, np.load(f, allow_pickle=False) as npz:
            blob = npz["features"].tobytes().decode("utf-8")
            values = npz["weights"].astype(np.float64).tolist()
        names = blob.split("\x00") if blob else []
        if len(names) != len(values):
            raise ValueError(f"{npz_path}: {len(names)} features but {len(values)} weights")
        cfg = FeatureConfig(**meta.get("features", {}))
        params = LinearParams(
            bias=float(meta["bias"]),
            calibration=tuple(meta.get("calibration", (1.0, 0.0))),  # type: ignore[arg-type]
            negative_at=float(meta.get("negative_at", 0.5)),
            positive_at=float(meta.get("positive_at", 0.35)),
            positive_evidence=float(meta.get("positive_evidence", 0.25)),
            features=cfg,
            report=meta.get("report", {}),
        )
        return cls(dict(zip(names, values, strict=True)), params)


@lru_cache(maxsize=1)
def _shipped() -> LinearModel:
    root = resources.files("yuqing.nlp").joinpath("models")
    return LinearModel._read(root.joinpath(JSON_NAME), root.joinpath(NPZ_NAME))
