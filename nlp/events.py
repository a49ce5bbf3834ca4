"""Events: negative posts about one brand and one story, clustered online.

Each brand-matched negative post, taken in time order, joins the most similar
open event of one of its brands, or opens a new one:

* open: the event's last post is at most ``window_hours`` (24 h) from this
  post's time (either side, for posts that arrive late);
* similar: the cosine between the post's word vector and the event's centroid
  (the sum of its posts' vectors, heaviest 64 words kept) is at least
  ``similarity`` (0.2).

A word's weight is its count times an inverse document frequency taken from
jieba's dictionary (rare words say more), times a factor for its kind: the
brand's own names and aliases count nothing (every post has them), product
keywords a half (``星河空调`` tells air conditioners from water heaters, but
not one fault from another), generic opinion and remedy words of the sentiment
lexicon (太差, 售后, 投诉) a fifth, problem words (漏电, 异响) in full. So two
complaints about one brand in the same hour are one event when they tell the
same story (异响 + 推诿 on 星河空调) and two when they do not (漏水 vs 异响).

A duplicate (see ``dedup.py``) joins its original's event, whatever its own
words say (a bare "转发微博" too), without moving the centroid: it counts
toward the event's size and velocity only. A post stored
before keeps its event. Event ids are deterministic: the date of the first
post and a hash of the brand and that post's key (``ev-20261128-3fa2b9c1``).
Events live in the store (the ``events`` table of posts.db), so clustering
goes on across batches and restarts.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from yuqing.post import SHANGHAI, Post
from yuqing.storage.posts import EventRecord, PipelineState

CENTROID_WORDS = 64
RECENT_KEEP = 500
VELOCITY_SECONDS = 3600

BRAND_NAME_FACTOR = 0.0
PRODUCT_FACTOR = 0.5
GENERIC_FACTOR = 0.2
PROBLEM_FACTOR = 2.0
GENERIC_KINDS = ("opinion", "remedy", "emoticon", "sarcasm")
PROBLEM_KINDS = ("problem",)
# Words of how people post rather than of what happened; they weigh like generic words.
GENERIC_WORDS = frozenset(
    "楼主 吧友 网友 博主 大家 有没有 同款 同样 一样 一模一样 我家 家里 自己 我们 他们 已经 现在 真的 今天 "
    "昨天 一下 一直 每次 还是 就是 什么 怎么 怎么办 为什么 求助 请问 回复 转发 评论 微博 消息 视频 图片 "
    "网页 链接 全文 用户 消费者 厂家 官方 客服 售后 问题 情况 处理 要求 反映 表示 希望 建议 "
    "推诿 互相推诿 拖着 上门 报修 维修 退货 退款 换货 赔偿 态度 说法 回应 "
    # service complaints and generic trouble words that the lexicon files as problems
    "踢皮球 扯皮 不作为 不负责任 态度恶劣 投诉无门 一拖再拖 石沉大海 没人管 没人理 无人处理 不理不睬 "
    "爱答不理 态度差 敷衍 拖延 售后差 服务差 维修难 返修 拒赔 拒绝退款 毛病 坏了 坑 骗 卡 负面 风险 "
    "争议 质疑 危机 风波 纠纷 被曝 315 3·15 3.15 12315 黑猫 黑猫投诉 曝光 维权".split()
)

Vector = dict[str, float]


def epoch(post: Post) -> int:
    return int(post.when.timestamp())


def event_id(brand: str, first_key: str, ts: int) -> str:
    day = datetime.fromtimestamp(ts, tz=UTC).astimezone(SHANGHAI).strftime("%Y%m%d")
    digest = hashlib.blake2b(f"{brand}\n{first_key}".encode(), digest_size=4).hexdigest()
    return f"ev-{day}-{digest}"


def norm(vector: Mapping[str, float]) -> float:
    return math.sqrt(sum(w * w for w in vector.values()))


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    dot = sum(w * b[t] for t, w in a.items() if t in b)
    if not dot:
        return 0.0
    return dot / (norm(a) * norm(b))


class Vectorizer:
    """Token list -> unit TF-IDF vector, with the word kinds of the module doc."""

    MEMO_SIZE = 500_000

    def __init__(
        self,
        idf: Callable[[str], float] | None = None,
        *,
        brand_names: Iterable[str] = (),
        products: Iterable[str] = (),
        generic: Iterable[str] = (),
        problems: Iterable[str] = (),
    ) -> None:
        self._idf = idf or (lambda word: 1.0)
        self._factor: dict[str, float] = {}
        for word in problems:
            self._factor[word.lower()] = PROBLEM_FACTOR
        for word in generic:
            self._factor[word.lower()] = GENERIC_FACTOR
        for word in products:
            self._factor[word.lower()] = PRODUCT_FACTOR
        for word in brand_names:
            self._factor[word.lower()] = BRAND_NAME_FACTOR
        self._memo: dict[str, float] = {}
        self._words: dict[str, str] = {}  # token -> the word it counts as ("": none)

    def topical(self, word: str) -> bool:
        """Whether the word can tell one story from another (not a brand name, product or generic word)."""
        return self._factor.get(word, 1.0) >= 1.0

    def topical_weights(self, vector: Mapping[str, float]) -> list[tuple[float, str]]:
        """(weight, word) of the topical words of ``vector``."""
        factor = self._factor
        return [(w, t) for t, w in vector.items() if factor.get(t, 1.0) >= 1.0]

    def _learn(self, token: str) -> str:
        """The word a token counts as (lower-case), or "" for one that does not count:
        a single character, an @mention, #topic# or [emoticon], punctuation."""
        counted = len(token) >= 2 and token[0] not in "@#[" and any(ch.isalnum() for ch in token)
        if len(self._words) >= self.MEMO_SIZE:
            self._words.clear()
        word = self._words[token] = token.lower() if counted else ""
        return word

    def weight(self, word: str) -> float:
        """The weight of one occurrence of ``word`` (lower-case)."""
        value = self._memo.get(word)
        if value is None:
            value = self._factor.get(word, 1.0) * self._idf(word)
            if len(self._memo) >= self.MEMO_SIZE:
                self._memo.clear()
            self._memo[word] = value
        return value

    def __call__(self, tokens: Iterable[str]) -> Vector:
        words = self._words
        counts: dict[str, int] = {}
        for token in tokens:
            word = words.get(token)
            if word is None:
                word = self._learn(token)
            if word:
                counts[word] = counts.get(word, 0) + 1
        vector: Vector = {}
        memo = self._memo
        for word, count in counts.items():
            unit = memo.get(word)
            weight = count * (unit if unit is not None else self.weight(word))
            if weight > 0:
                vector[word] = weight
        length = norm(vector)
        return {w: v / length for w, v in vector.items()} if length else {}


