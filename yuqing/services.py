"""The parts of a running yuqing, built once from the settings.

``Services`` is what the CLI, the API and the crawl sink share: the post
store, the workflow database, the ingest pipeline, the alert rules and the
incident service, all wired from the settings and the plugins.
"""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pluggy
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from yuqing.alerting.dispatch import Dispatcher
from yuqing.alerting.drill import drill_clock
from yuqing.alerting.feed import Feed
from yuqing.alerting.incidents import IncidentService
from yuqing.alerting.rules import Alert, AlertRule
from yuqing.alerting.statements import Statements
from yuqing.alerting.ticker import Ticker
from yuqing.alerting.workflow import Workflow
from yuqing.clock import Clock, SystemClock
from yuqing.crawlers.classify import crawl_outcome
from yuqing.crawlers.health import HealthBook, health_alert
from yuqing.crawlers.seen import DatabaseSeen
from yuqing.crawlers.sources import ConfiguredSource, SourceSpec, configured_source, registered_sources
from yuqing.errors import DataDirError
from yuqing.nlp.pipeline import Pipeline, build_segmenter
from yuqing.nlp.segment import Segmenter
from yuqing.pluginmanager import flatten, get_plugin_manager
from yuqing.post import Post
from yuqing.settings import Settings
from yuqing.storage.database import make_engine, migrate, session_factory
from yuqing.storage.models import SourceHealth
from yuqing.storage.posts import PostStore
from yuqing.storage.sqlite_posts import SqlitePostStore

log = logging.getLogger(__name__)


@dataclass
class IngestReport:
    received: int = 0
    created: int = 0
    updated: int = 0
    alerts: int = 0
    incidents: list[int] = field(default_factory=list)


def ensure_data_dir(path: Path) -> Path:
    """Create the data dir if needed and prove it is writable."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise DataDirError(f"data dir {path} is not writable: {reason}") from None
    return path


def secret_key(settings: Settings) -> str:
    """The token signing key: from the settings, else made once and kept in the data dir."""
    if settings.secret_key:
        return settings.secret_key
    path = settings.data_dir / "secret.key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


class Services:
    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.settings = settings
        ensure_data_dir(settings.data_dir)
        self.plugins: pluggy.PluginManager = get_plugin_manager()
        self.engine: Engine = make_engine(settings.workflow_url)
        migrate(self.engine)
        self.sessions: sessionmaker[Session] = session_factory(self.engine)
        self.clock: Clock = clock or drill_clock(self.sessions, settings.time_scale) or SystemClock()
        self.segmenter: Segmenter = build_segmenter(settings)
        self.posts: PostStore = SqlitePostStore(settings.posts_db_path, self.segmenter)
        hook = self.plugins.hook
        self.rules: list[AlertRule] = flatten(hook.register_alert_rules(settings=settings))
        self.feed = Feed()
        notifiers = {n.name: n for n in flatten(hook.register_notifiers(settings=settings))}
        self.dispatcher = Dispatcher(self.sessions, settings.notify, notifiers, self.feed)
        policies = flatten(hook.register_sla_policies(settings=settings))
        self.incidents = IncidentService(
            self.sessions, policies, self.dispatcher, inhibit=settings.alerts.inhibit, on_change=self._incident_changed
        )
        self.workflow = Workflow(self.sessions, self.incidents, self.clock)
        self.statements = Statements(
            self.sessions, self.dispatcher, self.clock, on_change=self._incident_changed, lock=self.incidents.lock
        )
        self.secret_key = secret_key(settings)
        self.health = HealthBook(self.sessions)
        self.seen = DatabaseSeen(self.sessions, self.clock)
        self.ticker = Ticker(
            self.sessions, policies, self.incidents, self.dispatcher, flatten(hook.register_watches(services=self))
        )
        self._ingest_lock = threading.Lock()

    def _incident_changed(self, incident_id: int) -> None:
        self.feed.publish({"type": "incident", "id": incident_id})

    def tick(self) -> None:
        """One run of the SLA ticker at the clock's now (``runtime`` calls it every ``tick_seconds``)."""
        report = self.ticker.tick(self.clock.now())
        if report.firings:
            self.feed.publish({"type": "clocks", "fired": report.firings})
        if report.firings or report.sent or report.alerts:
            log.info(
                "tick: %d clock steps fired, %d notices sent, %d watch alerts",
                report.firings,
                report.sent,
                report.alerts,
            )

    @cached_property
    def pipeline(self) -> Pipeline:
        """Built on first use: the API alone never loads the sentiment model."""
        return Pipeline.from_settings(self.settings, self.segmenter, self.posts)

    @cached_property
    def sources(self) -> dict[str, SourceSpec]:
        """The registered sources (kinds), by name."""
        return registered_sources(self.plugins)

    def source(self, name: str) -> ConfiguredSource:
        """A source as configured (``[sources.NAME]``), or a registered one with defaults."""
        return configured_source(self.settings, self.sources, name)

    def ingest(self, posts: list[Post]) -> IngestReport:
        """Analyse, store and alert on one batch of crawled posts."""
        report = IngestReport(received=len(posts))
        with self._ingest_lock:  # one batch at a time: the dedup and event steps build on the last one
            posts = self.pipeline(posts)
            stored = self.posts.upsert(posts)
        report.created, report.updated = len(stored.created), len(stored.updated)
        created = set(stored.created)
        for post in posts:
            if post.key in created and post.analysis.sentiment == "negative" and post.analysis.brands:
                self.feed.publish({"type": "post", "post": {**post.model_dump(mode="json"), "key": post.key}})
        now = self.clock.now()
        alerts: list[Alert] = [alert for post in posts for rule in self.rules for alert in rule.evaluate(post, now)]
        report.alerts = len(alerts)
        report.incidents = self.incidents.apply(alerts)
        log.info(
            "ingested %d posts (%d new, %d updated), %d alerts, incidents %s",
            report.received,
            report.created,
            report.updated,
            report.alerts,
            report.incidents,
        )
        return report

    def record_crawl(self, source: ConfiguredSource, stats: Mapping[str, Any]) -> tuple[SourceHealth, list[int]]:
        """Keep a finished crawl's verdict in the source's health record; alert when it
        failed. Returns the record and the incidents the alert opened or extended."""
        verdict = crawl_outcome(stats)
        now = self.clock.now()
        health = self.health.record(source.name, verdict, int(stats.get("item_scraped_count", 0)), now, source.interval)
        alert = health_alert(source.name, verdict, now)
        return health, self.incidents.apply([alert] if alert else [])

    def close(self) -> None:
        self.posts.close()
        self.engine.dispose()
