"""Chinese word segmentation with brand and product names kept whole.

``Segmenter`` owns a private ``jieba.Tokenizer`` (never jieba's global one), so
user words added for one set of brands do not leak into other segmenters.
Building jieba's prefix dictionary takes about half a second; it happens on
the first ``cut``, not in the constructor. ``cut`` gives exactly jieba's
accurate mode (``Tokenizer.cut``), from ``AccurateCut`` and ``HmmCut``: the
same dictionary, scores and HMM, in about half of jieba's time on Weibo posts
(less once recurring blocks and unknown runs are cached).
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jieba

# A user word gets at least this frequency, so that in context it beats any
# split of itself (jieba's most frequent word, "的", has about 320k).
USER_WORD_FREQ = 100_000
SEARCH_CACHE_SIZE = 200_000  # words whose search expansion is kept (they repeat a lot)
HMM_CACHE_SIZE = 50_000  # runs of unknown characters whose HMM split is kept
BLOCK_CACHE_SIZE = 50_000  # runs of word characters (between punctuation) whose words are kept
PREFIX = 1.0  # in AccurateCut's table: not a word, only a prefix of some (a log-probability is < 0)
NONE = -math.inf  # no word found yet

# jieba only joins characters of this class into words; other characters
# (spaces, "·", "'") always end a word, so user words containing them are
# protected by a regex before jieba sees the text.
_JIEBA_WORD = re.compile(r"^[\u4E00-\u9FD5a-zA-Z0-9+#&._%\-]+$")
# Spans always kept as one token: Weibo emoticon codes, and @mentions whose
# name run ends at a space or a colon (Weibo's own separators; a mention run
# straight into the sentence is left to jieba rather than swallow the text).
_EMOTICON = r"\[[^\[\]\s]{1,10}\]"
_MENTION = r"@[\w\-·]{1,30}(?![\w\-·])(?=[\s:])"


def _quiet_jieba() -> None:
    """Keep jieba's "Building prefix dict" chatter off the console.

    jieba sets its loggers to DEBUG when imported, so call this after import.
    """
    for name in ("jieba", "jieba._compat"):
        logging.getLogger(name).setLevel(logging.WARNING)


class HmmCut:
    """jieba's HMM word finder (``jieba.finalseg.cut``), word for word: the same
    model, its Viterbi pass written out for the four states (B, M, E, S: a word's
    begin, middle, end, or a single-character word) with back-pointers, where
    jieba copies every state's whole path at every character."""

    def __init__(self) -> None:
        from jieba import finalseg

        self._finalseg = finalseg  # its patterns and Force_Split_Words (read live, as jieba does)
        self._start = finalseg.start_P
        self._emit = [finalseg.emit_P[y] for y in "BMSE"]
        t = finalseg.trans_P  # the eight transitions jieba allows: into each state from two others
        into_b, into_m, into_s, into_e = (
            (t["E"]["B"], t["S"]["B"]),
            (t["M"]["M"], t["B"]["M"]),
            (t["S"]["S"], t["E"]["S"]),
            (t["M"]["E"], t["B"]["E"]),
        )
        self._trans = (*into_b, *into_m, *into_s, *into_e)
        self._floor = finalseg.MIN_FLOAT  # a character a state never emits

    def __call__(self, run: str) -> list[str]:
        finalseg = self._finalseg
        words: list[str] = []
        for block in finalseg.re_han.split(run):
            if finalseg.re_han.match(block):
                for word in self._words(block):
                    words.extend(word if word in finalseg.Force_Split_Words else (word,))
            else:
                words.extend(x for x in finalseg.re_skip.split(block) if x)
        return words

    def _words(self, block: str) -> list[str]:
        """The words of a run of Chinese characters, read off its best state sequence."""
        words: list[str] = []
        begin = after = 0
        for i, state in enumerate(self.states(block)):
            if state == "B":
                begin = i
            elif state == "E":
                words.append(block[begin : i + 1])
                after = i + 1
            elif state == "S":
                words.append(block[i])
                after = i + 1
        if after < len(block):
            words.append(block[after:])
        return words

    def states(self, block: str) -> str:
        """The most likely B/M/E/S sequence; ties go where jieba's ``max`` over
        (probability, state letter) sends them: to the later letter."""
        eb, em, es, ee = self._emit
        t_eb, t_sb, t_mm, t_bm, t_ss, t_es, t_me, t_be = self._trans
        floor, start = self._floor, self._start
        c = block[0]
        b, m = start["B"] + eb.get(c, floor), start["M"] + em.get(c, floor)
        s, e = start["S"] + es.get(c, floor), start["E"] + ee.get(c, floor)
        back: list[tuple[str, str, str, str]] = []
        for c in block[1:]:
            to_b, to_m, to_s, to_e = eb.get(c, floor), em.get(c, floor), es.get(c, floor), ee.get(c, floor)
            b_from_e, b_from_s = e + t_eb + to_b, s + t_sb + to_b
            m_from_m, m_from_b = m + t_mm + to_m, b + t_bm + to_m
            s_from_s, s_from_e = s + t_ss + to_s, e + t_es + to_s
            e_from_m, e_from_b = m + t_me + to_e, b + t_be + to_e
            b, pb = (b_from_s, "S") if b_from_s >= b_from_e else (b_from_e, "E")
            m, pm = (m_from_m, "M") if m_from_m >= m_from_b else (m_from_b, "B")
            s, ps = (s_from_s, "S") if s_from_s >= s_from_e else (s_from_e, "E")
            e, pe = (e_from_m, "M") if e_from_m >= e_from_b else (e_from_b, "B")
            back.append((pb, pm, ps, pe))
        state = "S" if s >= e else "E"
        path = [state]
        for step in reversed(back):
            state = step["BMSE".index(state)]
            path.append(state)
        return "".join(reversed(path))


