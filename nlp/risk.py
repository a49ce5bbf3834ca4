"""Risk: how dangerous a negative brand post is, as a score, a suggested severity and why.

``assess`` is a pure function of the post's numbers. Four parts, each 0..1:

* negativity ``n``: the sentiment model's negative score;
* reach ``r``: ``log10(1 + followers + 20·reposts + 5·comments + likes) / log10(1 + reach_full)``
  (a repost spreads the post to new readers, a like barely), capped at 1;
* velocity ``v``: ``log(1 + others) / log(1 + velocity_full)``, ``others`` being the
  other posts of the post's event (duplicates included) in the hour up to it;
* crisis ``c``: ``1 - Π(1 - w)`` over the crisis-lexicon words found (维权 0.5,
  召回 0.8, 爆炸 1.0 …), so several mild words add up but never pass 1.

``score = 100 · source_weight · (0.30·n + 0.25·r + 0.20·v + 0.25·c)``, at most
100. Severity: 重大 (major) from ``major_at`` (70), 较大 (serious) from
``serious_at`` (45), else 一般 (general); a crisis word of weight ≥ 0.9
(爆炸, 起火, 死亡, 立案 …) makes it at least 较大 whatever the reach. Every
part that counted is a reason, in words, with the points it added.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from yuqing.alerting.sla import SEVERITIES, SEVERITY_LABELS
from yuqing.post import Post, Severity
from yuqing.settings import RiskSettings

from .query import TermTrie, normalise

WEIGHTS = {"negativity": 0.30, "reach": 0.25, "velocity": 0.20, "crisis": 0.25}
FLOOR_TERM_WEIGHT = 0.9  # a crisis word this strong makes a post at least "serious"
REACH_WEIGHTS = {"followers": 1, "reposts": 20, "comments": 5, "likes": 1}


@dataclass(frozen=True)
class RiskConfig:
    crisis_terms: Mapping[str, float] = field(default_factory=lambda: dict(RiskSettings().crisis_terms))
    source_weights: Mapping[str, float] = field(default_factory=lambda: dict(RiskSettings().source_weights))
    default_source_weight: float = 0.8
    serious_at: float = 45.0
    major_at: float = 70.0
    reach_full: int = 1_000_000
    velocity_full: int = 30

    @classmethod
    def from_settings(cls, settings: RiskSettings) -> RiskConfig:
        return cls(
            crisis_terms=dict(settings.crisis_terms),
            source_weights=dict(settings.source_weights),
            default_source_weight=settings.default_source_weight,
            serious_at=settings.serious_at,
            major_at=settings.major_at,
            reach_full=settings.reach_full,
            velocity_full=settings.velocity_full,
        )


@dataclass(frozen=True)
class RiskInput:
    """What the score reads; ``crisis_words`` are the crisis-lexicon words found in the text."""

    negative_score: float
    source: str = ""
    followers: int | None = None
    reposts: int = 0
    comments: int = 0
    likes: int = 0
    event_velocity: int = 1
    crisis_words: Sequence[str] = ()


@dataclass(frozen=True)
class Assessment:
    score: float
    severity: Severity
    reasons: list[str]

    @property
    def label(self) -> str:
        return SEVERITY_LABELS[self.severity]


def count(n: int) -> str:
    """A count as Chinese social media writes it: 980, 1.2万, 1.4亿."""
    if n >= 100_000_000:
        return f"{n / 100_000_000:.1f}".rstrip("0").rstrip(".") + "亿"
    if n >= 10_000:
        return f"{n / 10_000:.1f}".rstrip("0").rstrip(".") + "万"
    return str(n)


def _points(value: float) -> str:
    return f"+{value:.0f}"


def assess(post: RiskInput, config: RiskConfig | None = None) -> Assessment:
    """Score one negative brand post; see the module doc for the formula."""
    config = config or RiskConfig()
    source_weight = config.source_weights.get(post.source, config.default_source_weight)
    scale = 100.0 * source_weight
    reasons: list[str] = []

    negativity = min(1.0, max(0.0, post.negative_score))
    part = scale * WEIGHTS["negativity"] * negativity
    reasons.append(f"负面程度 {negativity:.2f}（{_points(part)}）")
    total = part

    engagement = {
        "followers": post.followers or 0,
        "reposts": post.reposts,
        "comments": post.comments,
        "likes": post.likes,
    }
    weighted = sum(REACH_WEIGHTS[k] * v for k, v in engagement.items())
    reach = min(1.0, math.log10(1 + weighted) / math.log10(1 + config.reach_full))
    if reach > 0:
        part = scale * WEIGHTS["reach"] * reach
        names = {"followers": "粉丝", "reposts": "转发", "comments": "评论", "likes": "点赞"}
        shown = "、".join(f"{names[k]} {count(v)}" for k, v in engagement.items() if v)
        reasons.append(f"传播力：{shown}（{_points(part)}）")
        total += part

    others = max(0, post.event_velocity - 1)
    if others:
        speed = min(1.0, math.log1p(others) / math.log1p(config.velocity_full))
        part = scale * WEIGHTS["velocity"] * speed
        reasons.append(f"扩散速度：同一事件 1 小时内 {post.event_velocity} 条（{_points(part)}）")
        total += part

    found = sorted(
        {w: config.crisis_terms[w] for w in post.crisis_words if w in config.crisis_terms}.items(),
        key=lambda kv: (-kv[1], kv[0]),
    )
    strongest = found[0][1] if found else 0.0
    if found:
        calm = 1.0
        for _, weight in found:
            calm *= 1.0 - weight
        part = scale * WEIGHTS["crisis"] * (1.0 - calm)
        reasons.append(f"危机词：{'、'.join(w for w, _ in found)}（{_points(part)}）")
        total += part

    if source_weight != 1.0:
        reasons.append(f"来源 {post.source or '未知'} 权重 ×{source_weight:g}")

    score = round(min(100.0, max(0.0, total)), 1)
    if score >= config.major_at:
        severity: Severity = "major"
        why = f"{score:g} ≥ {config.major_at:g}"
    elif score >= config.serious_at:
        severity = "serious"
        why = f"{score:g} ≥ {config.serious_at:g}"
    else:
        severity = "general"
        why = f"{score:g} < {config.serious_at:g}"
    if strongest >= FLOOR_TERM_WEIGHT and SEVERITIES.index(severity) < SEVERITIES.index("serious"):
        severity = "serious"
        why = f"含高危词「{found[0][0]}」，至少较大"
    reasons.append(f"建议级别：{SEVERITY_LABELS[severity]}（{why}）")
    return Assessment(score=score, severity=severity, reasons=reasons)


class RiskScorer:
    """Assesses posts: the crisis lexicon compiled once into a trie, found in one pass."""

    def __init__(self, config: RiskConfig | None = None) -> None:
        self.config = config or RiskConfig()
        self._words: dict[str, str] = {}  # normalised -> as configured
        for word in self.config.crisis_terms:
            self._words.setdefault(normalise(word), word)
        self._trie = TermTrie(self._words)

    def crisis_words(self, text: str) -> list[str]:
        """The crisis-lexicon words in ``text`` (cleaned), as configured; a word found only
        inside a longer one (投诉 in 黑猫投诉) does not count again."""
        found = self._trie.scan(text.lower())
        if len(found) > 1:
            spans = [(s, e, t) for t, ss in found.items() for s, e in ss]
            found = {
                t: ss
                for t, ss in found.items()
                if any(not any(s2 <= s and e <= e2 and (e2 - s2) > (e - s) for s2, e2, _ in spans) for s, e in ss)
            }
        return [self._words[t] for t in found]

    def inputs(self, post: Post) -> RiskInput:
        a = post.analysis
        text = a.normalized or normalise(post.content)
        return RiskInput(
            negative_score=a.negative_score if a.negative_score is not None else 0.6,
            source=post.source,
            followers=post.author_followers,
            reposts=post.reposts,
            comments=post.comments,
            likes=post.likes,
            event_velocity=max(1, a.event_velocity),
            crisis_words=self.crisis_words(text),
        )

    def __call__(self, post: Post) -> Assessment:
        return assess(self.inputs(post), self.config)
