"""Near-duplicates: 64-bit SimHash over word shingles, and an index to find them fast.

A repost (``转发://@某人: 原文``), a copied complaint or a news item pasted by
ten accounts differ in a few words; their SimHashes differ in a few bits. The
fingerprint of a post is the SimHash of its words and word bigrams (jieba
words, lower-cased; punctuation, @mentions, emoticon codes, links and the
repost markers dropped), each hashed to 64 bits with BLAKE2b, so fingerprints
are the same in every process and after a restart. A repost is fingerprinted
by the text it spreads (Weibo's ``retweeted_status``), so all reposts of a
complaint carry the complaint's own fingerprint, whatever their short comments.

Two posts are near-duplicates when their fingerprints differ in at most
``max_distance`` bits (6 by default). Lookup splits the 64 bits into 4 bands
of 16 and compares only posts that share a band value: within 3 bits one band
always survives (pigeonhole), so every copy that close is found; from 4 to 6
bits most are (about 90 % at 4, 60 % at 6: the chance that 4–6 flipped bits
spare one band), at the cost of a 3-bit search. Unrelated texts are about 30
bits apart. Short posts say too little for a fuzzy match: with fewer than
``MIN_FEATURES`` shingles (about five words) they must match exactly.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np

from yuqing.post import Post
from yuqing.storage.posts import PipelineState

from .text import clean

BANDS = 4
BAND_BITS = 16
BAND_MASK = (1 << BAND_BITS) - 1
MAX_DISTANCE = 8  # the most the settings allow; beyond it too few copies share a band
DEFAULT_DISTANCE = 6
MIN_FEATURES = 10
MAX_WORDS = 300
BUCKET_CAP = 32

# Tokens that carry no content for copying: the repost markers of Weibo.
_NOISE = frozenset({"转发微博", "转发", "repost", "//", "回复", "轉發微博"})
_HASH_CACHE_SIZE = 200_000
_UNSEEN = -1
_token_hashes: dict[str, int | None] = {}  # token as segmented -> feature_hash of its word, None: no word


def _is_word(token: str) -> bool:
    """Words and numbers; not punctuation, @mentions, [emoticons], links or repost markers."""
    return token.isalnum() and token not in _NOISE


def content_words(tokens: Iterable[str]) -> list[str]:
    """The first ``MAX_WORDS`` content words (a copy shares its beginning; a long article
    costs no more)."""
    return [t.lower() for t in tokens if t and _is_word(t)][:MAX_WORDS]


_U64 = np.dtype("<u8")  # little-endian, so a hash's bytes unpack lowest bit first


def _pair_hashes(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The hash of each word bigram from its words' hashes (splitmix64's finaliser): as
    stable as theirs, without hashing the joined string (bigrams rarely repeat, so a
    cache of them would not help). numpy's uint64 arithmetic wraps at 2**64."""
    z = a * np.uint64(0x9E3779B97F4A7C15) + b
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def feature_hash(feature: str) -> int:
    """A stable 64-bit hash (Python's ``hash`` changes with every process)."""
    return int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "little")


def word_hashes(tokens: Iterable[str]) -> list[int]:
    """``feature_hash`` of each of ``content_words(tokens)``, cached by token as it stands
    (one dictionary look-up a token: the case and the word test come with the hash;
    tokens repeat, so blake2b runs on few of them)."""
    cache = _token_hashes
    hashes = [h if (h := cache.get(t, _UNSEEN)) is not _UNSEEN else _hash_token(t) for t in tokens]
    return [h for h in hashes if h is not None][:MAX_WORDS]


def _hash_token(token: str) -> int | None:
    if len(_token_hashes) >= _HASH_CACHE_SIZE:
        _token_hashes.clear()
    h = _token_hashes[token] = feature_hash(token.lower()) if _is_word(token) else None
    return h