class AccurateCut:
    """jieba's accurate mode (``Tokenizer.cut(text, HMM=hmm)``), word for word less the
    whitespace tokens, in fewer Python operations: each dictionary word's
    log-probability is taken once, here, not on every edge of every sentence's
    DAG; the DAG and the best route through it are found in one backward pass;
    the HMM's split of each run of unknown characters is kept (short runs recur:
    哈哈哈, names, slang), and so are the words of each block.

    Build it after the last ``add_word``: it reads the tokenizer's dictionary once.
    """

    def __init__(self, tokenizer: jieba.Tokenizer, *, hmm: bool = True) -> None:
        import jieba

        self.hmm = hmm
        self._blocks = jieba.re_han_default  # runs of characters jieba may join into words
        self._latin = jieba.re_eng
        self._hmm_cut = HmmCut()
        logtotal = math.log(tokenizer.total)
        # jieba's score of a word, log(freq) - log(total); PREFIX for a mere prefix of words
        self._score = {w: math.log(f) - logtotal if f else PREFIX for w, f in tokenizer.FREQ.items()}
        self._unknown = math.log(1) - logtotal  # a character the dictionary lacks counts as freq 1
        self._hmm: dict[str, list[str]] = {}
        self._block_words: dict[str, list[str]] = {}

    def __call__(self, text: str) -> list[str]:
        out: list[str] = []
        for block in self._blocks.split(text):
            if not block:
                continue
            if self._blocks.match(block):
                words = self._block_words.get(block)
                out.extend(words if words is not None else self._cut_block(block))
            else:
                out.extend(ch for ch in block if not ch.isspace())  # each character, as jieba gives them
        return out

    def _route(self, block: str) -> list[int]:
        """For each position, where the best-scoring word from it ends (jieba's ``calc``
        over ``get_DAG``: highest total log-probability, ties to the longer word)."""
        n = len(block)
        table, unknown = self._score, self._unknown
        score = [0.0] * (n + 1)
        end = list(range(n))
        for k in range(n - 1, -1, -1):
            best = NONE
            for i in range(k, n):
                p = table.get(block[k : i + 1])
                if p is None:
                    break  # no word starts with these characters
                if p != PREFIX:
                    p += score[i + 1]
                    if p >= best:
                        best, end[k] = p, i
            score[k] = best if best != NONE else unknown + score[k + 1]
        return end

    def _cut_block(self, block: str) -> list[str]:
        """The words of a block (a run of word characters); kept, as blocks recur (转发微博)."""
        end = self._route(block)
        words = self._join_unknown(block, end) if self.hmm else self._join_latin(block, end)
        if len(self._block_words) >= BLOCK_CACHE_SIZE:
            self._block_words.clear()
        self._block_words[block] = words
        return words

    def _join_unknown(self, block: str, end: list[int]) -> list[str]:
        """jieba's ``__cut_DAG``: the route's words; runs of single characters the
        dictionary lacks as a whole go to the HMM."""
        out: list[str] = []
        x, n, run = 0, len(block), ""
        while x < n:
            y = end[x] + 1
            if y - x == 1:
                run += block[x]
            else:
                if run:
                    self._flush(run, out)
                    run = ""
                out.append(block[x:y])
            x = y
        if run:
            self._flush(run, out)
        return out

    def _join_latin(self, block: str, end: list[int]) -> list[str]:
        """jieba's ``__cut_DAG_NO_HMM``: the route's words, single Latin letters and
        digits in a row joined into one."""
        out: list[str] = []
        x, n, latin = 0, len(block), ""
        while x < n:
            y = end[x] + 1
            word = block[x:y]
            if y - x == 1 and self._latin.match(word):
                latin += word
            else:
                if latin:
                    out.append(latin)
                    latin = ""
                out.append(word)
            x = y
        if latin:
            out.append(latin)
        return out

    def _flush(self, run: str, out: list[str]) -> None:
        if len(run) == 1 or self._score.get(run, PREFIX) != PREFIX:
            out.extend(run)  # a dictionary word cut into characters by the route stays so
            return
        words = self._hmm.get(run)
        if words is None:
            if len(self._hmm) >= HMM_CACHE_SIZE:
                self._hmm.clear()
            words = self._hmm[run] = self._hmm_cut(run)
        out.extend(words)


