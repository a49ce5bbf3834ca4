"""The one settings object, read from a TOML file and ``YUQING_*`` variables.

Precedence, highest first: values passed in code (the CLI flags), environment
variables (``YUQING_DATA_DIR``, ``YUQING_SERVER__PORT``: ``__`` separates
nested keys), the TOML file given with ``--config``, then the defaults below.
Unknown keys in the TOML file are errors, so a typo never goes unnoticed.
"""

from __future__ import annotations

import tomllib
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from yuqing.errors import ConfigError

if TYPE_CHECKING:
    from yuqing.nlp.brands import BrandRule

_config_file: ContextVar[Path | None] = ContextVar("yuqing_config_file", default=None)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ServerSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)


class BrandSettings(_Section):
    """A brand to watch: the words that name it, and words that rule a match out.

    ``query`` (optional) is a boolean brand query (README, "Brand queries");
    without one, any of the name, ``aliases`` and ``keywords`` is a mention. In a
    query, the bare name or an alias stands for all of them. ``exclude`` terms
    veto the brand either way.
    """

    name: str = Field(min_length=1)
    keywords: list[str] = Field(default_factory=list, description="product and other words that mention the brand")
    aliases: list[str] = Field(default_factory=list, description="other names of the brand (星河, Xinghe)")
    exclude: list[str] = Field(default_factory=list)
    query: str | None = Field(default=None, description='e.g. 星河 AND (热水器 OR 空调) NOT "星河战队"')

    @model_validator(mode="after")
    def _check_query(self) -> BrandSettings:
        if self.query is not None and self.query.strip():
            from yuqing.nlp.brands import QueryError, compile_brand_query  # only when a query is configured

            try:
                compile_brand_query(self.query, self.name, self.aliases, self.keywords)
            except QueryError as exc:
                raise ValueError(f"bad query: {exc}") from None
        return self

    def terms(self) -> list[str]:
        """The name and keywords: what search sources ask when they are given no queries."""
        return list(dict.fromkeys([self.name, *self.keywords]))

    def words(self) -> list[str]:
        """Every word that names the brand (name, aliases, keywords): the segmenter keeps them whole."""
        return list(dict.fromkeys([self.name, *self.aliases, *self.keywords]))

    def rule(self) -> BrandRule:
        from yuqing.nlp.brands import BrandRule

        return BrandRule(
            name=self.name,
            keywords=[self.name, *self.keywords],
            aliases=self.aliases,
            exclude=self.exclude,
            query=self.query,
        )


DEFAULT_CRISIS_TERMS: dict[str, float] = {
    # weight 0..1: how strongly the word signals a crisis (the highest found counts most)
    "爆炸": 1.0,
    "起火": 0.9,
    "着火": 0.9,
    "自燃": 0.9,
    "死亡": 1.0,
    "身亡": 1.0,
    "致死": 1.0,
    "受伤": 0.8,
    "触电": 0.8,
    "电击": 0.8,
    "中毒": 0.9,
    "立案": 1.0,
    "起诉": 0.7,
    "诉讼": 0.7,
    "集体诉讼": 1.0,
    "召回": 0.8,
    "315": 0.8,
    "12315": 0.5,
    "市场监管": 0.7,
    "监管部门": 0.7,
    "介入调查": 0.8,
    "曝光": 0.6,
    "维权": 0.5,
    "投诉": 0.3,
    "黑猫投诉": 0.4,
    "虚假宣传": 0.6,
    "欺诈": 0.7,
    "安全隐患": 0.6,
    "漏电": 0.6,
}

DEFAULT_SOURCE_WEIGHTS: dict[str, float] = {
    # how much a post on this source weighs (news and Weibo spread; forum floors less)
    "weibo": 1.0,
    "baidu-news": 1.2,
    "baidu": 0.9,
    "tieba": 0.8,
    "discuz": 0.7,
    "forum": 0.7,
}


class RiskSettings(_Section):
    """How the risk step scores a negative brand post (see ``nlp/risk.py``).

    Giving ``crisis_terms`` or ``source_weights`` replaces the built-in table.
    """

    crisis_terms: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_CRISIS_TERMS))
    source_weights: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_SOURCE_WEIGHTS))
    default_source_weight: float = Field(default=0.8, ge=0)
    serious_at: float = Field(default=45.0, ge=0, le=100, description="score for 较大 (serious)")
    major_at: float = Field(default=70.0, ge=0, le=100, description="score for 重大 (major)")
    reach_full: int = Field(default=1_000_000, ge=10, description="weighted reach that counts as full reach")
    velocity_full: int = Field(default=30, ge=1, description="posts of one event in an hour that count as full speed")

    @model_validator(mode="after")
    def _check(self) -> RiskSettings:
        if self.major_at < self.serious_at:
            raise ValueError("major_at must not be below serious_at")
        bad = [t for t, w in self.crisis_terms.items() if not 0 <= w <= 1 or not t.strip()]
        if bad:
            raise ValueError(f"crisis term weights are 0..1 and terms non-blank: {bad[:3]}")
        return self