def _bit_counts(hashes: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """For each group of ``sizes`` consecutive hashes, how many set each of the 64 bits."""
    counts = np.zeros((len(sizes), 64), dtype=np.int32)
    nonempty = sizes > 0
    if hashes.size:
        bits = np.unpackbits(hashes.astype(_U64).view(np.uint8).reshape(-1, 8), axis=1, bitorder="little")
        starts = (np.cumsum(sizes) - sizes)[nonempty]
        counts[nonempty] = np.add.reduceat(bits, starts, axis=0, dtype=np.int32)
    return counts


def _majority(counts: np.ndarray, n: np.ndarray) -> list[int]:
    """Each row's SimHash: bit i set where more than half of the row's ``n`` hashes set it."""
    bits = (2 * counts > n[:, None]).astype(np.uint8)
    return [int(v) for v in np.packbits(bits, axis=1, bitorder="little").view(_U64)[:, 0]]


def simhash(hashes: Sequence[int]) -> int:
    """The SimHash of 64-bit hashes: bit i is set when most hashes have bit i set."""
    array = np.asarray(hashes, dtype=_U64).reshape(-1)
    sizes = np.array([len(array)])
    return _majority(_bit_counts(array, sizes), sizes)[0]


@dataclass(frozen=True)
class Fingerprint:
    value: int  # unsigned 64-bit
    features: int  # how many shingles it summarises

    @property
    def hex(self) -> str:
        return f"{self.value:016x}"

    @property
    def exact_only(self) -> bool:
        return self.features < MIN_FEATURES


def fingerprint(tokens: Iterable[str]) -> Fingerprint:
    """The SimHash of the content words and their bigrams (the shingles)."""
    return fingerprints([tokens])[0]


def fingerprints(token_lists: Sequence[Iterable[str]]) -> list[Fingerprint]:
    """``fingerprint`` of each token list, in one numpy pass over all their shingles: the
    word hashes of every list side by side, the bigram hashes of neighbours (less those
    that straddle two lists), and the per-bit counts of each list's share of both."""
    words = [word_hashes(tokens) for tokens in token_lists]
    sizes = np.array([len(w) for w in words], dtype=np.int64)
    flat = np.fromiter(chain.from_iterable(words), dtype=_U64, count=int(sizes.sum()))
    pairs = _pair_hashes(flat[:-1], flat[1:])
    inside = np.ones(len(pairs), dtype=bool)
    boundaries = np.cumsum(sizes)[:-1]
    inside[boundaries[(boundaries > 0) & (boundaries < len(flat))] - 1] = False
    pair_sizes = np.maximum(sizes - 1, 0)
    counts = _bit_counts(flat, sizes) + _bit_counts(pairs[inside], pair_sizes)
    n = sizes + pair_sizes
    return [Fingerprint(v, int(k)) for v, k in zip(_majority(counts, n), n, strict=True)]


def distance(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def bands(value: int) -> tuple[int, ...]:
    """The 16-bit bands of a fingerprint, lowest bits first."""
    return tuple((value >> (BAND_BITS * i)) & BAND_MASK for i in range(BANDS))


@dataclass(frozen=True)
class Entry:
    """A fingerprinted post in an index."""

    key: str
    ts: int
    value: int
    duplicate_of: str | None = None
    event_id: str | None = None
    parent: str | None = None  # the key of the post it reposts (or replies to)


class NearDuplicateIndex:
    """Fingerprints by band value; ``nearest`` compares only posts that share a band.

    A bucket (one band value) keeps one entry per fingerprint, the first one
    added (add originals before copies, oldest first), and at most
    ``BUCKET_CAP`` of them: a storm of a thousand identical reposts costs one
    comparison, not a thousand.
    """

    def __init__(self, max_distance: int = DEFAULT_DISTANCE) -> None:
        if not 0 <= max_distance <= MAX_DISTANCE:
            raise ValueError(f"max_distance must be 0..{MAX_DISTANCE} with {BANDS} bands")
        self.max_distance = max_distance
        self._bands: list[dict[int, dict[int, Entry]]] = [{} for _ in range(BANDS)]
        self._by_key: dict[str, Entry] = {}

    def __len__(self) -> int:
        return len(self._by_key)

    def __contains__(self, key: str) -> bool:
        return key in self._by_key

    def set_event(self, key: str, event_id: str) -> None:
        """Record the event an indexed original joined (copies found later inherit it)."""
        entry = self._by_key.get(key)
        if entry is not None and entry.event_id != event_id:
            self.remove(key)
            self.add(Entry(entry.key, entry.ts, entry.value, entry.duplicate_of, event_id, entry.parent))

    def add(self, entry: Entry) -> None:
        if entry.key in self._by_key:
            self.remove(entry.key)
        self._by_key[entry.key] = entry
        value = entry.value
        for band, part in zip(self._bands, bands(value), strict=True):
            bucket = band.get(part)
            if bucket is None:
                band[part] = {value: entry}
            elif value not in bucket and len(bucket) < BUCKET_CAP:
                bucket[value] = entry

    def remove(self, key: str) -> None:
        entry = self._by_key.pop(key, None)
        if entry is None:
            return
        for band, part in zip(self._bands, bands(entry.value), strict=True):
            bucket = band.get(part)
            if bucket is not None and bucket.get(entry.value) is entry:
                del bucket[entry.value]
                if not bucket:
                    del band[part]

    def prune(self, before: int) -> None:
        """Forget entries older than ``before`` (epoch seconds)."""
        for key in [k for k, e in self._by_key.items() if e.ts < before]:
            self.remove(key)

    def nearest(
        self, value: int, *, max_distance: int | None = None, since: int | None = None, exclude: str | None = None
    ) -> Entry | None:
        """The closest entry within ``max_distance`` bits (ties: the oldest), not ``exclude``
        nor a repost of it."""
        limit = self.max_distance if max_distance is None else max_distance
        best: tuple[int, int, str] | None = None
        found: Entry | None = None
        for band, part in zip(self._bands, bands(value), strict=True):
            bucket = band.get(part)
            if not bucket:
                continue
            for other, entry in bucket.items():
                d = (value ^ other).bit_count()
                if d > limit or entry.key == exclude or (since is not None and entry.ts < since):
                    continue
                if exclude is not None and entry.parent == exclude:
                    continue  # an original is never a copy of its own repost
                rank = (d, entry.ts, entry.key)
                if best is None or rank < best:
                    best, found = rank, entry
        return found


def repost_original(post: Post) -> str | None:
    """The text a repost spreads (Weibo's ``retweeted_status``), if the post is one."""
    retweeted = post.raw.get("retweeted")
    if isinstance(retweeted, dict):
        text = retweeted.get("text")
        if isinstance(text, str) and text.strip():
            return text
    return None


class Deduplicator:
    """Fingerprints a batch and links each near-duplicate to the first post it copies.

    Posts are taken in time order, originals before reposts, so the earliest
    of a batch is the original; a copy links to the original itself, never to
    another copy.

    Earlier posts are found in an in-memory band index of the originals of the
    last ``window_hours``: filled from the ``state`` (the store) on the first
    batch, and topped up before each batch with what was stored since (by this
    process or any other), so it survives restarts and sees other crawls. A
    post stored before keeps its link while its text is unchanged; an original
    that comes after its repost is not taken for a copy of it.
    """

    PRUNE_EVERY = 50  # batches
    ORIGINALS_KEPT = 10_000  # reposted texts whose words are kept

    def __init__(
        self,
        state: PipelineState,
        cut: Callable[[str], list[str]],
        *,
        max_distance: int = DEFAULT_DISTANCE,
        window_hours: float = 72.0,
    ) -> None:
        if not 0 <= max_distance <= MAX_DISTANCE:
            raise ValueError(f"max_distance must be 0..{MAX_DISTANCE}")
        self.state = state
        self.cut = cut
        self.max_distance = max_distance
        self.window = int(window_hours * 3600)
        self.index = NearDuplicateIndex(max_distance)
        self._cursor = 0
        self._batches = 0
        self._lock = threading.Lock()
        self._original_words: dict[str, list[str]] = {}

    def fingerprint(self, post: Post) -> Fingerprint:
        return self.fingerprints([post])[0]

    def fingerprints(self, posts: Sequence[Post]) -> list[Fingerprint]:
        """Each post's fingerprint: of its words, or of the text it reposts."""
        return fingerprints([self._words(post) for post in posts])

    def _words(self, post: Post) -> list[str]:
        original = repost_original(post)
        if original is None:
            return post.analysis.tokens
        words = self._original_words.get(original)
        if words is None:  # a repost storm segments its original once
            if len(self._original_words) >= self.ORIGINALS_KEPT:
                self._original_words.clear()
            words = self._original_words[original] = self.cut(clean(original))
        return words

    def _catch_up(self, since: int) -> None:
        rows, self._cursor = self.state.fingerprints_after(self._cursor, since)
        for row in rows:
            if row.simhash is None:
                continue
            if row.key not in self.index:
                self.index.add(Entry(row.key, row.ts, row.simhash, None, row.event_id, row.parent_key))
            elif row.event_id:
                self.index.set_event(row.key, row.event_id)  # our own last batch, now with its event
        self._batches += 1
        if self._batches % self.PRUNE_EVERY == 0:
            self.index.prune(since - self.window)

    def __call__(self, posts: Sequence[Post]) -> None:
        if not posts:
            return
        # in time order, originals before reposts: clocks (the demo's too) disagree
        todo = sorted(posts, key=lambda p: (repost_original(p) is not None, p.when, p.key))
        prints = self.fingerprints(todo)
        times = [int(p.when.timestamp()) for p in todo]
        with self._lock:
            self._catch_up(min(times) - self.window)
            known = self.state.known([p.key for p in todo])
            for post, fp, ts in zip(todo, prints, times, strict=True):
                a = post.analysis
                a.simhash = fp.hex
                before = known.get(post.key)
                if before is not None and before.simhash == fp.value:
                    a.duplicate_of = before.duplicate_of
                else:
                    limit = 0 if fp.exact_only else self.max_distance
                    match = self.index.nearest(fp.value, max_distance=limit, since=ts - self.window, exclude=post.key)
                    a.duplicate_of = match.key if match is not None else None
                    if match is not None and match.event_id and not a.event_id:
                        a.event_id = match.event_id
                if a.duplicate_of is None:
                    parent = f"{post.source}:{post.parent_id}" if post.parent_id else None
                    self.index.add(Entry(post.key, ts, fp.value, None, a.event_id, parent))
                else:
                    self.index.remove(post.key)