class Segmenter:
    """Segments cleaned text; ``user_words`` are never split."""

    def __init__(
        self, user_words: Iterable[str] = (), *, cache_dir: Path | None = None, new_words: bool = True
    ) -> None:
        """``new_words``: let jieba's HMM join characters into words its dictionary lacks
        (names, new slang). Without it, such words come out as single characters and
        segmentation runs about 1.5 times as fast (cold caches, Weibo posts)."""
        words = {w.strip() for w in user_words if w and w.strip()}
        self.user_words: frozenset[str] = frozenset(words)
        self.cache_dir = cache_dir
        self.new_words = new_words
        self._search_words: dict[str, tuple[str, ...]] = {}
        self._tokenizer: jieba.Tokenizer | None = None
        self._accurate: AccurateCut | None = None
        self._lock = threading.Lock()
        special = sorted((w for w in words if not _JIEBA_WORD.match(w)), key=len, reverse=True)
        parts = [re.escape(w) for w in special] + [_EMOTICON, _MENTION]
        self._protected = re.compile("(" + "|".join(parts) + ")", re.I)

    def cut(self, text: str) -> list[str]:
        """Accurate-mode segmentation; whitespace tokens are dropped."""
        return self._segment(text, search=False)

    def cut_for_search(self, text: str) -> list[str]:
        """Like ``cut``, plus the dictionary words found inside long tokens."""
        return self._segment(text, search=True)

    def expand_for_search(self, tokens: list[str]) -> list[str]:
        """What ``cut_for_search`` gives, from words ``cut`` already found: each long
        word's dictionary 2- and 3-grams, then the word. Saves segmenting twice."""
        cache = self._search_words
        return [gram for word in tokens for gram in (cache.get(word) or self._expanded(word))]

    def _expanded(self, word: str) -> tuple[str, ...]:
        if len(self._search_words) >= SEARCH_CACHE_SIZE:
            self._search_words.clear()
        expanded = self._search_words[word] = self._expand(word)
        return expanded

    def _expand(self, word: str) -> tuple[str, ...]:
        if len(word) <= 2:
            return (word,)
        freq = self.tokenizer.FREQ
        grams = [g for i in range(len(word) - 1) if freq.get(g := word[i : i + 2])]
        if len(word) > 3:
            grams += [g for i in range(len(word) - 2) if freq.get(g := word[i : i + 3])]
        return (*grams, word)

    def _segment(self, text: str, *, search: bool) -> list[str]:
        out: list[str] = []
        for i, span in enumerate(self._protected.split(text)):
            if not span:
                continue
            if i % 2:  # a protected span: one token as it stands
                out.append(span)
                continue
            out.extend(self._words(span, search))
        return out

    def _words(self, span: str, search: bool) -> Iterable[str]:
        tokenizer = self.tokenizer
        if search:
            return [w for w in tokenizer.cut_for_search(span, HMM=self.new_words) if w.strip()]
        assert self._accurate is not None  # built with the tokenizer
        return self._accurate(span)

    @property
    def tokenizer(self) -> jieba.Tokenizer:
        """The private jieba tokenizer, built with the user words on first use."""
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    tokenizer = self._build()
                    self._accurate = AccurateCut(tokenizer, hmm=self.new_words)
                    self._tokenizer = tokenizer
        return self._tokenizer

    def _build(self) -> jieba.Tokenizer:
        import jieba

        _quiet_jieba()
        tokenizer = jieba.Tokenizer()
        if self.cache_dir is not None:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            tokenizer.tmp_dir = str(self.cache_dir)
            tokenizer.cache_file = "jieba.cache"
        tokenizer.initialize()
        for word in sorted(self.user_words):
            if not _JIEBA_WORD.match(word) or len(word) < 2:
                continue
            for variant in {word, word.lower(), word.upper()}:
                freq = max(tokenizer.suggest_freq(variant), USER_WORD_FREQ)
                tokenizer.add_word(variant, freq=freq)
        return tokenizer