def jieba_idf() -> Callable[[str], float]:
    """Word -> (idf / max idf)², from the IDF table jieba ships for keyword extraction
    (words it lacks get its median); squared so that everyday words (要求, 一下,
    处理) weigh a quarter of what specific ones (漏电, 异响, 天花板) do."""
    import jieba

    table: dict[str, float] = {}
    path = Path(jieba.__file__).parent / "analyse" / "idf.txt"
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            word, _, value = line.rstrip("\n").partition(" ")
            if value:
                table[word] = float(value)
    top = max(table.values())
    median = sorted(table.values())[len(table) // 2]
    squared = {w: (v / top) ** 2 for w, v in table.items()}
    unknown = (median / top) ** 2 / 2  # new words, but also jieba's odd splits (手一, 一测)

    def idf(word: str) -> float:
        return squared.get(word, unknown)

    return idf


def add_vector(event: EventRecord, vector: Mapping[str, float]) -> None:
    centroid = event.centroid
    for word, weight in vector.items():
        centroid[word] = centroid.get(word, 0.0) + weight
    if len(centroid) > CENTROID_WORDS:
        keep = sorted(centroid.items(), key=lambda kv: (-kv[1], kv[0]))[:CENTROID_WORDS]
        event.centroid = dict(keep)


def add_time(event: EventRecord, ts: int) -> None:
    event.size += 1
    event.first_ts = min(event.first_ts, ts)
    event.last_ts = max(event.last_ts, ts)
    recent = event.recent
    if not recent or ts >= recent[-1]:
        recent.append(ts)
    else:
        bisect.insort(recent, ts)
    if len(recent) > RECENT_KEEP:
        del recent[: len(recent) - RECENT_KEEP]


def velocity(event: EventRecord, ts: int) -> int:
    """Posts of the event (duplicates included) in the hour up to ``ts``."""
    return sum(1 for t in event.recent if ts - VELOCITY_SECONDS < t <= ts)


def summarise(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class EventGrouper:
    """Gives each brand-matched negative post of a batch its event (module doc).

    Open events are cached in memory between batches: loaded from the
    ``state`` (the store) on the first batch, then caught up before each one
    with the events saved since (by this process or another). A post is
    compared only with the events that share one of its heaviest topical words
    (``KEYWORDS``; not brand names, products or generic words): the other
    events cannot reach the similarity anyway, and a busy brand with hundreds
    of open events costs a few comparisons per post, not hundreds.
    """

    KEYWORDS = 12
    PRUNE_EVERY = 50  # batches

    def __init__(
        self, state: PipelineState, vectorizer: Vectorizer, *, window_hours: float = 24.0, similarity: float = 0.2
    ) -> None:
        self.state = state
        self.vectorize = vectorizer
        self.window = int(window_hours * 3600)
        self.similarity = similarity
        self._events: dict[str, EventRecord] = {}
        self._keywords: dict[str, tuple[str, ...]] = {}  # event id -> its words in _by_word
        self._by_word: dict[str, set[str]] = {}
        self._norms: dict[str, float] = {}
        self._cursor = 0
        self._covered: int | None = None  # the cache has every event whose last post is at or after this
        self._batches = 0
        self._lock = threading.Lock()

    @staticmethod
    def eligible(post: Post) -> bool:
        return bool(post.analysis.brands) and post.analysis.sentiment == "negative"

    def __call__(self, posts: Sequence[Post]) -> None:
        with self._lock:
            self._group(posts)

    # -- the cache of open events

    def _remember(self, event: EventRecord) -> None:
        self._events[event.id] = event
        self._reindex(event)

    def _reindex(self, event: EventRecord) -> None:
        self._norms.pop(event.id, None)
        for word in self._keywords.pop(event.id, ()):
            ids = self._by_word.get(word)
            if ids is not None:
                ids.discard(event.id)
                if not ids:
                    del self._by_word[word]
        words = self._top(event.centroid)
        self._keywords[event.id] = words
        for word in words:
            self._by_word.setdefault(word, set()).add(event.id)

    def _forget(self, event_id: str) -> None:
        self._events.pop(event_id, None)
        self._norms.pop(event_id, None)
        for word in self._keywords.pop(event_id, ()):
            ids = self._by_word.get(word)
            if ids is not None:
                ids.discard(event_id)
                if not ids:
                    del self._by_word[word]

    def _top(self, vector: Mapping[str, float]) -> tuple[str, ...]:
        topical = self.vectorize.topical_weights(vector)
        return tuple(t for _, t in sorted(topical, reverse=True)[: self.KEYWORDS])

    def _catch_up(self, since: int) -> None:
        if self._covered is not None and since < self._covered:
            # an older batch than any before: the events of its time, once
            for event in self.state.events_between(None, since, self._covered):
                if event.id not in self._events:
                    self._remember(event)
            self._covered = since
        fresh, self._cursor = self.state.events_after(self._cursor, since if self._covered is None else self._covered)
        for event in fresh:
            if self._events.get(event.id) != event:  # not our own last save coming back
                self._remember(event)
        if self._covered is None:
            self._covered = since
        self._batches += 1
        if self._batches % self.PRUNE_EVERY == 0:
            horizon = since - self.window
            for old in [e.id for e in self._events.values() if e.last_ts < horizon]:
                self._forget(old)
            self._covered = max(self._covered, horizon)

    # -- a batch

    def _group(self, posts: Sequence[Post]) -> None:
        todo = sorted((p for p in posts if self.eligible(p) or p.analysis.duplicate_of), key=lambda p: (p.when, p.key))
        if not todo:
            return
        known = self.state.known([p.key for p in todo])
        times = [epoch(p) for p in todo]
        self._catch_up(min(times) - self.window)
        events = self._events
        wanted = {k.event_id for k in known.values() if k.event_id} | {
            p.analysis.event_id for p in todo if p.analysis.event_id
        }
        roots = {p.analysis.duplicate_of for p in todo if p.analysis.duplicate_of and not p.analysis.event_id}
        roots -= {p.key for p in todo}
        root_event = {k: r.event_id for k, r in self.state.known(roots).items() if r.event_id} if roots else {}
        wanted |= set(root_event.values())
        missing = {w for w in wanted if w and w not in events}
        if missing:
            for event in self.state.events_by_id(missing):
                self._remember(event)
        touched: dict[str, EventRecord] = {}
        event_of: dict[str, str] = {}  # this batch: post key -> event id
        for post, ts in zip(todo, times, strict=True):
            a = post.analysis
            before = known.get(post.key)
            if before is not None and before.event_id:
                a.event_id = before.event_id  # a post keeps its event; it is not counted twice
            elif a.duplicate_of:
                a.event_id = a.event_id or event_of.get(a.duplicate_of) or root_event.get(a.duplicate_of)
                if a.event_id is None:
                    if not self.eligible(post):
                        continue  # a copy of a post in no event, and no complaint itself
                    a.event_id = self._cluster(post, ts, touched)
                elif a.event_id in events:
                    add_time(events[a.event_id], ts)
                    touched[a.event_id] = events[a.event_id]
            else:
                a.event_id = self._cluster(post, ts, touched)
            event_of[post.key] = a.event_id
            event = events.get(a.event_id)
            a.event_velocity = velocity(event, ts) if event is not None else 1
        if touched:  # (their words were indexed as they changed, in _cluster)
            self.state.save_events(list(touched.values()))

    def _cluster(self, post: Post, ts: int, touched: dict[str, EventRecord]) -> str:
        vector = self.vectorize(post.analysis.tokens)
        brands = post.analysis.brands
        best: tuple[float, int, str] | None = None
        for event in self._candidates(vector):
            if event.brand not in brands:
                continue
            if ts - event.last_ts > self.window or event.first_ts - ts > self.window:
                continue
            centroid = event.centroid
            dot = sum(w * centroid[t] for t, w in vector.items() if t in centroid)
            score = dot / self._norm(event) if dot else 0.0
            if score >= self.similarity:
                rank = (score, event.last_ts, event.id)
                if best is None or rank > best:
                    best = rank
        if best is not None:
            event = self._events[best[2]]
        else:
            event = EventRecord(
                id=event_id(brands[0], post.key, ts),
                brand=brands[0],
                first_ts=ts,
                last_ts=ts,
                size=0,
                first_key=post.key,
                title=summarise(post.title or post.text),
            )
        add_vector(event, vector)
        add_time(event, ts)
        self._remember(event)  # its new words join the lookup at once
        touched[event.id] = event
        return event.id

    def _candidates(self, vector: Mapping[str, float]) -> list[EventRecord]:
        """The events sharing one of the post's heaviest topical words, in id order."""
        ids: set[str] = set()
        for word in self._top(vector):
            found = self._by_word.get(word)
            if found:
                ids |= found
        return [self._events[i] for i in sorted(ids)]

    def _norm(self, event: EventRecord) -> float:
        value = self._norms.get(event.id)
        if value is None:
            value = self._norms[event.id] = norm(event.centroid)
        return value
