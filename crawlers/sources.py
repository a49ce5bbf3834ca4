"""Crawl sources: what plugins register, and how a source's spider is started."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pluggy import PluginManager

from yuqing.errors import ConfigError, UnknownSourceError
from yuqing.pluginmanager import flatten
from yuqing.settings import Settings, SourceSettings

from .spiders.common import SourceSpider


@dataclass(frozen=True)
class SourceSpec:
    """A crawl source; its spider knows the real site's root (``default_base_url``).

    ``search`` sources are asked keywords (empty ``queries`` means the brand
    names); other sources (forums) are asked the list pages in ``queries``.
    """

    name: str
    spider: type[SourceSpider]
    search: bool = True
    description: str = ""


@dataclass(frozen=True)
class ConfiguredSource:
    """A source as configured: its name (a ``[sources.NAME]`` table, or a registered
    source's own name), the registered source it is an instance of, its settings."""

    name: str
    spec: SourceSpec
    conf: SourceSettings

    @property
    def interval(self) -> timedelta:
        return timedelta(seconds=self.conf.interval_seconds)


def configured_source(settings: Settings, sources: dict[str, SourceSpec], name: str) -> ConfiguredSource:
    conf = settings.sources.get(name) or SourceSettings()
    return ConfiguredSource(name=name, spec=get_source(sources, conf.kind or name), conf=conf)


def spider_kwargs(
    source: ConfiguredSource,
    settings: Settings,
    *,
    queries: list[str] | None = None,
    base_url: str | None = None,
    max_pages: int | None = None,
) -> dict[str, Any]:
    """The spider's arguments from the settings; explicit arguments win."""
    spec, conf = source.spec, source.conf
    queries = queries or conf.queries or (settings.brand_terms() if spec.search else [])
    if not queries:
        what = "keywords (or brands)" if spec.search else "list-page paths"
        raise ConfigError(
            f"source {source.name!r} has nothing to crawl: configure {what} in sources.{source.name}.queries"
        )
    kwargs: dict[str, Any] = {
        **conf.spider_args,
        "base_url": base_url or conf.base_url or spec.spider.default_base_url or None,
        "queries": list(queries),
        "max_pages": max_pages or conf.max_pages,
    }
    if conf.cookies:
        kwargs["cookies"] = dict(conf.cookies)
    if conf.comments_min_reach is not None:
        kwargs["comments_min_reach"] = conf.comments_min_reach
    if source.name != spec.name:
        kwargs["source_name"] = source.name
    return kwargs


def registered_sources(pm: PluginManager) -> dict[str, SourceSpec]:
    """Every source the plugins register, by name."""
    return {spec.name: spec for spec in flatten(pm.hook.register_sources())}


def get_source(sources: dict[str, SourceSpec], name: str) -> SourceSpec:
    try:
        return sources[name]
    except KeyError:
        raise UnknownSourceError(f"unknown source {name!r} (known: {', '.join(sorted(sources))})") from None