class EventSettings(_Section):
    """Online clustering of negative brand posts into events (see ``nlp/events.py``)."""

    window_hours: float = Field(default=24.0, gt=0, description="an event takes posts this close to its last one")
    similarity: float = Field(default=0.2, gt=0, le=1, description="cosine a post needs to join an event")


class DedupSettings(_Section):
    """Near-duplicate detection (SimHash, see ``nlp/dedup.py``)."""

    max_distance: int = Field(default=6, ge=0, le=8, description="Hamming distance of 64-bit SimHashes")
    window_hours: float = Field(default=72.0, gt=0, description="a copy links to an original at most this old")


class SourceSettings(_Section):
    """How one source is crawled.

    ``queries`` are what the source is asked: search keywords for search
    sources (Weibo, Baidu; empty means the brands' names), list-page paths for
    forums (``forum.php?mod=forumdisplay&fid=2``). ``kind`` picks the
    registered source to use when the table's name is not one (two industry
    forums, both ``kind = "forum"``); ``spider_args`` go to that spider as
    they are (the generic forum's ``selectors``). Unset politeness keys fall
    back to ``[crawl]``.
    """

    enabled: bool = True
    kind: str | None = None
    base_url: str | None = None
    queries: list[str] = Field(default_factory=list)
    interval_seconds: int = Field(default=900, ge=5)
    max_pages: int = Field(default=1, ge=1)
    obey_robots: bool | None = None
    concurrency: int | None = Field(default=None, ge=1)
    download_delay: float | None = Field(default=None, ge=0)
    proxy: str | None = None
    cookies: dict[str, str] = Field(default_factory=dict, description="e.g. Weibo's SUB login cookie")
    comments_min_reach: int | None = Field(
        default=None, ge=0, description="fetch comments of posts with reposts+comments+likes >= this"
    )
    browser: bool = Field(default=False, description="render this source's pages in Chromium (Playwright)")
    spider_args: dict[str, Any] = Field(default_factory=dict)


class CrawlSettings(_Section):
    user_agent: str = "Mozilla/5.0 (compatible; yuqing/0.1; brand monitoring)"
    obey_robots: bool = True
    concurrent_per_domain: int = Field(default=2, ge=1)
    download_delay: float = Field(default=1.0, ge=0)
    log_level: str = "WARNING"
    chromium: str = Field(default="/usr/bin/chromium", description="the browser for sources with browser = true")
    browser_hosts: list[str] = Field(
        default_factory=list, description="hosts a rendered page may load from, besides the source's own"
    )


Role = Literal["brand", "brand_lead", "legal", "director", "admin"]
Severity = Literal["general", "serious", "major"]
SEVERITY_NAMES: tuple[str, ...] = get_args(Severity)


class EscalationStep(_Section):
    """One step of a clock's escalation policy: who hears of it, and when."""

    at: float = Field(ge=0, le=10, description="share of the time allowed: 0 = at once, 0.75 = 75 %, 1 = the deadline")
    notify: list[Role] = Field(min_length=1)
    repeat_minutes: float | None = Field(
        default=None, gt=0, description="notify again every N minutes until the clock is met"
    )


class ClockSettings(_Section):
    """An SLA clock: the time allowed from detection, the severities it runs for, its escalation."""

    hours: float = Field(gt=0)
    severities: list[Severity] = Field(default_factory=lambda: list(SEVERITY_NAMES), min_length=1)
    escalation: list[EscalationStep] = Field(default_factory=list)


def _default_escalation() -> list[EscalationStep]:
    return [EscalationStep(at=0.75, notify=["brand_lead"]), EscalationStep(at=1.0, notify=["director"])]


class SlaSettings(_Section):
    """Policy 一(六)2: respond in 2 h; a legal-approved statement in 24 h; a major crisis to the
    director in 2 h (notified at once, again every 15 minutes until the director acknowledges)."""

    response: ClockSettings = Field(default_factory=lambda: ClockSettings(hours=2, escalation=_default_escalation()))
    statement: ClockSettings = Field(default_factory=lambda: ClockSettings(hours=24, escalation=_default_escalation()))
    director_report: ClockSettings = Field(
        default_factory=lambda: ClockSettings(
            hours=2,
            severities=["major"],
            escalation=[
                EscalationStep(at=0, notify=["director"], repeat_minutes=15),
                EscalationStep(at=1.0, notify=["director", "brand_lead"]),
            ],
        )
    )


class KeywordTrigger(_Section):
    """Alert on any post about a brand that matches this query, whatever its sentiment."""

    name: str = Field(min_length=1, max_length=48)
    query: str = Field(min_length=1, description='brand-query language, e.g. 爆炸 OR 起火 OR "召回"')
    severity: Severity = "serious"


class SpikeSettings(_Section):
    """A brand's negative posts in the last window against its own baseline: mean + k·σ of the
    windows before it."""

    enabled: bool = True
    window_minutes: int = Field(default=60, ge=5)
    baseline_hours: int = Field(default=24, ge=2)
    k: float = Field(default=3.0, gt=0)
    min_count: int = Field(default=5, ge=1, description="never a spike below this many negative posts")
    severity: Severity = "serious"
    check_minutes: float = Field(default=5, gt=0, description="how often the ticker looks")


