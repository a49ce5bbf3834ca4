"""The hooks a yuqing plugin may implement.

Built-in parts (the crawl sources, the crisis workflow) are plugins too, so
the engine has one way to learn what exists. A plugin is a module or object
with functions marked ``@hookimpl``; third-party plugins are found through the
``yuqing.plugins`` entry-point group. Every hook here is documented in the
README's plugin section; a test keeps the two in step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from fastapi import APIRouter

    from yuqing.alerting.notify.base import Notifier
    from yuqing.alerting.rules import AlertRule
    from yuqing.alerting.sla import SlaPolicy
    from yuqing.alerting.ticker import Watch
    from yuqing.crawlers.sources import SourceSpec
    from yuqing.services import Services
    from yuqing.settings import Settings

hookspec = pluggy.HookspecMarker("yuqing")
hookimpl = pluggy.HookimplMarker("yuqing")


@hookspec
def register_sources() -> list[SourceSpec]:
    """Crawl sources: a name and the Scrapy spider (a ``SourceSpider``) that crawls it."""


@hookspec
def register_alert_rules(settings: Settings) -> list[AlertRule]:
    """Rules that turn an analysed post into alerts."""


@hookspec
def register_watches(services: Services) -> list[Watch]:
    """Rules the ticker checks every few minutes (a spike against the baseline, a silent source)."""


@hookspec
def register_sla_policies(settings: Settings) -> list[SlaPolicy]:
    """Deadlines started when an incident opens (kind, time allowed, severities, escalation steps)."""


@hookspec
def register_notifiers(settings: Settings) -> list[Notifier]:
    """Notification channels by name (``Notifier.name``); the routing sends to them by role and severity."""


@hookspec
def register_routes() -> list[APIRouter]:
    """FastAPI routers mounted on the API; they use the same auth dependencies."""
