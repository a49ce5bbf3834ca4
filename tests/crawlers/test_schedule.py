"""Which sources `yuqing run` crawls, with what arguments and how often."""

from __future__ import annotations

import pytest

from yuqing.crawlers.schedule import scheduled_sources
from yuqing.errors import UnknownSourceError
from yuqing.services import Services
from yuqing.settings import load_settings


def services_for(tmp_path, toml: str) -> Services:
    config = tmp_path / "c.toml"
    config.write_text(toml, encoding="utf-8")
    return Services(load_settings(config, data_dir=tmp_path / "d"))


def test_each_configured_source_with_its_own_interval_and_arguments(tmp_path) -> None:
    services = services_for(
        tmp_path,
        """
[[brands]]
name = "星河电器"
keywords = ["星河空调"]
[sources.weibo]
interval_seconds = 120
cookies = { SUB = "abc" }
comments_min_reach = 50
[sources.baidu]
enabled = false
[sources.hvac-bbs]
kind = "discuz"
base_url = "https://bbs.example.com/"
queries = ["forum.php?mod=forumdisplay&fid=2"]
interval_seconds = 1800
[sources.discuz]
""",
    )
    try:
        jobs = {source.name: (source, kwargs) for source, kwargs in scheduled_sources(services)}
        assert set(jobs) == {"weibo", "hvac-bbs"}  # baidu is off; plain discuz has nothing to crawl
        weibo, weibo_args = jobs["weibo"]
        assert weibo.interval.total_seconds() == 120
        assert weibo_args == {
            "base_url": "https://m.weibo.cn",
            "queries": ["星河电器", "星河空调"],
            "max_pages": 1,
            "cookies": {"SUB": "abc"},
            "comments_min_reach": 50,
        }
        forum, forum_args = jobs["hvac-bbs"]
        assert forum.spec.name == "discuz" and forum.interval.total_seconds() == 1800
        assert forum_args["source_name"] == "hvac-bbs" and forum_args["base_url"] == "https://bbs.example.com/"
    finally:
        services.close()


def test_without_configured_sources_the_search_sources_watch_the_brands(tmp_path) -> None:
    services = services_for(tmp_path, '[[brands]]\nname = "星河电器"\n')
    try:
        names = [source.name for source, _ in scheduled_sources(services)]
        assert "weibo" in names and "baidu" in names and "discuz" not in names
    finally:
        services.close()


def test_an_unknown_kind_is_an_error(tmp_path) -> None:
    services = services_for(tmp_path, '[sources.myspace]\nqueries = ["x"]\n')
    try:
        with pytest.raises(UnknownSourceError, match="myspace"):
            scheduled_sources(services)
    finally:
        services.close()