class AlertSettings(_Section):
    keywords: list[KeywordTrigger] = Field(default_factory=list)
    spike: SpikeSettings = Field(default_factory=SpikeSettings)
    silent_hours: float = Field(default=24, gt=0, description="a source with no new post for this long raises 信源沉默")
    inhibit: bool = Field(default=True, description="an open 重大 incident mutes new lesser alerts of its brand")


class ChannelSettings(_Section):
    """A notification channel: an SMTP server, or a WeCom / DingTalk / Feishu group bot."""

    kind: Literal["email", "wecom", "dingtalk", "feishu"]
    roles: list[Role] = Field(default_factory=lambda: ["brand", "brand_lead", "legal", "director"])
    severities: list[Severity] = Field(default_factory=lambda: list(SEVERITY_NAMES))
    url: str | None = Field(default=None, description="the group bot's webhook URL")
    secret: str | None = Field(default=None, description="DingTalk / Feishu signing secret, when the bot has one")
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_security: Literal["none", "starttls", "ssl"] = "none"
    sender: str | None = Field(default=None, description="the From address")
    to: list[str] = Field(default_factory=list, description="addresses besides the users of the roles")
    timeout_seconds: float = Field(default=10, gt=0)

    @model_validator(mode="after")
    def _check(self) -> ChannelSettings:
        if self.kind == "email":
            if not self.smtp_host or not self.sender:
                raise ValueError("an email channel needs smtp_host and sender")
        elif not self.url:
            raise ValueError(f"a {self.kind} channel needs url (the group bot's webhook)")
        return self


class NotifySettings(_Section):
    channels: dict[str, ChannelSettings] = Field(default_factory=dict)
    max_attempts: int = Field(default=8, ge=1)
    retry_seconds: float = Field(default=30, gt=0, description="first retry after this, doubling each time")
    console_url: str | None = Field(default=None, description="link to the console in notices, e.g. http://yq:8000")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="YUQING_",
        env_nested_delimiter="__",
        extra="forbid",
    )

    data_dir: Path = Path("data")
    demo: bool = False
    workflow_db_url: str | None = Field(default=None, description="SQLAlchemy URL; default: SQLite in the data dir")
    secret_key: str | None = Field(
        default=None, description="token signing key; default: generated once in the data dir"
    )
    token_ttl_minutes: int = Field(default=12 * 60, ge=1)
    sentiment_model: str = "linear"
    segment_new_words: bool = Field(
        default=True,
        description="jieba's HMM for words its dictionary lacks (names, slang); false: ~1.6x faster segmentation, "
        "but such words fall apart into characters and events group less well",
    )
    sentiment_model_path: Path | None = Field(
        default=None, description="a model directory for backends that load one (transformers)"
    )
    time_scale: float | None = Field(
        default=None, gt=0, description="a drill (演练): N simulated seconds per real second; kept in the data"
    )
    tick_seconds: float = Field(default=1.0, gt=0, description="how often (real seconds) the SLA ticker runs")
    sla: SlaSettings = Field(default_factory=SlaSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    notify: NotifySettings = Field(default_factory=NotifySettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    crawl: CrawlSettings = Field(default_factory=CrawlSettings)
    brands: list[BrandSettings] = Field(default_factory=list)
    risk: RiskSettings = Field(default_factory=RiskSettings)
    events: EventSettings = Field(default_factory=EventSettings)
    dedup: DedupSettings = Field(default_factory=DedupSettings)
    sources: dict[str, SourceSettings] = Field(default_factory=dict)
    pipeline: dict[str, Literal[False] | int] = Field(
        default_factory=dict,
        description="ingest steps to add, reorder (a number) or switch off (false), by dotted path",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = _config_file.get()
        if config_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=config_file))
        return tuple(sources)

    @property
    def workflow_url(self) -> str:
        return self.workflow_db_url or f"sqlite:///{self.data_dir / 'workflow.db'}"

    @property
    def posts_db_path(self) -> Path:
        return self.data_dir / "posts.db"

    def brand_terms(self) -> list[str]:
        return [term for brand in self.brands for term in brand.terms()]

    def brand_words(self) -> list[str]:
        return [word for brand in self.brands for word in brand.words()]


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Read the settings; every problem becomes one ConfigError line."""
    overrides = {k: v for k, v in overrides.items() if v is not None}
    if config_file is not None:
        config_file = Path(config_file)
        if not config_file.is_file():
            raise ConfigError(f"config file not found: {config_file}")
        try:
            tomllib.loads(config_file.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"config file {config_file} is not valid TOML: {exc}") from None
    token = _config_file.set(config_file)
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        where = f" in {config_file}" if config_file else ""
        raise ConfigError(f"bad setting{where}: {_first_error(exc)}") from None
    finally:
        _config_file.reset(token)


def _first_error(exc: ValidationError) -> str:
    errors = exc.errors()
    parts = []
    for err in errors[:3]:
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
        parts.append(f"{loc}: {msg}")
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    return "; ".join(parts) + more
